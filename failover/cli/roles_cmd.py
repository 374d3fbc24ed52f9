import time

from django.core.management.base import CommandError

from failover.cli import cli_actor
from failover.models import RoleSwap, SiteState
from failover.services import conflicts, diverged, swap_request


def register(subparsers):
    become = subparsers.add_parser(
        "become",
        help="Swap roles with the peer: become primary (on the backup) or backup (on the primary).",
    )
    become.add_argument("role", choices=("primary", "backup"))
    become.add_argument(
        "--sync-first",
        action="store_true",
        help="The site that becomes primary first pulls a full data sync.",
    )
    become.add_argument(
        "--force",
        action="store_true",
        help="(primary only) Become backup even if the peer cannot be contacted.",
    )
    become.add_argument(
        "--timeout",
        type=float,
        default=3600,
        metavar="SECONDS",
        help="Give up waiting for the swap after this long (default 3600).",
    )
    become.set_defaults(handler=run_become)
    fix = subparsers.add_parser(
        "fix-conflict", help="Settle both sites claiming the same role (Fix this error)."
    )
    fix.set_defaults(handler=run_fix)


def run_become(options, out):
    if options["role"] == "backup" and not options["sync_first"] and SiteState.load().is_primary:
        out.write(diverged.left_behind_note())
    swap = swap_request.request_swap(
        options["role"],
        sync_first=options["sync_first"],
        force=options["force"],
        actor=cli_actor(),
    )
    out.write(f"Role swap started: {swap.describe()}.")
    deadline = time.monotonic() + options["timeout"]
    while time.monotonic() < deadline:
        swap.refresh_from_db()
        if swap.finished:
            if swap.status == RoleSwap.Status.FAILED:
                raise CommandError(swap.message)
            out.write(swap.message)
            return
        time.sleep(0.2)
    raise CommandError(
        f"The swap did not finish within {options['timeout']:g} s "
        f"(last step: {swap.step or 'queued'})."
    )


def run_fix(options, out):
    out.write(conflicts.fix_conflict(cli_actor()))

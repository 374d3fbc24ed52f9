import time

from django.core.management.base import CommandError

from failover.cli import cli_actor
from failover.services import syncing

FINISHED = ("succeeded", "failed")


def register(subparsers):
    parser = subparsers.add_parser(
        "sync-now", help="Start a data sync from the primary to the backup now."
    )
    parser.add_argument(
        "--wait", action="store_true", help="Wait for the sync to end; exit non-zero if it failed."
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=3600,
        metavar="SECONDS",
        help="Give up waiting after this long (default 3600).",
    )
    parser.set_defaults(handler=run)


def run(options, out):
    started = syncing.sync_now(cli_actor())
    out.write(started.message)
    if not options["wait"]:
        return
    deadline = time.monotonic() + options["timeout"]
    while time.monotonic() < deadline:
        outcome = syncing.sync_outcome(started)
        if outcome and outcome["status"] in FINISHED:
            if outcome["status"] == "failed":
                raise CommandError(f"Data sync #{started.run_id} failed: {outcome['error']}")
            out.write(
                f"Data sync #{started.run_id} succeeded: {outcome['files_total']} files, "
                f"{outcome['bytes_transferred']} bytes transferred."
            )
            return
        time.sleep(0.5)
    raise CommandError(f"Data sync #{started.run_id} did not end within {options['timeout']:g} s.")

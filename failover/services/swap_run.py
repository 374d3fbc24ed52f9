"""Running a planned role swap in the worker (queued by ``swap_request``).

Both sites take the swap lock, the future primary optionally pulls a full
sync, then the old primary demotes (its failover IPs go down) before the new
one promotes (its IPs come up), both at the next epoch: at no instant are
both primary. A swap that cannot keep one primary and one backup is cancelled
and leaves both sites as they were, unless the primary was told to demote
itself even if the peer cannot be contacted.
"""

import logging
import time

from django.utils import timezone

from failover import __version__
from failover.domain.event_kinds import EventKind
from failover.domain.roles import Role, opposite
from failover.domain.versions import version_mismatch
from failover.errors import Refused
from failover.models import RoleSwap, SiteState, StatusEvent, SyncRun
from failover.peer.client import PeerClient, PeerError, PeerRefused
from failover.services import roles, syncing
from failover.services.peer_roles import change_peer_role, lock_peer, unlock_peer

SYNC_POLL = 0.5
LOCK_RENEWAL = 10.0
log = logging.getLogger(__name__)


class SwapFailed(Exception):
    """Why a swap was cancelled (and that nothing changed), for the administrator."""


def execute(swap_id: str, *, peer=None) -> str:
    """Run a queued swap (the task's body); always releases both locks."""
    claimed = RoleSwap.objects.filter(pk=swap_id, status=RoleSwap.Status.QUEUED).update(
        status=RoleSwap.Status.RUNNING
    )
    if not claimed:
        return f"swap {swap_id} is not queued any more"
    swap = RoleSwap.objects.get(pk=swap_id)
    site = SiteState.load()
    peer = peer or PeerClient.for_peer(site)
    try:
        message = _Swap(swap, site, peer).run()
        status = RoleSwap.Status.SUCCEEDED
    except SwapFailed as e:
        message, status = str(e), RoleSwap.Status.FAILED
    except Exception as e:  # anything unforeseen still ends the swap and says why
        log.exception("role swap %s crashed", swap.id)
        message, status = f"The swap stopped on an unexpected error: {e}", RoleSwap.Status.FAILED
    finally:
        unlock_peer(peer, swap.id)
        SiteState.load().unlock_swap(swap.id)
    RoleSwap.objects.filter(pk=swap.pk).update(
        status=status, message=message, step="", finished_at=timezone.now()
    )
    succeeded = status == RoleSwap.Status.SUCCEEDED
    kind = EventKind.SWAP_SUCCEEDED if succeeded else EventKind.SWAP_FAILED
    StatusEvent.record(kind, message, actor=swap.actor, swap=str(swap.id))
    return message


class _Swap:
    def __init__(self, swap: RoleSwap, site: SiteState, peer):
        self.swap = swap
        self.site = site
        self.peer = peer
        self.primary_here = site.is_primary
        self.peer_name = site.peer_address
        self.locks_renewed = time.monotonic()

    def step(self, text: str) -> None:
        RoleSwap.objects.filter(pk=self.swap.pk).update(step=text)

    def renew_locks(self) -> None:
        if time.monotonic() - self.locks_renewed < LOCK_RENEWAL:
            return
        self.site.lock_for_swap(self.swap.id, self.swap.describe(), roles.SWAP_LOCK_TTL)
        lock_peer(self.peer, self.swap.id, self.swap.describe())
        self.locks_renewed = time.monotonic()

    def run(self) -> str:
        self.step("asking the peer to take the swap lock")
        sign_out = self.swap.sync_first and not self.primary_here
        try:
            report = lock_peer(self.peer, self.swap.id, self.swap.describe(), sign_out=sign_out)
        except PeerRefused as e:
            raise SwapFailed(f"The peer refused the swap ({e}); nothing changed.") from None
        except PeerError as e:
            if self.primary_here and self.swap.force:
                return self._demote_alone(e)
            hint = (
                " Tick 'Become backup even if the peer cannot be contacted' to demote "
                "this site alone."
                if self.primary_here
                else ""
            )
            raise SwapFailed(
                f"The peer cannot be contacted ({e}); the swap was cancelled and "
                f"nothing changed.{hint}"
            ) from None
        self.peer_name = report.get("hostname") or self.peer_name
        mismatch = version_mismatch(__version__, report.get("version"), "the peer")
        if mismatch:
            raise SwapFailed(f"{mismatch} Nothing changed.")
        if report.get("role") != opposite(Role(self.site.role)):
            raise SwapFailed(
                f"Both sites are {self.site.role}: settle it with Fix this error; nothing changed."
            )
        epoch = max(self.site.epoch, int(report.get("epoch") or 0)) + 1
        if self.swap.sync_first:
            self._sync_first()
        self._demote_old_primary(epoch)
        self._promote_new_primary(epoch)
        new_primary = self.peer_name if self.primary_here else "this site"
        return (
            f"Roles swapped at epoch {epoch}: {new_primary} is the primary now "
            f"({self.swap.describe()})."
        )

    def _demote_alone(self, error: PeerError) -> str:
        epoch = self.site.epoch + 1
        message = (
            f"This site demoted itself alone: the peer could not be contacted "
            f"({error}). Promote {self.peer_name} by hand (Become primary there)."
        )
        if not roles.change_role(
            self.site,
            Role.BACKUP,
            epoch,
            kind=EventKind.DEMOTED,
            message=message,
            actor=self.swap.actor,
        ):
            raise SwapFailed("This site changed meanwhile; nothing changed.")
        return message

    def _sync_first(self) -> None:
        self.step("pulling a full data sync to the future primary")
        if self.primary_here:
            roles.sign_out_everyone(self.site, f"role swap {self.swap.describe()}")
            try:
                answer = self.peer.call(
                    "POST",
                    "sync/request",
                    payload={"actor": self.swap.actor, "for_swap": str(self.swap.id)},
                )
                started = syncing.SyncStarted(int(answer["run_id"]), on_this_site=False)
            except (PeerError, KeyError, TypeError, ValueError) as e:
                raise SwapFailed(
                    f"The peer could not start the data sync ({e}); nothing changed."
                ) from None
        else:
            try:
                run = syncing.start_sync(SyncRun.Trigger.SWAP, self.swap.actor)
            except Refused as e:
                raise SwapFailed(f"The data sync could not start ({e}); nothing changed.") from None
            started = syncing.SyncStarted(run.pk, on_this_site=True)
        while True:
            outcome = syncing.sync_outcome(started, peer=self.peer)
            if outcome and outcome["status"] == SyncRun.Status.SUCCEEDED:
                return
            if outcome and outcome["status"] == SyncRun.Status.FAILED:
                raise SwapFailed(f"The data sync failed ({outcome['error']}); nothing changed.")
            try:
                self.renew_locks()
            except PeerError as e:
                raise SwapFailed(
                    f"Lost the peer during the data sync ({e}); nothing changed."
                ) from None
            time.sleep(SYNC_POLL)

    def _change_peer(self, role: Role, epoch: int) -> bool:
        return change_peer_role(
            self.peer, self.swap.id, role, epoch, actor=self.swap.actor, reason=self.swap.describe()
        )

    def _change_here(self, role: Role, epoch: int, message: str = "") -> bool:
        return roles.change_role(
            self.site,
            role,
            epoch,
            kind=EventKind.ROLE_SWAPPED,
            actor=self.swap.actor,
            message=message or f"Planned role swap: this site is now the {role} at epoch {epoch}.",
        )

    def _demote_old_primary(self, epoch: int) -> None:
        self.step("demoting the primary")
        if self.primary_here:
            if not self._change_here(Role.BACKUP, epoch):
                raise SwapFailed("This site changed meanwhile; nothing changed.")
        elif not self._change_peer(Role.BACKUP, epoch):
            raise SwapFailed(
                f"The primary {self.peer_name} could not be demoted; the swap "
                "was cancelled and nothing changed."
            )

    def _promote_new_primary(self, epoch: int) -> None:
        """If the new primary cannot take the role, the old one takes it back,
        at an epoch above any late promotion, so that one would yield."""
        self.step("promoting the backup")
        if self.primary_here:
            if self._change_peer(Role.PRIMARY, epoch):
                return
            self.site.refresh_from_db()
            self._change_here(
                Role.PRIMARY,
                epoch + 1,
                f"The peer could not be promoted: this site is the primary again, at "
                f"epoch {epoch + 1}.",
            )
            raise SwapFailed(
                f"The backup {self.peer_name} could not be promoted, so this site "
                f"stayed the primary (epoch {epoch + 1}); nothing else changed."
            )
        if self._change_here(Role.PRIMARY, epoch):
            return
        if self._change_peer(Role.PRIMARY, epoch + 1):
            raise SwapFailed(
                f"This site changed meanwhile and could not be promoted, so "
                f"{self.peer_name} is the primary again (epoch {epoch + 1}); nothing else "
                "changed."
            )
        raise SwapFailed(
            f"This site changed meanwhile and could not be promoted, and {self.peer_name} "
            "could not take the primary role back: both sites are backup. Settle it with "
            "Fix this error."
        )

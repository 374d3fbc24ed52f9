"""Planned role swaps: Become backup (on the primary) and Become primary (on
the backup), SPEC section 3.

Both sites take the swap lock, the future primary optionally pulls a full
sync, then the old primary demotes (its failover IPs go down) before the new
one promotes (its IPs come up), both at the next epoch: at no instant are
both primary. A swap that cannot keep one primary and one backup is cancelled
and leaves both sites as they were, unless the primary was told to demote
itself even if the peer cannot be contacted.
"""

import contextlib
import logging
import time
import uuid

from django.db import transaction
from django.utils import timezone

from failover import __version__
from failover.domain.roles import Role, opposite
from failover.models import RoleSwap, SiteState, StatusEvent, SyncRun
from failover.models.events import actor_name
from failover.peer.client import PeerClient, PeerError, PeerRefused
from failover.services import Refused, roles, syncing

SYNC_POLL = 0.5
LOCK_RENEWAL = 10.0
log = logging.getLogger(__name__)


class SwapFailed(Exception):
    """Why a swap was cancelled (and that nothing changed), for the administrator."""


def request_swap(target_role: str, *, sync_first: bool, force: bool, actor) -> RoleSwap:
    """Validate, take this site's swap lock and queue the swap. Raises Refused."""
    site = roles.refuse_during_swap()
    if not site.in_relationship:
        raise Refused("This site is in no failover relationship.")
    if target_role not in (Role.PRIMARY, Role.BACKUP):
        raise Refused("The role must be primary or backup.", 400)
    if site.role == target_role:
        raise Refused(f"This site is already the {target_role}.")
    if force and target_role != Role.BACKUP:
        raise Refused("Only the primary can become backup without the peer.", 400)
    swap = RoleSwap(
        target_role=target_role, sync_first=sync_first, force=force, actor=actor_name(actor)
    )
    if not site.lock_for_swap(swap.id, swap.describe(), roles.SWAP_LOCK_TTL):
        raise roles.SwapInProgress(SiteState.load())
    with transaction.atomic():
        swap.save()
        from failover.tasks import run_swap  # the tasks module imports this one

        transaction.on_commit(lambda: run_swap.delay(str(swap.id)))
    StatusEvent.record(
        "swap_requested",
        f"Role swap requested: {swap.describe()}.",
        actor=swap.actor,
        swap=str(swap.id),
    )
    return swap


def execute(swap_id: str) -> str:
    """Run a queued swap (the task's body); always releases both locks."""
    claimed = RoleSwap.objects.filter(pk=swap_id, status=RoleSwap.Status.QUEUED).update(
        status=RoleSwap.Status.RUNNING
    )
    if not claimed:
        return f"swap {swap_id} is not queued any more"
    swap = RoleSwap.objects.get(pk=swap_id)
    site = SiteState.load()
    peer = PeerClient.for_peer(site)
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
    kind = "swap_succeeded" if status == RoleSwap.Status.SUCCEEDED else "swap_failed"
    StatusEvent.record(kind, message, actor=swap.actor, swap=str(swap.id))
    return message


def unlock_peer(peer: PeerClient, swap_id) -> None:
    # Failing here means it was never locked, or is gone: its lock lapses on its own.
    with contextlib.suppress(PeerError):
        peer.call("POST", "role/unlock", payload={"swap_id": str(swap_id)})


class _Swap:
    def __init__(self, swap: RoleSwap, site: SiteState, peer: PeerClient):
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
        self._lock_peer(sign_out=False)
        self.locks_renewed = time.monotonic()

    def _lock_peer(self, *, sign_out: bool) -> dict:
        return self.peer.call(
            "POST",
            "role/lock",
            payload={
                "swap_id": str(self.swap.id),
                "note": self.swap.describe(),
                "sign_out": sign_out,
            },
        )

    def run(self) -> str:
        self.step("asking the peer to take the swap lock")
        try:
            report = self._lock_peer(sign_out=self.swap.sync_first and not self.primary_here)
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
        if report.get("version") != __version__:
            raise SwapFailed(
                f"Product version mismatch: this site runs {__version__}, the "
                f"peer {report.get('version')}; nothing changed."
            )
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
            self.site, Role.BACKUP, epoch, kind="demoted", message=message, actor=self.swap.actor
        ):
            raise SwapFailed("This site changed meanwhile; nothing changed.")
        return message

    def _sync_first(self) -> None:
        self.step("pulling a full data sync to the future primary")
        if self.primary_here:
            roles.sign_out_everyone(self.site, f"role swap {self.swap.describe()}")
            try:
                run_id = int(
                    self.peer.call(
                        "POST",
                        "sync/request",
                        payload={"actor": self.swap.actor, "for_swap": str(self.swap.id)},
                    )["run_id"]
                )
            except PeerError as e:
                raise SwapFailed(
                    f"The peer could not start the data sync ({e}); nothing changed."
                ) from None
            started = syncing.SyncStarted(run_id, on_this_site=False)
        else:
            try:
                run = syncing.start_sync(SyncRun.Trigger.SWAP, self.swap.actor)
            except Refused as e:
                raise SwapFailed(f"The data sync could not start ({e}); nothing changed.") from None
            started = syncing.SyncStarted(run.pk, on_this_site=True)
        while True:
            outcome = syncing.sync_outcome(started)
            if outcome and outcome["status"] == "succeeded":
                return
            if outcome and outcome["status"] == "failed":
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

    def _change_here(self, role: Role, epoch: int) -> bool:
        return roles.change_role(
            self.site,
            role,
            epoch,
            kind="role_swapped",
            actor=self.swap.actor,
            message=f"Planned role swap: this site is now the {role} at epoch {epoch}.",
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
        self.step("promoting the backup")
        if not self.primary_here:
            self._change_here(Role.PRIMARY, epoch)
            return
        if self._change_peer(Role.PRIMARY, epoch):
            return
        # The backup did not take over: take the primary role back, at an epoch
        # above any late promotion of the peer, so that one would yield.
        self.site.refresh_from_db()
        roles.change_role(
            self.site,
            Role.PRIMARY,
            epoch + 1,
            kind="role_swapped",
            actor=self.swap.actor,
            message=f"The peer could not be promoted: this site is the primary again, at "
            f"epoch {epoch + 1}.",
        )
        raise SwapFailed(
            f"The backup {self.peer_name} could not be promoted, so this site "
            f"stayed the primary (epoch {epoch + 1}); nothing else changed."
        )


def change_peer_role(
    peer: PeerClient, lock_id, role: Role, epoch: int, *, actor: str, reason: str
) -> bool:
    """Ask the peer (locked under ``lock_id``) to take ``role`` at ``epoch``;
    True once it has, even if its answer was lost on the way back."""
    try:
        peer.call(
            "POST",
            "role/change",
            payload={
                "swap_id": str(lock_id),
                "role": str(role),
                "epoch": epoch,
                "actor": actor,
                "reason": reason,
            },
        )
        return True
    except PeerError:
        try:
            report = peer.status()
        except PeerError:
            return False
        return report.get("role") == role and report.get("epoch") == epoch


def swap_id_of(payload) -> uuid.UUID:
    try:
        return uuid.UUID(str(payload.get("swap_id")))
    except (AttributeError, ValueError):
        raise Refused("A valid swap_id is required.", 400) from None


def accept_lock(payload, peer_name: str) -> SiteState:
    """The peer starts a swap: take this site's lock (peer endpoint ``role/lock``)."""
    swap_id = swap_id_of(payload)
    site = SiteState.load()
    note = f"{str(payload.get('note') or 'role swap')[:200]}, on {peer_name}"
    renewing = site.swap_lock == swap_id
    if not site.lock_for_swap(swap_id, note, roles.SWAP_LOCK_TTL):
        raise roles.SwapInProgress(site)
    if payload.get("sign_out") and site.is_primary and not renewing:
        roles.sign_out_everyone(site, f"role swap {note}")
    return site


def accept_unlock(payload) -> None:
    SiteState.load().unlock_swap(swap_id_of(payload))


def accept_role_change(payload, peer_name: str) -> SiteState:
    """The peer tells this site its new role in a swap or a conflict fix that
    holds this site's lock (peer endpoint ``role/change``)."""
    swap_id = swap_id_of(payload)
    site = SiteState.load()
    if site.swap_lock != swap_id or not site.swap_in_progress:
        raise Refused("This site is not locked for that role change.")
    try:
        role, epoch = Role(payload["role"]), int(payload["epoch"])
    except (KeyError, TypeError, ValueError):
        raise Refused("role/change needs a role (primary or backup) and an epoch.", 400) from None
    if role == Role.NONE:
        raise Refused("role/change cannot leave the relationship.", 400)
    if site.role == role and site.epoch == epoch:
        return site  # a retry of a change already made
    actor = f"{payload.get('actor') or 'someone'} on {peer_name}"
    if not roles.change_role(
        site,
        role,
        epoch,
        kind="role_swapped",
        actor=actor[:150],
        message=f"{payload.get('reason') or 'Role change'}: this site "
        f"is now the {role} at epoch {epoch}.",
    ):
        raise Refused(
            f"This site could not become {role} at epoch {epoch} (it is "
            f"{site.role} at epoch {site.epoch})."
        )
    return site

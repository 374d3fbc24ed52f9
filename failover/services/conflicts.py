"""Fix this error: settling two primaries at the same epoch, or two backups,
by the documented rule (domain.split_brain.conflict_winner)."""

import uuid

from django.conf import settings

from failover.domain.event_kinds import EventKind
from failover.domain.preconditions import Action
from failover.domain.roles import Role
from failover.domain.split_brain import Contender, Verdict, conflict_winner, judge
from failover.errors import Refused
from failover.models import SharedIP, SiteState, StatusEvent
from failover.models.events import actor_name
from failover.peer.client import PeerClient, PeerError
from failover.services import roles
from failover.services.peer_roles import change_peer_role, lock_peer, unlock_peer
from failover.sync.manifest import newest_change


def contender_report() -> dict:
    """What this site brings to a conflict (added to its status on request)."""
    return {
        "data_changed_at": newest_change(settings.FAILOVER_DATA_DIR.resolve()),
        "holds_shared_ips": SharedIP.objects.filter(state=SharedIP.State.UP).exists(),
    }


def fix_conflict(actor, *, peer=None) -> str:
    site = roles.require(Action.FIX_CONFLICT)
    peer = peer or PeerClient.for_peer(site)
    try:
        report = peer.call("GET", "status", params={"detail": "conflict"})
    except PeerError as e:
        raise Refused(
            f"The peer cannot be contacted ({e}); a conflict can only be fixed "
            "while both sites can talk.",
            502,
        ) from None
    if judge(site.role, site.epoch, report.get("role"), report.get("epoch")) != Verdict.CONFLICT:
        raise Refused(
            f"There is no conflict to fix: this site is {site.role} at epoch "
            f"{site.epoch}, the peer {report.get('role')} at epoch "
            f"{report.get('epoch')}."
        )
    here = Contender(str(site.site_id), **contender_report())
    there = Contender(report["site_id"], **report["contender"])
    winner_here = conflict_winner(here, there) is here
    epoch = max(site.epoch, int(report["epoch"])) + 1
    name = actor_name(actor)
    lock = uuid.uuid4()
    note = f"Fix this error, by {name}"
    if not site.lock_for_swap(lock, note, roles.SWAP_LOCK_TTL):
        raise roles.lock_refused()
    try:
        lock_peer(peer, lock, note)
        message = _settle(site, peer, lock, winner_here, epoch, name, report)
    except PeerError as e:
        raise Refused(f"Lost the peer while fixing the conflict ({e}).", 502) from None
    finally:
        unlock_peer(peer, lock)
        SiteState.load().unlock_swap(lock)
    StatusEvent.record(EventKind.CONFLICT_FIXED, message, actor=name, epoch=epoch)
    return message


def _settle(site, peer, lock, winner_here: bool, epoch: int, actor: str, report) -> str:
    """The loser becomes backup first, then the winner primary, both at ``epoch``."""
    peer_name = report.get("hostname") or site.peer_address
    why = "its data is the newest, then it holds the shared IPs, then it has the lower site id"
    reason = f"Fix this error by {actor}"

    def change_here(role: Role) -> bool:
        return roles.change_role(
            site,
            role,
            epoch,
            kind=EventKind.CONFLICT_FIXED,
            actor=actor,
            message=f"{reason}: this site is the {role} at epoch {epoch}.",
        )

    if winner_here:
        if not change_peer_role(peer, lock, Role.BACKUP, epoch, actor=actor, reason=reason):
            raise Refused(f"{peer_name} could not be made the backup; nothing changed.")
        if not change_here(Role.PRIMARY):
            raise Refused(
                f"This site changed meanwhile and could not become the primary; {peer_name} "
                "is the backup now: try Fix this error again."
            )
        return (
            f"Conflict fixed: this site is the primary and {peer_name} the backup, at "
            f"epoch {epoch} (the primary is the site whose {why})."
        )
    if not change_here(Role.BACKUP):
        raise Refused("This site changed meanwhile; nothing changed.")
    if not change_peer_role(peer, lock, Role.PRIMARY, epoch, actor=actor, reason=reason):
        raise Refused(
            f"{peer_name} could not be made the primary: both sites are backup; "
            "try Fix this error again."
        )
    return (
        f"Conflict fixed: {peer_name} is the primary and this site the backup, at epoch "
        f"{epoch} (the primary is the site whose {why})."
    )

"""Breaking the failover relationship (SPEC section 3)."""

from dataclasses import dataclass

from failover.domain.event_kinds import EventKind
from failover.domain.preconditions import NOT_PAIRED, Action
from failover.errors import Refused
from failover.models import PeerStatus, StatusEvent
from failover.peer.client import PeerClient, PeerError, PeerRefused
from failover.services import roles


@dataclass(frozen=True)
class BreakOutcome:
    message: str
    peer_told: bool


def break_relationship(actor, *, peer=None) -> BreakOutcome:
    """Both sites become standalone; if the peer cannot be told, this side
    breaks alone and says so."""
    site = roles.require(Action.BREAK)
    peer = peer or PeerClient.for_peer(site)
    peer_name = PeerStatus.load().hostname or site.peer_address
    relationship_id = str(site.relationship_id)
    try:
        peer.call("POST", "unpair", payload={"relationship_id": relationship_id})
        peer_told, peer_note = True, f"{peer_name} left it too."
    except PeerRefused as e:
        if e.code == NOT_PAIRED.code:
            peer_told, peer_note = True, f"{peer_name} had already left it."
        else:
            peer_told, peer_note = False, _alone(peer_name, e)
    except PeerError as e:
        peer_told, peer_note = False, _alone(peer_name, e)
    if not roles.leave_relationship(site):
        raise Refused("The relationship changed meanwhile; nothing was changed here.")
    message = f"Failover relationship broken: this site is standalone now; {peer_note}"
    StatusEvent.record(EventKind.UNPAIRED, message, actor=actor, relationship_id=relationship_id)
    return BreakOutcome(message, peer_told)


def _alone(peer_name: str, error: PeerError) -> str:
    return (
        f"{peer_name} could not be told ({error}), so it must be broken there by hand "
        "(Break failover relationship on that site)."
    )


def accept_unpair(payload, sender_name: str) -> None:
    """The peer broke the relationship: leave it too (``unpair`` endpoint)."""
    site = roles.require(Action.BREAK)
    relationship_id = payload.get("relationship_id") if isinstance(payload, dict) else None
    if str(site.relationship_id) != str(relationship_id):
        raise Refused("This site is not in that failover relationship.", code=NOT_PAIRED.code)
    if roles.leave_relationship(site):
        StatusEvent.record(
            EventKind.UNPAIRED,
            f"{sender_name} broke the failover relationship: this site is standalone now.",
            relationship_id=str(relationship_id),
        )

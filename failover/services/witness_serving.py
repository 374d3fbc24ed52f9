"""The witness's side: a standalone site answering the heartbeats and grant
requests of a pair's sites (domain.witness_grant decides)."""

from failover.domain import witness_messages
from failover.errors import Refused
from failover.models import SiteState, WitnessedPair

NOT_A_WITNESS = "This site is in a failover relationship; only a site in none can be a witness."
OTHER_PAIR = "This witness knows that relationship with another site."


def _sender(payload, site_id: str, local: SiteState) -> dict:
    if local.in_relationship:
        raise Refused(NOT_A_WITNESS, 409, "not_a_witness")
    try:
        return witness_messages.sender(payload, site_id)
    except ValueError as e:
        raise Refused(str(e), 400, "invalid") from None


def heartbeat(payload, site_id: str, local: SiteState) -> dict:
    pair = WitnessedPair.heard(_sender(payload, site_id, local))
    if pair is None:
        raise Refused(OTHER_PAIR, 409, "other_pair")
    return {"granted_epoch": pair.granted_epoch}


def grant(payload, site_id: str, local: SiteState) -> dict:
    sender = _sender(payload, site_id, local)
    try:
        epoch = witness_messages.requested_epoch(payload)
    except ValueError as e:
        raise Refused(str(e), 400, "invalid") from None
    decided = WitnessedPair.ask_grant(sender, epoch)
    if decided is None:
        raise Refused(OTHER_PAIR, 409, "other_pair")
    answer, pair = decided
    return {
        "granted": answer.granted,
        "reason": answer.reason,
        "retry_in": answer.retry_in,
        "granted_epoch": pair.granted_epoch,
    }

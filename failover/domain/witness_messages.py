"""What the pair's sites and their witness say to each other, checked field
by field before anything is recorded (pure functions; ValueError says what
is wrong)."""

import uuid

from failover.domain.roles import Role

MAX_EPOCH = 2**63 - 1


def _uuid(value, name: str) -> uuid.UUID:
    try:
        return uuid.UUID(value) if isinstance(value, str) else uuid.UUID(int=-1)
    except ValueError:
        raise ValueError(f"{name} must be a UUID.") from None


def _epoch(value, name: str) -> int:
    if type(value) is not int or not 0 <= value <= MAX_EPOCH:
        raise ValueError(f"{name} must be a whole number from 0 to {MAX_EPOCH}.")
    return value


def _timeout(value) -> float:
    if type(value) not in (int, float) or not 0 < value <= 86400:
        raise ValueError("timeout must be a number of seconds above 0, at most 86400.")
    return float(value)


def sender(payload, site_id: str) -> dict:
    """A heartbeat's or grant request's account of the calling site (its id
    comes from the signed request, never from the body)."""
    if not isinstance(payload, dict):
        raise ValueError("The request body must be a JSON object.")
    hostname = payload.get("hostname")
    if not isinstance(hostname, str) or not 0 < len(hostname) <= 253:
        raise ValueError("hostname must be a string of 1 to 253 characters.")
    role = payload.get("role")
    if role not in (Role.PRIMARY, Role.BACKUP):
        raise ValueError("role must be primary or backup: the witness watches a pair.")
    peer_site_id = _uuid(payload.get("peer_site_id"), "peer_site_id")
    if str(peer_site_id) == site_id:
        raise ValueError("peer_site_id must be another site's id.")
    return {
        "relationship_id": _uuid(payload.get("relationship_id"), "relationship_id"),
        "peer_site_id": peer_site_id,
        "site_id": uuid.UUID(site_id),
        "hostname": hostname,
        "role": role,
        "epoch": _epoch(payload.get("epoch"), "epoch"),
        "timeout": _timeout(payload.get("timeout")),
    }


def requested_epoch(payload) -> int:
    epoch = _epoch(payload.get("requested_epoch"), "requested_epoch")
    if epoch < 1:
        raise ValueError("requested_epoch must be at least 1.")
    return epoch


def heartbeat_answer(answer: dict) -> dict:
    """The witness's answer to a heartbeat: the highest epoch it granted."""
    return {"granted_epoch": _epoch(answer.get("granted_epoch"), "granted_epoch")}


def grant_answer(answer: dict) -> dict:
    granted, reason = answer.get("granted"), answer.get("reason")
    if type(granted) is not bool or not isinstance(reason, str):
        raise ValueError("granted must be true or false, with a reason.")
    retry_in = answer.get("retry_in")
    if retry_in is not None and (type(retry_in) not in (int, float) or not 0 <= retry_in < 86400):
        raise ValueError("retry_in must be a number of seconds or null.")
    return {
        "granted": granted,
        "reason": reason[:300],
        "retry_in": retry_in,
        "granted_epoch": _epoch(answer.get("granted_epoch"), "granted_epoch"),
    }

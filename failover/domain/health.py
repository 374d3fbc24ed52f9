"""What a health check's outcome means for the history: pure functions."""

from dataclasses import dataclass

from failover.domain.event_kinds import EventKind
from failover.domain.versions import version_mismatch


@dataclass(frozen=True)
class PeerSnapshot:
    """The peer as last recorded (reachable is None before the first check)."""

    hostname: str
    reachable: bool | None
    role: str
    epoch: int | None
    version: str = ""


def check_events(
    previous: PeerSnapshot, report: dict | None, error: str, own_version: str = ""
) -> list[tuple[EventKind, str]]:
    """The (kind, message) events a check's outcome calls for: only changes,
    never one per check. ``report`` is the peer's status, None if it failed."""
    name = (report or {}).get("hostname") or previous.hostname or "the peer"
    if report is None:
        if previous.reachable is False:
            return []
        return [(EventKind.PEER_UNREACHABLE, f"Peer {name} became unreachable: {error}")]
    events = []
    if previous.reachable is False:
        events.append((EventKind.PEER_REACHABLE, f"Peer {name} is reachable again."))
    role, epoch = report.get("role"), report.get("epoch")
    if previous.role and (role, epoch) != (previous.role, previous.epoch):
        events.append(
            (
                EventKind.PEER_CHANGED,
                f"Peer {name} is now {role} at epoch {epoch} "
                f"(was {previous.role} at epoch {previous.epoch}).",
            )
        )
    version = report.get("version", "")
    mismatch = version_mismatch(own_version, version, f"peer {name}")
    if own_version and mismatch and version != previous.version:
        events.append(
            (
                EventKind.VERSION_MISMATCH,
                f"{mismatch} Role changes and syncs are refused until both match.",
            )
        )
    return events


def outage_too_long(*, unreachable_since, noted_for, timeout: float, now) -> bool:
    """The peer has now been unreachable for longer than the primary timeout,
    and this episode was not reported yet."""
    return (
        unreachable_since is not None
        and noted_for != unreachable_since
        and (now - unreachable_since).total_seconds() >= timeout
    )


def site_problems(
    *,
    in_relationship: bool,
    key_set: bool,
    health_worker_alive: bool,
    peer_reachable: bool | None,
    conflict: bool,
) -> list[str]:
    """Why this site is not healthy, for monitoring (empty when it is)."""
    problems = []
    if not health_worker_alive:
        problems.append("no Celery worker has run a health check recently")
    if in_relationship:
        if not key_set:
            problems.append("no inter-site key is set")
        if peer_reachable is False:
            problems.append("the peer site is unreachable")
        if conflict:
            problems.append("both sites report the same role")
    return problems

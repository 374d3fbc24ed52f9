"""What a health check's outcome means for the history: pure functions."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from failover.domain.event_kinds import EventKind
from failover.domain.roles import Role
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


def calls_for_announcement(previous: PeerSnapshot, report: dict) -> bool:
    """The primary sees its peer come back or give the primary role up: the
    peer may have held the failover IPs or drawn clients to itself, so the
    primary announces its addresses again."""
    came_back = previous.reachable is False
    gave_up_primary = previous.role == Role.PRIMARY and report.get("role") != Role.PRIMARY
    return came_back or gave_up_primary


def silent_since(*, last_answer_at, failed_check_started_at, max_gap: timedelta) -> datetime:
    """When the peer was last heard from, for a check that finds it gone after
    an answer. Counting from that answer rather than from the failed check
    makes the primary timeout the time without a sign of life, wherever the
    peer died in the check cycle. But only if the checks ran all along (the
    answer came at most ``max_gap`` before): after a gap, such as this site's
    own worker being down, nobody watched in between, and the episode starts
    with the failed check."""
    if last_answer_at is not None and failed_check_started_at - last_answer_at <= max_gap:
        return min(last_answer_at, failed_check_started_at)
    return failed_check_started_at


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
    witness_reachable: bool | None = None,
    stepped_down: bool = False,
) -> list[str]:
    """Why this site is not healthy, for monitoring (empty when it is).
    ``witness_reachable`` is None without a witness."""
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
        if witness_reachable is False:
            problems.append("the witness is unreachable")
        if stepped_down:
            problems.append("this primary stepped down: cut off from its peer and its witness")
    return problems

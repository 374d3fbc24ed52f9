"""The backup's automatic failover decision: a pure function of the settings,
this site's state, the peer's history, the probe results and the time."""

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from failover.domain.roles import Role


class Action(Enum):
    NOTHING = "nothing"
    PROBE = "probe the test IPs"
    PROMOTE = "become primary"
    NOTE_ISOLATION = "record isolation"


@dataclass(frozen=True)
class Situation:
    role: str
    backup_operations: bool
    auto_failover: bool
    primary_timeout: float
    test_ips: tuple[str, ...]
    swap_in_progress: bool
    # The peer as last checked: None until the first check.
    peer_reachable: bool | None
    unreachable_since: datetime | None
    isolation_noted_for: datetime | None
    now: datetime
    # None until probed; else one result per test IP.
    probes: tuple[bool, ...] | None = None


@dataclass(frozen=True)
class Decision:
    action: Action
    reason: str = ""
    # Seconds until the primary will have been down for the whole timeout:
    # checking again exactly then fails over without waiting for the next beat.
    recheck_in: float | None = None


def decide(s: Situation) -> Decision:
    if s.role != Role.BACKUP or not (s.backup_operations and s.auto_failover):
        return Decision(Action.NOTHING)
    if s.swap_in_progress or s.peer_reachable is not False or s.unreachable_since is None:
        return Decision(Action.NOTHING)
    down_for = (s.now - s.unreachable_since).total_seconds()
    if down_for < s.primary_timeout:
        return Decision(Action.NOTHING, recheck_in=s.primary_timeout - down_for)

    if not s.test_ips:
        return Decision(
            Action.PROMOTE,
            f"primary unreachable for {down_for:.0f} s; no test IPs configured; became primary",
        )
    if s.probes is None:
        return Decision(Action.PROBE)
    if any(s.probes):
        return Decision(
            Action.PROMOTE,
            f"primary unreachable for {down_for:.0f} s; test IPs reachable; became primary",
        )
    if s.isolation_noted_for == s.unreachable_since:
        return Decision(Action.NOTHING)
    return Decision(
        Action.NOTE_ISOLATION, "cut off from the primary and from every test IP; not failing over"
    )

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
    # A restarted primary whose peer answered: bring the failover IPs up.
    CONFIRM = "confirm the primary role"
    # With a witness (domain.witness_quorum): ask it for the next epoch
    # instead of probing the test IPs; it refused; a cut-off primary steps down.
    ASK_WITNESS = "ask the witness"
    NOTE_NO_QUORUM = "record the witness's refusal"
    STEP_DOWN = "step down"


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
    # When the peer was last heard from (see domain.health.silent_since).
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
    return after_silence(
        Silence(
            since=s.unreachable_since,
            episode=s.unreachable_since,
            isolation_noted_for=s.isolation_noted_for,
            timeout=s.primary_timeout,
            test_ips=s.test_ips,
            probes=s.probes,
            now=s.now,
        ),
        silent="primary unreachable",
        outcome="became primary",
        isolated="cut off from the primary and from every test IP; not failing over",
    )


@dataclass(frozen=True)
class Silence:
    """A peer that has not answered since ``since``: what the test IPs say."""

    since: datetime
    # The unreachable episode, so that isolation is recorded once per episode.
    episode: datetime
    isolation_noted_for: datetime | None
    timeout: float
    test_ips: tuple[str, ...]
    probes: tuple[bool, ...] | None
    now: datetime


def after_silence(s: Silence, *, silent: str, outcome: str, isolated: str) -> Decision:
    """Take the primary role once the peer has been silent for the timeout and
    some test IP answers (or none is configured): the peer is down, not us."""
    down_for = (s.now - s.since).total_seconds()
    if down_for < s.timeout:
        return Decision(Action.NOTHING, recheck_in=s.timeout - down_for)
    if not s.test_ips:
        return Decision(
            Action.PROMOTE, f"{silent} for {down_for:.0f} s; no test IPs configured; {outcome}"
        )
    if s.probes is None:
        return Decision(Action.PROBE)
    if any(s.probes):
        return Decision(
            Action.PROMOTE, f"{silent} for {down_for:.0f} s; test IPs reachable; {outcome}"
        )
    if s.isolation_noted_for == s.episode:
        return Decision(Action.NOTHING)
    return Decision(Action.NOTE_ISOLATION, isolated)

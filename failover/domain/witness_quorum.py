"""The pair's side of the witness quorum (two out of three), as pure rules:

- the backup promotes itself only with the witness's grant of the next
  epoch, which replaces the test IPs as the proof that the primary is gone
  and not this site cut off;
- a primary that has heard from neither its peer nor the witness for the
  primary timeout steps down: failover IPs down, primary-only work refused;
- a primary that stepped down (or restarted) takes its role back when the
  witness hears from it and has granted no newer epoch (the witness then
  refuses any grant for a timeout); an answer from the peer settles it by
  the epoch rule, as for any waiting primary (domain.primary_confirmation).

Without a witness none of this applies and everything works as before.
"""

from dataclasses import dataclass, replace
from datetime import datetime

from failover.domain.failover_decision import Action, Decision, Situation, decide
from failover.domain.roles import Role

STEPPED_DOWN = "stepped down: cut off from peer and witness"


@dataclass(frozen=True)
class Vote:
    """The witness's answer to the backup's request for the next epoch (an
    unreachable witness is a refusal that says so)."""

    granted: bool
    epoch: int
    reason: str
    retry_in: float | None = None


def epoch_to_ask(own_epoch: int, granted_epoch: int) -> int:
    """The next epoch, above this site's and above any the witness said it
    granted: an epoch lost to a failed promotion must not block the next."""
    return max(own_epoch, granted_epoch) + 1


def backup_decision(s: Situation, vote: Vote | None) -> Decision:
    """The automatic failover decision of a backup that has a witness."""
    silence = decide(replace(s, test_ips=(), probes=None))
    if silence.action is not Action.PROMOTE:
        return silence
    down_for = (s.now - s.unreachable_since).total_seconds()
    if vote is None:
        return Decision(Action.ASK_WITNESS)
    if vote.granted:
        return Decision(
            Action.PROMOTE,
            f"primary unreachable for {down_for:.0f} s; the witness granted epoch "
            f"{vote.epoch}; became primary",
        )
    if s.isolation_noted_for == s.unreachable_since:
        return Decision(Action.NOTHING, recheck_in=vote.retry_in)
    return Decision(
        Action.NOTE_NO_QUORUM,
        f"primary unreachable for {down_for:.0f} s; not failing over: the witness {vote.reason}",
        recheck_in=vote.retry_in,
    )


@dataclass(frozen=True)
class Watch:
    """A primary holding its failover IPs, and when it last heard from each
    of the other two (the start of the call that got an answer)."""

    holds_role: bool
    timeout: float
    peer_heard_at: datetime | None
    witness_heard_at: datetime | None
    # Since when this site has watched with this witness (added, or the role
    # taken): silence before that proves nothing.
    watching_since: datetime
    now: datetime


def primary_decision(w: Watch) -> Decision:
    """Step down once neither the peer nor the witness has answered for the
    timeout: the witness may grant the backup the next epoch from then on."""
    if not w.holds_role:
        return Decision(Action.NOTHING)
    heard = max(t for t in (w.peer_heard_at, w.witness_heard_at, w.watching_since) if t)
    silent_for = (w.now - heard).total_seconds()
    if silent_for < w.timeout:
        return Decision(Action.NOTHING, recheck_in=w.timeout - silent_for)
    return Decision(
        Action.STEP_DOWN,
        f"{STEPPED_DOWN} (no answer from either for {silent_for:.0f} s); failover IPs down; "
        "primary-only work is refused until it hears from either",
    )


def resume_decision(
    *, epoch: int, waiting_since: datetime, witness_heard_at: datetime | None, granted_epoch: int
) -> Decision:
    """A primary waiting to confirm its role (stepped down or restarted):
    the witness answered a call made since it began waiting, so it will
    grant nothing for a timeout; if it granted nothing above this site's
    epoch meanwhile, nobody took over."""
    if witness_heard_at is None or witness_heard_at < waiting_since:
        return Decision(Action.NOTHING)
    if granted_epoch > epoch:
        return Decision(Action.NOTHING)  # demoted by witness_demotes
    return Decision(Action.CONFIRM, f"the witness answered and granted no epoch above {epoch}")


def witness_demotes(role: str, epoch: int, granted_epoch: int) -> bool:
    """The epoch rule with the witness's word: a primary below an epoch the
    witness granted has been replaced by its peer."""
    return role == Role.PRIMARY and granted_epoch > epoch

"""A primary that restarts does not know whether its peer took over while it
was away. It keeps its failover IPs down, "waiting to confirm the primary
role", until one of these, checked by every health check (pure function):

- the peer answers that it is not primary, or primary at a lower epoch (it
  demotes itself by the epoch rule): confirmed, the addresses come up;
- the peer answers that it is primary at a higher epoch: the epoch rule
  demotes this site (domain.split_brain), nothing to decide here; at the same
  epoch it is a conflict for Fix this error, and the addresses stay down;
- the peer stays silent for the primary timeout: the test IPs decide, as for
  a backup's failover, and this site takes the role again at the next epoch,
  so that a peer which did take over meets an equal epoch (a conflict for an
  administrator) rather than silently losing its newer data.
"""

from dataclasses import dataclass
from datetime import datetime

from failover.domain.failover_decision import Action, Decision, Silence, after_silence
from failover.domain.roles import Role


@dataclass(frozen=True)
class Restart:
    epoch: int
    confirming_since: datetime
    primary_timeout: float
    test_ips: tuple[str, ...]
    # The peer as last checked, and when it last answered.
    peer_reachable: bool | None
    peer_role: str
    peer_epoch: int | None
    last_answer_at: datetime | None
    unreachable_since: datetime | None
    isolation_noted_for: datetime | None
    now: datetime
    probes: tuple[bool, ...] | None = None


def decide(r: Restart) -> Decision:
    answered = r.last_answer_at is not None and r.last_answer_at >= r.confirming_since
    if r.peer_reachable and answered:
        if r.peer_role != Role.PRIMARY:
            return Decision(
                Action.CONFIRM, f"the peer is {r.peer_role or 'standalone'} at epoch {r.peer_epoch}"
            )
        if r.peer_epoch is not None and r.peer_epoch < r.epoch:
            return Decision(
                Action.CONFIRM, f"the peer is primary at the lower epoch {r.peer_epoch}"
            )
        return Decision(Action.NOTHING)
    if r.peer_reachable is not False or r.unreachable_since is None:
        return Decision(Action.NOTHING)
    # Silence before the restart proves nothing: this site was not there to
    # see whether the peer took over.
    return after_silence(
        Silence(
            since=max(r.unreachable_since, r.confirming_since),
            episode=r.unreachable_since,
            isolation_noted_for=r.isolation_noted_for,
            timeout=r.primary_timeout,
            test_ips=r.test_ips,
            probes=r.probes,
            now=r.now,
        ),
        silent="restarted as primary; peer unreachable",
        outcome="took the primary role again",
        isolated="restarted as primary, cut off from the peer and from every test IP; "
        "failover IPs stay down",
    )

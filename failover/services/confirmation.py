"""A primary whose worker (re)starts waits to confirm its role before its
failover IPs come up (domain.primary_confirmation): it starts waiting when the
worker starts, and every health check decides whether it may stop."""

from dataclasses import replace

from django.utils import timezone

from failover.domain.event_kinds import EventKind
from failover.domain.failover_decision import Action, Decision
from failover.domain.primary_confirmation import Restart, decide
from failover.domain.roles import Role
from failover.models import BackupSettings, PeerStatus, SiteState, StatusEvent, WitnessLink
from failover.netif.probes import probe_all
from failover.netif.reconcile import reconcile
from failover.services import roles
from failover.services.autofailover import note_isolation

WAITING = (
    "Restarted as primary: waiting to confirm the primary role with the peer "
    "before bringing the failover IPs up."
)

# What a waiting primary would do about its peer's silence without a witness.
WITNESS_DECIDES = (Action.PROBE, Action.PROMOTE, Action.NOTE_ISOLATION)


def begin() -> None:
    site = SiteState.load()
    if site.is_primary and site.start_confirming():
        StatusEvent.record(EventKind.CONFIRMING_PRIMARY, WAITING)


def evaluate(site: SiteState) -> Decision:
    """Confirm the role, take it again or keep waiting, as the rule says."""
    if not site.confirming:
        return Decision(Action.NOTHING)
    backup_settings = BackupSettings.load()
    peer = PeerStatus.load()
    restart = Restart(
        epoch=site.epoch,
        confirming_since=site.confirming_since,
        primary_timeout=backup_settings.primary_timeout,
        test_ips=tuple(backup_settings.test_ips),
        peer_reachable=peer.reachable,
        peer_role=peer.role,
        peer_epoch=peer.epoch,
        last_answer_at=peer.last_success_at,
        unreachable_since=peer.unreachable_since,
        isolation_noted_for=peer.isolation_noted_for,
        now=timezone.now(),
    )
    decision = decide(restart)
    if decision.action in WITNESS_DECIDES and WitnessLink.load().configured:
        # With a witness, the peer's silence and the test IPs prove nothing:
        # the witness's answer decides (services.witness_checks).
        return Decision(Action.NOTHING)
    if decision.action is Action.PROBE:
        probes = probe_all(restart.test_ips)
        decision = decide(replace(restart, probes=probes, now=timezone.now()))
    if decision.action is Action.CONFIRM and site.confirm():
        problems = reconcile()
        StatusEvent.record(
            EventKind.PRIMARY_CONFIRMED,
            f"Primary role confirmed: {decision.reason}; failover IPs up."
            + (f" Failover IPs: {'; '.join(problems)}." if problems else ""),
        )
    elif decision.action is Action.PROMOTE:
        roles.change_role(
            site,
            Role.PRIMARY,
            site.epoch + 1,
            kind=EventKind.FAILOVER,
            message=decision.reason,
            previous_primary=peer.hostname,
        )
    elif decision.action is Action.NOTE_ISOLATION:
        note_isolation(peer, decision.reason)
    return decision

"""Automatic failover on the backup, run by every health check (SPEC section 5)."""

from dataclasses import replace

from django.utils import timezone

from failover.domain.event_kinds import EventKind
from failover.domain.failover_decision import Action, Decision, Situation, decide
from failover.domain.roles import Role
from failover.domain.witness_quorum import backup_decision
from failover.models import BackupSettings, PeerStatus, SiteState, StatusEvent, WitnessLink
from failover.netif.probes import probe_all
from failover.services import roles, witness_checks


def evaluate(site: SiteState, *, witness=None) -> Decision:
    """Fail over when the decision says so; returns the decision. With a
    witness, its grant of the next epoch replaces the test IPs."""
    if not site.is_backup:
        return Decision(Action.NOTHING)
    backup_settings = BackupSettings.load()
    peer = PeerStatus.load()
    situation = Situation(
        role=site.role,
        backup_operations=backup_settings.backup_operations_enabled,
        auto_failover=backup_settings.auto_failover_enabled,
        primary_timeout=backup_settings.primary_timeout,
        test_ips=tuple(backup_settings.test_ips),
        swap_in_progress=site.swap_in_progress,
        peer_reachable=peer.reachable,
        unreachable_since=peer.unreachable_since,
        isolation_noted_for=peer.isolation_noted_for,
        now=timezone.now(),
    )
    epoch = site.epoch + 1
    if WitnessLink.load().configured:
        decision = backup_decision(situation, None)
        if decision.action is Action.ASK_WITNESS:
            vote = witness_checks.vote(site, situation.primary_timeout, witness=witness)
            decision = backup_decision(replace(situation, now=timezone.now()), vote)
            epoch = vote.epoch
    else:
        decision = decide(situation)
    if decision.action is Action.PROBE:
        probes = probe_all(situation.test_ips)
        decision = decide(replace(situation, probes=probes, now=timezone.now()))
    if decision.action is Action.PROMOTE:
        roles.change_role(
            site,
            Role.PRIMARY,
            epoch,
            kind=EventKind.FAILOVER,
            message=decision.reason,
            previous_primary=peer.hostname,
        )
    elif decision.action is Action.NOTE_ISOLATION:
        note_isolation(peer, decision.reason)
    elif decision.action is Action.NOTE_NO_QUORUM:
        note_isolation(peer, decision.reason, EventKind.WITNESS_REFUSED)
    return decision


def note_isolation(peer: PeerStatus, reason: str, kind: EventKind = EventKind.ISOLATED) -> None:
    """Once per unreachable episode (isolation, or the witness's refusal): of
    two overlapping checks, the one whose compare-and-set wins records it."""
    noted = (
        PeerStatus.objects.filter(pk=peer.pk)
        .exclude(isolation_noted_for=peer.unreachable_since)
        .update(isolation_noted_for=peer.unreachable_since)
    )
    if noted:
        StatusEvent.record(kind, reason)

"""The periodic health check of the peer (run by the health-queue task): the
peer's status, the epoch rule, conflicts and automatic failover."""

from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from failover.domain.event_kinds import EventKind
from failover.domain.failover_decision import Decision
from failover.domain.health import calls_for_announcement, outage_too_long
from failover.domain.roles import Role
from failover.domain.split_brain import Verdict, judge
from failover.models import BackupSettings, PeerStatus, SiteState, StatusEvent
from failover.netif.reconcile import announce
from failover.peer.client import PeerClient, PeerError
from failover.services import autofailover, confirmation, continuous, roles


@dataclass(frozen=True)
class CheckOutcome:
    summary: str
    # When to check again ahead of the schedule (the failover timeout runs out).
    recheck_in: float | None = None


def check_peer(*, peer=None, witness=None) -> CheckOutcome:
    """Ask the peer for its status, record it and act on it (``witness``:
    the client of the witness, when the backup asks it for a grant)."""
    site = SiteState.load()
    if not site.in_relationship:
        return CheckOutcome("standalone: nothing to check")
    started_at = timezone.now()
    previous, held = PeerStatus.load().snapshot(), site.holds_failover_ips
    try:
        report = (peer or PeerClient.for_peer(site, settings.FAILOVER_PEER_TIMEOUT)).status()
    except PeerError as e:
        PeerStatus.record_check(started_at, None, str(e))
        decision = _decide(SiteState.load(), witness)
        # History and announcements after the decision, never in its way.
        _note_long_outage()
        _announce_again(came_back=False)
        return CheckOutcome(
            f"peer unreachable: {e}; {decision.reason or 'no role change'}", decision.recheck_in
        )
    PeerStatus.record_check(started_at, report)
    site = SiteState.load()
    if report.get("relationship_id") == str(site.relationship_id):
        _keep_one_primary(site, report)
    site = SiteState.load()
    decision = _decide(site, witness)
    # Addresses that came up during this check were announced as they did.
    _announce_again(came_back=held and calls_for_announcement(previous, report))
    if site.is_backup and report.get("role") == Role.PRIMARY:
        continuous.catch_up(site, report)
    return CheckOutcome(
        f"peer {report.get('hostname')} is {report.get('role')} at epoch {report.get('epoch')}"
        + (f"; {decision.reason}" if decision.reason else "")
    )


def _announce_again(*, came_back: bool) -> None:
    """The primary's announcements that are due. When the peer came back or
    gave the primary role up, all of them at once: clients it drew to itself
    (a stale address, an announcement) come back now, not when their ARP
    entries expire."""
    if SiteState.load().holds_failover_ips:
        announce(now=came_back)


def _decide(site: SiteState, witness=None) -> Decision:
    """The backup's failover decision, or a restarted primary's confirmation."""
    if site.confirming:
        return confirmation.evaluate(site)
    return autofailover.evaluate(site, witness=witness)


def _note_long_outage() -> None:
    """Once per episode, when the peer has been gone for the primary timeout."""
    peer = PeerStatus.load()
    timeout = BackupSettings.load().primary_timeout
    if not outage_too_long(
        unreachable_since=peer.unreachable_since,
        noted_for=peer.outage_noted_for,
        timeout=timeout,
        now=timezone.now(),
    ):
        return
    PeerStatus.objects.filter(pk=peer.pk).update(outage_noted_for=peer.unreachable_since)
    StatusEvent.record(
        EventKind.PEER_DOWN_TOO_LONG,
        f"Peer {peer.hostname or 'site'} has been unreachable for more than "
        f"{timeout} s (since {peer.unreachable_since:%Y-%m-%d %H:%M:%S}).",
    )


def _keep_one_primary(site: SiteState, report: dict) -> None:
    verdict = judge(site.role, site.epoch, report.get("role"), report.get("epoch"))
    if verdict is Verdict.DEMOTE_SELF:
        roles.change_role(
            site,
            Role.BACKUP,
            int(report["epoch"]),
            kind=EventKind.DEMOTED,
            message=f"demoted: peer is primary at epoch {report['epoch']} > {site.epoch}. "
            "Changes made on this site since the peer took over are replaced by "
            "its next data sync.",
        )
        return
    conflict = verdict is Verdict.CONFLICT
    if PeerStatus.objects.filter(conflict=not conflict).update(conflict=conflict):
        if conflict:
            StatusEvent.record(
                EventKind.CONFLICT_DETECTED,
                f"Conflict: both sites are {site.role} (this site at epoch "
                f"{site.epoch}, the peer at {report.get('epoch')}). Use Fix "
                "this error.",
            )
        else:
            StatusEvent.record(EventKind.CONFLICT_RESOLVED, "The role conflict is resolved.")

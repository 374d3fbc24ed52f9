"""The witness on the health queue (domain.witness_quorum): every site of a
pair that has one tells it it is alive; a primary that hears from neither
the witness nor its peer for the primary timeout steps down, and takes its
role back when the witness answers again without having granted a newer
epoch; the backup asks it for the next epoch before failing over."""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from failover.domain.event_kinds import EventKind
from failover.domain.failover_decision import Action, Decision
from failover.domain.roles import Role
from failover.domain.witness_quorum import (
    Vote,
    Watch,
    epoch_to_ask,
    primary_decision,
    resume_decision,
    witness_demotes,
)
from failover.models import BackupSettings, PeerStatus, SiteState, StatusEvent, WitnessLink
from failover.netif.reconcile import reconcile
from failover.peer.client import PeerError
from failover.peer.witness_calls import WitnessCalls, client
from failover.services import roles


@dataclass(frozen=True)
class WitnessCheck:
    summary: str
    # When the primary's timeout runs out before the next scheduled check.
    recheck_in: float | None = None


def _calls(link: WitnessLink, witness) -> WitnessCalls:
    return WitnessCalls(witness or client(link, settings.FAILOVER_PEER_TIMEOUT))


def check_witness(*, witness=None) -> WitnessCheck:
    """Tell the witness this site is alive, and act on what it says."""
    link, site = WitnessLink.load(), SiteState.load()
    if not (link.configured and site.in_relationship):
        return WitnessCheck("no witness to check")
    # A primary whose timeout ran out steps down now, not after a call that
    # may take the peer timeout to fail: the witness may grant from now on.
    watch_primary()
    site = SiteState.load()
    started_at = timezone.now()
    timeout = BackupSettings.load().primary_timeout
    try:
        answer = _calls(link, witness).heartbeat(site, settings.FAILOVER_SITE_NAME, timeout)
    except PeerError as e:
        WitnessLink.record_check(started_at, None, str(e))
        summary = f"witness unreachable: {e}"
    else:
        WitnessLink.record_check(started_at, answer)
        summary = f"witness answers; highest epoch it granted: {answer['granted_epoch']}"
        _follow(answer["granted_epoch"])
    decision = watch_primary()
    return WitnessCheck(
        summary + (f"; {decision.reason}" if decision.reason else ""), decision.recheck_in
    )


def _follow(granted_epoch: int) -> None:
    """A primary below an epoch the witness granted was replaced: it demotes
    itself. A waiting primary whose witness granted nothing newer resumes."""
    site = SiteState.load()
    if witness_demotes(site.role, site.epoch, granted_epoch):
        roles.change_role(
            site,
            Role.BACKUP,
            granted_epoch,
            kind=EventKind.DEMOTED,
            message=f"demoted: the witness granted epoch {granted_epoch} > {site.epoch} to "
            "the peer. Changes made on this site since the peer took over are replaced by "
            "its next data sync.",
        )
        return
    if not site.confirming:
        return
    link = WitnessLink.load()
    decision = resume_decision(
        epoch=site.epoch,
        waiting_since=site.confirming_since,
        witness_heard_at=link.last_success_at,
        granted_epoch=granted_epoch,
    )
    if decision.action is Action.CONFIRM and site.confirm():
        problems = reconcile()
        StatusEvent.record(
            EventKind.PRIMARY_CONFIRMED,
            f"Primary role confirmed: {decision.reason}; failover IPs up."
            + (f" Failover IPs: {'; '.join(problems)}." if problems else ""),
        )


def watch_primary() -> Decision:
    """Step down when cut off from both (see domain.witness_quorum)."""
    site, link = SiteState.load(), WitnessLink.load()
    if not (link.configured and site.holds_failover_ips):
        return Decision(Action.NOTHING)
    watching_since = max(t for t in (link.configured_at, site.role_changed_at) if t)
    decision = primary_decision(
        Watch(
            holds_role=True,
            timeout=BackupSettings.load().primary_timeout,
            peer_heard_at=PeerStatus.load().last_success_at,
            witness_heard_at=link.last_success_at,
            watching_since=watching_since,
            now=timezone.now(),
        )
    )
    if decision.action is Action.STEP_DOWN:
        step_down(site, decision.reason)
    return decision


def step_down(site: SiteState, reason: str) -> bool:
    """Failover IPs down and wait, as a restarted primary does, until the
    peer or the witness answers. One transaction: whoever reads the site
    stepped down reads its failover IPs down too."""
    with transaction.atomic():
        at = site.step_down()
        if at is None:
            return False
        WitnessLink.objects.filter(pk=WitnessLink.load().pk).update(stepped_down_at=at)
        problems = reconcile()
        StatusEvent.record(
            EventKind.STEPPED_DOWN,
            reason + (f". Failover IPs: {'; '.join(problems)}." if problems else "."),
            epoch=site.epoch,
        )
    return True


def vote(site: SiteState, primary_timeout: float, *, witness=None) -> Vote:
    """The witness's answer to this backup's request for the next epoch."""
    link = WitnessLink.load()
    epoch = epoch_to_ask(site.epoch, link.granted_epoch)
    try:
        answer = _calls(link, witness).ask_grant(
            site, settings.FAILOVER_SITE_NAME, primary_timeout, epoch
        )
    except PeerError as e:
        return Vote(False, epoch, f"could not be asked: {e}")
    # Known at once, so a refusal for an epoch granted before is not repeated.
    WitnessLink.objects.filter(pk=link.pk, granted_epoch__lt=answer["granted_epoch"]).update(
        granted_epoch=answer["granted_epoch"]
    )
    if answer["granted"]:
        return Vote(True, epoch, answer["reason"])
    return Vote(False, epoch, f"refused: {answer['reason']}", answer["retry_in"])

"""Starting data syncs (the backup pulls) and asking about them; the run
itself is in sync_run.py."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from failover import dispatch
from failover.domain.preconditions import SYNC_RUNNING, Action
from failover.domain.sync_schedule import automatic_sync_due
from failover.errors import Refused
from failover.models import BackupSettings, SiteState, SyncRun
from failover.models.events import actor_name
from failover.peer.client import PeerClient, PeerError, PeerRefused
from failover.services import roles
from failover.shapes import sync_progress


def start_sync(trigger: str, actor) -> SyncRun:
    """Queue a sync on this (backup) site; refuses a second one while one runs.
    Continuous syncs give way: a queued one becomes this one, and a running
    one finishes first."""
    site = SiteState.load()
    if not site.is_backup:
        raise Refused("Only the backup site pulls a data sync.")
    active = list(SyncRun.objects.active())
    if any(run.trigger != SyncRun.Trigger.CONTINUOUS for run in active):
        raise roles.refused(SYNC_RUNNING)
    fields = {"trigger": trigger, "actor": actor_name(actor), "source": site.peer_address}
    queued = next((run for run in active if run.status == SyncRun.Status.QUEUED), None)
    if queued and SyncRun.objects.queued().filter(pk=queued.pk).update(**fields):
        return SyncRun.objects.get(pk=queued.pk)
    run = _queue(**fields)
    if run is None:
        raise roles.refused(SYNC_RUNNING)
    return run


def _queue(**fields) -> SyncRun | None:
    """A new queued run, or None if one is queued already."""
    try:
        with transaction.atomic():
            run = SyncRun.objects.create(**fields)
            dispatch.enqueue_on_commit("run_sync", run.pk)
    except IntegrityError:
        return None
    return run


def queue_continuous() -> SyncRun | None:
    """A continuous sync, unless one is queued already (at most one runs and
    one waits)."""
    site = SiteState.load()
    if not site.is_backup:
        return None
    return _queue(trigger=SyncRun.Trigger.CONTINUOUS, source=site.peer_address)


@dataclass(frozen=True)
class SyncStarted:
    run_id: int
    on_this_site: bool

    @property
    def message(self) -> str:
        if self.on_this_site:
            return f"Data sync #{self.run_id} started."
        return f"The backup started data sync #{self.run_id}."


def sync_now(actor, *, peer=None) -> SyncStarted:
    """Sync now, from either site: the backup starts one, the primary asks the backup."""
    site = roles.require(Action.SYNC_NOW)
    if site.is_backup:
        return SyncStarted(start_sync(SyncRun.Trigger.MANUAL, actor).pk, True)
    peer = peer or PeerClient.for_peer(site)
    try:
        answer = peer.call("POST", "sync/request", payload={"actor": actor_name(actor)})
        return SyncStarted(int(answer["run_id"]), False)
    except PeerRefused as e:
        raise Refused(f"The backup refused: {e}", code=e.code) from None
    except PeerError as e:
        raise Refused(f"Could not ask the backup to sync: {e}", 502) from None
    except (KeyError, TypeError, ValueError):
        raise Refused("The backup's answer named no sync.", 502) from None


def sync_outcome(started: SyncStarted, *, peer=None) -> dict | None:
    """The run's progress (``shapes.sync_progress``), wherever it runs; None
    while the backup cannot be asked."""
    if started.on_this_site:
        return sync_progress(SyncRun.objects.filter(pk=started.run_id).first())
    try:
        report = (peer or PeerClient.for_peer(SiteState.load())).status()
    except PeerError:
        return None
    for key in ("running_sync", "last_sync"):
        if report.get(key) and report[key]["id"] == started.run_id:
            return report[key]
    return None


def accept_sync_request(payload, primary_name: str) -> SyncRun:
    """The primary's Sync now, or the sync-first step of a swap it runs (peer
    endpoint ``sync/request``)."""
    payload = payload if isinstance(payload, dict) else {}
    site = SiteState.load()
    for_swap = site.swap_in_progress and str(site.swap_lock) == str(payload.get("for_swap"))
    if not for_swap:
        roles.require(Action.SYNC_NOW, site)
    actor = f"{payload.get('actor') or 'someone'} on {primary_name}"
    trigger = SyncRun.Trigger.SWAP if for_swap else SyncRun.Trigger.PEER
    return start_sync(trigger, actor[:150])


def start_if_due() -> str:
    """The automatic interval (beat task): start a sync when one is due."""
    site = SiteState.load()
    backup_settings = BackupSettings.load()
    last_success = SyncRun.objects.last_succeeded()
    last_attempt = SyncRun.objects.first()
    due = automatic_sync_due(
        is_backup=site.is_backup,
        backup_operations=backup_settings.backup_operations_enabled,
        interval_minutes=backup_settings.sync_interval,
        last_success_at=last_success.finished_at if last_success else None,
        last_attempt_at=last_attempt.created_at if last_attempt else None,
        sync_active=SyncRun.objects.active().exists(),
        now=timezone.now(),
    )
    if not due:
        return "no sync due"
    try:
        return f"started sync #{start_sync(SyncRun.Trigger.SCHEDULE, None).pk}"
    except Refused as e:
        return str(e)

"""Starting, running and watching data syncs (the backup pulls)."""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from failover import dispatch
from failover.domain.event_kinds import EventKind
from failover.domain.preconditions import SYNC_RUNNING, Action
from failover.domain.sync_schedule import automatic_sync_due
from failover.errors import Refused
from failover.models import BackupSettings, SiteState, StatusEvent, SyncRun
from failover.models.events import actor_name
from failover.peer.client import PeerClient, PeerError, PeerRefused
from failover.services import diverged, roles
from failover.shapes import sync_progress
from failover.sync.engine import Sync
from failover.sync.outcome import Counters, SyncFailed
from failover.sync.paths import Limits
from failover.sync.source import PeerSource
from failover.sync.store import CopyStore
from failover.sync.throttle import Throttle

log = logging.getLogger(__name__)

STALE_RUNNING = 120  # seconds without progress before a running sync is presumed dead
STALE_QUEUED = 600
KEEP_CONTINUOUS_RUNS = 500


def _size(count: int) -> str:
    return filesizeformat(count).replace("\xa0", " ")


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


class _Progress:
    """Writes a run's counters to its row, for the page's live progress."""

    def __init__(self, run_id: int):
        self.run_id = run_id

    def __call__(self, counters: Counters) -> None:
        SyncRun.objects.filter(pk=self.run_id).update(
            files_total=counters.files_total,
            bytes_total=counters.bytes_total,
            files_done=counters.files_done,
            bytes_done=counters.bytes_done,
            bytes_transferred=counters.bytes_transferred,
            files_fetched=counters.files_fetched,
            heartbeat_at=timezone.now(),
        )


def _finish(run_id: int, **fields) -> bool:
    return bool(
        SyncRun.objects.active().filter(pk=run_id).update(finished_at=timezone.now(), **fields)
    )


def execute(run_id: int) -> str:
    """Run a queued sync (the task's body). Returns a one-line summary."""
    now = timezone.now()
    try:
        with transaction.atomic():
            claimed = SyncRun.objects.filter(pk=run_id, status=SyncRun.Status.QUEUED).update(
                status=SyncRun.Status.RUNNING, started_at=now, heartbeat_at=now
            )
    except IntegrityError:
        return f"sync #{run_id} waits for the running one, which starts it when it ends"
    if not claimed:
        return f"sync #{run_id} is not queued any more"
    try:
        return _execute(SyncRun.objects.get(pk=run_id))
    finally:
        queued = SyncRun.objects.queued().first()
        if queued:
            dispatch.enqueue("run_sync", queued.pk)


def _execute(run: SyncRun) -> str:
    site = SiteState.load()
    quiet = run.trigger == SyncRun.Trigger.CONTINUOUS
    if not quiet:
        StatusEvent.record(
            EventKind.SYNC_STARTED,
            f"Data sync #{run.pk} started ({run.get_trigger_display()}).",
            actor=run.actor,
            run=run.pk,
        )
    try:
        if not site.is_backup:
            raise SyncFailed("this site is not the backup any more")
        previous = SyncRun.objects.last_succeeded()
        result = Sync(
            PeerSource.for_peer(site),
            CopyStore(settings.FAILOVER_DATA_DIR),
            run_id=run.pk,
            throttle=Throttle(BackupSettings.load().bandwidth_limit_bytes_per_second),
            report_progress=_Progress(run.pk),
            parallel=settings.FAILOVER_SYNC_PARALLEL,
            last_database_digest=previous.database_digest if previous else "",
            # Only continuous syncs trust the version; the others list
            # everything, as the safety net.
            known_version=previous.data_version if previous and quiet else "",
            before_replacing=diverged.keep_if_lost,
            limits=Limits(
                entries=settings.FAILOVER_SYNC_MAX_ENTRIES,
                depth=settings.FAILOVER_SYNC_MAX_DEPTH,
                name_bytes=settings.FAILOVER_SYNC_MAX_NAME_BYTES,
            ),
        ).run()
    except SyncFailed as e:
        return fail(run.pk, str(e))
    except Exception as e:  # anything unforeseen still ends the run and says why
        log.exception("sync #%s crashed", run.pk)
        return fail(run.pk, f"unexpected error: {e}")
    _finish(
        run.pk,
        status=SyncRun.Status.SUCCEEDED,
        database_digest=result.database_digest,
        data_version=result.data_version,
    )
    run.refresh_from_db()
    _tell_delivered(site, result)
    counters = result.counters
    if quiet:
        return f"Continuous sync #{run.pk}: {counters.files_fetched} files fetched."
    message = (
        f"Data sync #{run.pk} succeeded: {counters.files_total} files "
        f"({_size(counters.bytes_total)}); {counters.files_fetched} fetched, "
        f"{_size(counters.bytes_transferred)} transferred in {run.duration:.1f} s."
    )
    StatusEvent.record(
        EventKind.SYNC_SUCCEEDED,
        message,
        actor=run.actor,
        run=run.pk,
        files=counters.files_total,
        fetched=counters.files_fetched,
        bytes=counters.bytes_transferred,
        duration=run.duration,
    )
    return message


def _tell_delivered(site: SiteState, result) -> None:
    """Tell the primary which version this site now holds (its lag and its
    baseline for diverged copies); best effort: the next sync tells again."""
    if not result.data_version:
        return
    payload = {"version": result.data_version, "database_digest": result.database_digest}
    try:
        PeerClient.for_peer(site).call("POST", "sync/delivered", payload=payload)
    except PeerError as e:
        log.info("could not tell the primary what this site holds: %s", e)


def fail(run_id: int, reason: str) -> str:
    if not _finish(run_id, status=SyncRun.Status.FAILED, error=reason):
        return f"sync #{run_id} had already ended"
    message = f"Data sync #{run_id} failed: {reason}"
    StatusEvent.record(EventKind.SYNC_FAILED, message, run=run_id, reason=reason)
    return message


def fail_interrupted(reason: str, **filters) -> list[str]:
    return [fail(run.pk, reason) for run in SyncRun.objects.active().filter(**filters)]


def reap_stale_runs() -> list[str]:
    """Runs whose worker died (no progress for minutes) or that were never picked up."""
    now = timezone.now()
    return fail_interrupted(
        "the worker stopped making progress (it was probably killed)",
        status=SyncRun.Status.RUNNING,
        heartbeat_at__lt=now - timedelta(seconds=STALE_RUNNING),
    ) + fail_interrupted(
        "no worker picked the sync up",
        status=SyncRun.Status.QUEUED,
        created_at__lt=now - timedelta(seconds=STALE_QUEUED),
    )


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


def forget_old_continuous_runs(keep: int = KEEP_CONTINUOUS_RUNS) -> int:
    """Continuous syncs come by the thousand: keep the newest few (and the
    last success, whose versions the next sync starts from)."""
    old = SyncRun.objects.finished().filter(trigger=SyncRun.Trigger.CONTINUOUS)[keep:]
    last = SyncRun.objects.last_succeeded()
    doomed = SyncRun.objects.filter(pk__in=list(old.values_list("pk", flat=True)))
    count, _ = doomed.exclude(pk=last.pk if last else None).delete()
    return count

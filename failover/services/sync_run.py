"""Running a queued sync (the worker's task), ending it, and forgetting
old runs."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from failover import dispatch
from failover.domain.event_kinds import EventKind
from failover.models import BackupSettings, SiteState, StatusEvent, SyncRun
from failover.peer.client import PeerClient, PeerError
from failover.services import diverged
from failover.sync.engine import Sync
from failover.sync.outcome import Counters, SyncFailed
from failover.sync.paths import Limits
from failover.sync.source import PeerSource
from failover.sync.store import CopyStore
from failover.sync.throttle import Throttle

log = logging.getLogger(__name__)

TRUSTING_THE_WATCH = (SyncRun.Trigger.CONTINUOUS, SyncRun.Trigger.MANUAL, SyncRun.Trigger.PEER)
STALE_RUNNING = 120  # seconds without progress before a running sync is presumed dead
STALE_QUEUED = 600
KEEP_CONTINUOUS_RUNS = 500


def _size(count: int) -> str:
    return filesizeformat(count).replace("\xa0", " ")


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
    trusts_watch = run.trigger in TRUSTING_THE_WATCH
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
            # Continuous syncs and Sync now trust the primary's watch (one
            # round trip when nothing changed; a Sync now also checks the
            # copy here is whole). The interval sync, the safety net, and a
            # swap's sync list everything.
            known_version=previous.data_version if previous and trusts_watch else "",
            check_copy=not quiet,
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
    message = _succeed(run, result)
    _tell_delivered(site, result)
    return message


def _succeed(run: SyncRun, result) -> str:
    """End the run and record its event at once: whoever sees the run ended
    finds the event too."""
    counters = result.counters
    with transaction.atomic():
        _finish(
            run.pk,
            status=SyncRun.Status.SUCCEEDED,
            database_digest=result.database_digest,
            data_version=result.data_version,
        )
        run.refresh_from_db()
        if run.trigger == SyncRun.Trigger.CONTINUOUS:
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
    message = f"Data sync #{run_id} failed: {reason}"
    with transaction.atomic():  # the run ended and its event, seen together
        if not _finish(run_id, status=SyncRun.Status.FAILED, error=reason):
            return f"sync #{run_id} had already ended"
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


def forget_old_continuous_runs(keep: int = KEEP_CONTINUOUS_RUNS) -> int:
    """Continuous syncs come by the thousand: keep the newest few (and the
    last success, whose versions the next sync starts from)."""
    old = SyncRun.objects.finished().filter(trigger=SyncRun.Trigger.CONTINUOUS)[keep:]
    last = SyncRun.objects.last_succeeded()
    doomed = SyncRun.objects.filter(pk__in=list(old.values_list("pk", flat=True)))
    count, _ = doomed.exclude(pk=last.pk if last else None).delete()
    return count

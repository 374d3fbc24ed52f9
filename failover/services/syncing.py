"""Starting, running and watching data syncs (the backup pulls)."""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from failover.domain.sync_schedule import automatic_sync_due
from failover.models import BackupSettings, SiteState, StatusEvent, SyncRun
from failover.models.events import actor_name
from failover.peer.client import PeerClient, PeerError, PeerRefused
from failover.services import Refused, roles
from failover.status import sync_progress
from failover.sync.engine import Counters, Sync, SyncFailed
from failover.sync.source import PeerSource
from failover.sync.store import CopyStore
from failover.sync.throttle import Throttle

log = logging.getLogger(__name__)

BUSY = "A sync is already running."
STALE_RUNNING = 120  # seconds without progress before a running sync is presumed dead
STALE_QUEUED = 600


class SyncRefused(Refused):
    pass


def _size(count: int) -> str:
    return filesizeformat(count).replace("\xa0", " ")


def start_sync(trigger: str, actor) -> SyncRun:
    """Queue a sync on this (backup) site; refuses a second one while one runs."""
    site = SiteState.load()
    if not site.is_backup:
        raise SyncRefused("Only the backup site pulls a data sync.")
    try:
        with transaction.atomic():
            run = SyncRun.objects.create(
                trigger=trigger, actor=actor_name(actor), source=site.peer_address
            )
            from failover.tasks import run_sync  # the tasks module imports this one

            transaction.on_commit(lambda: run_sync.delay(run.pk))
    except IntegrityError:
        raise SyncRefused(BUSY, code="busy") from None
    return run


@dataclass(frozen=True)
class SyncStarted:
    run_id: int
    on_this_site: bool

    @property
    def message(self) -> str:
        if self.on_this_site:
            return f"Data sync #{self.run_id} started."
        return f"The backup started data sync #{self.run_id}."


def sync_now(actor) -> SyncStarted:
    """Sync now, from either site: the backup starts one, the primary asks the backup."""
    site = roles.refuse_during_swap()
    if not site.in_relationship:
        raise SyncRefused("This site is in no failover relationship.")
    if site.is_backup:
        return SyncStarted(start_sync(SyncRun.Trigger.MANUAL, actor).pk, True)
    try:
        answer = PeerClient.for_peer(site).call(
            "POST", "sync/request", payload={"actor": actor_name(actor)}
        )
    except PeerRefused as e:
        raise SyncRefused(f"The backup refused: {e}") from None
    except PeerError as e:
        raise SyncRefused(f"Could not ask the backup to sync: {e}", 502) from None
    return SyncStarted(int(answer["run_id"]), False)


def sync_outcome(started: SyncStarted) -> dict | None:
    """The run's progress (``status.sync_progress``), wherever it runs; None
    while the backup cannot be asked."""
    if started.on_this_site:
        return sync_progress(SyncRun.objects.filter(pk=started.run_id).first())
    try:
        report = PeerClient.for_peer(SiteState.load()).status()
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
        roles.refuse_during_swap(site)
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
        SyncRun.objects.filter(pk=run_id, active=True).update(
            active=None, finished_at=timezone.now(), **fields
        )
    )


def execute(run_id: int) -> str:
    """Run a queued sync (the task's body). Returns a one-line summary."""
    now = timezone.now()
    claimed = SyncRun.objects.filter(pk=run_id, status=SyncRun.Status.QUEUED).update(
        status=SyncRun.Status.RUNNING, started_at=now, heartbeat_at=now
    )
    if not claimed:
        return f"sync #{run_id} is not queued any more"
    run = SyncRun.objects.get(pk=run_id)
    site = SiteState.load()
    StatusEvent.record(
        "sync_started",
        f"Data sync #{run.pk} started ({run.get_trigger_display()}).",
        actor=run.actor,
        run=run.pk,
    )
    try:
        if not site.is_backup:
            raise SyncFailed("this site is not the backup any more")
        previous = SyncRun.objects.filter(status=SyncRun.Status.SUCCEEDED).first()
        result = Sync(
            PeerSource.for_peer(site),
            CopyStore(settings.FAILOVER_DATA_DIR),
            run_id=run.pk,
            throttle=Throttle(BackupSettings.load().bandwidth_limit_bytes_per_second),
            report_progress=_Progress(run.pk),
            parallel=settings.FAILOVER_SYNC_PARALLEL,
            last_database_digest=previous.database_digest if previous else "",
        ).run()
    except SyncFailed as e:
        return fail(run.pk, str(e))
    except Exception as e:  # anything unforeseen still ends the run and says why
        log.exception("sync #%s crashed", run.pk)
        return fail(run.pk, f"unexpected error: {e}")
    _finish(run.pk, status=SyncRun.Status.SUCCEEDED, database_digest=result.database_digest)
    run.refresh_from_db()
    counters = result.counters
    message = (
        f"Data sync #{run.pk} succeeded: {counters.files_total} files "
        f"({_size(counters.bytes_total)}); {counters.files_fetched} fetched, "
        f"{_size(counters.bytes_transferred)} transferred in {run.duration:.1f} s."
    )
    StatusEvent.record(
        "sync_succeeded",
        message,
        actor=run.actor,
        run=run.pk,
        files=counters.files_total,
        fetched=counters.files_fetched,
        bytes=counters.bytes_transferred,
        duration=run.duration,
    )
    return message


def fail(run_id: int, reason: str) -> str:
    if not _finish(run_id, status=SyncRun.Status.FAILED, error=reason):
        return f"sync #{run_id} had already ended"
    message = f"Data sync #{run_id} failed: {reason}"
    StatusEvent.record("sync_failed", message, run=run_id, reason=reason)
    return message


def fail_interrupted(reason: str, **filters) -> list[str]:
    return [fail(run.pk, reason) for run in SyncRun.objects.filter(active=True, **filters)]


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
    last_success = SyncRun.objects.filter(status=SyncRun.Status.SUCCEEDED).first()
    last_attempt = SyncRun.objects.first()
    due = automatic_sync_due(
        is_backup=site.is_backup,
        backup_operations=backup_settings.backup_operations_enabled,
        interval_minutes=backup_settings.sync_interval,
        last_success_at=last_success.finished_at if last_success else None,
        last_attempt_at=last_attempt.created_at if last_attempt else None,
        sync_active=SyncRun.objects.filter(active=True).exists(),
        now=timezone.now(),
    )
    if not due:
        return "no sync due"
    try:
        return f"started sync #{start_sync(SyncRun.Trigger.SCHEDULE, None).pk}"
    except SyncRefused as e:
        return str(e)

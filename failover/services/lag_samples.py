"""The backup's lag, sampled by the default queue's heartbeat (every 15 s) for
the Failover page's lag chart, and kept for RETENTION."""

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from failover.models import LagSample, PeerStatus, SiteState, SyncRun

RETENTION = timedelta(days=8)


def current_lag_seconds(now: datetime | None = None) -> float | None:
    """Seconds since the data of the backup's last successful sync was taken
    (None when not paired or never synced). The one place the lag is defined:
    continuous sync will give it a finer meaning here."""
    site = SiteState.load()
    if not site.in_relationship:
        return None
    if site.is_primary:
        # The backup's syncs, as its last status report told them.
        last = PeerStatus.load().report.get("last_sync") or {}
        ok = last.get("status") == SyncRun.Status.SUCCEEDED and last.get("started")
        taken = parse_datetime(last["started"]) if ok else None
    else:
        run = SyncRun.objects.last_succeeded()
        taken = run.started_at if run else None
    if taken is None:
        return None
    return max(0.0, ((now or timezone.now()) - taken).total_seconds())


def sample_and_prune(now: datetime | None = None) -> str:
    """Record the lag now, and forget samples older than RETENTION."""
    now = now or timezone.now()
    lag = current_lag_seconds(now)
    LagSample.objects.create(time=now, lag_seconds=lag)
    pruned, _ = LagSample.objects.filter(time__lt=now - RETENTION).delete()
    return f"lag {'unknown' if lag is None else f'{lag:.1f} s'}; {pruned} old samples pruned"


def samples_between(start: datetime, end: datetime) -> list[tuple[datetime, float | None]]:
    return list(
        LagSample.objects.filter(time__gte=start, time__lt=end)
        .order_by("time")
        .values_list("time", "lag_seconds")
    )

"""The backup's lag (sync/changes.py), sampled by the default queue's
heartbeat (every 15 s) for the Failover page's lag chart, and kept for
RETENTION."""

from datetime import datetime, timedelta

from django.utils import timezone

from failover.models import LagSample, SiteState
from failover.sync import changes

RETENTION = timedelta(days=8)


def sample_and_prune(now: datetime | None = None) -> str:
    """Record the lag now, and forget samples older than RETENTION."""
    now = now or timezone.now()
    lag = changes.backup_lag_seconds(SiteState.load())
    LagSample.objects.create(time=now, lag_seconds=lag)
    pruned, _ = LagSample.objects.filter(time__lt=now - RETENTION).delete()
    return f"lag {'unknown' if lag is None else f'{lag:.1f} s'}; {pruned} old samples pruned"


def samples_between(start: datetime, end: datetime) -> list[tuple[datetime, float | None]]:
    return list(
        LagSample.objects.filter(time__gte=start, time__lt=end)
        .order_by("time")
        .values_list("time", "lag_seconds")
    )

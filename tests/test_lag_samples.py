"""The backup's lag: how it is computed, sampled by the heartbeat, and pruned."""

from datetime import timedelta

import pytest
from django.utils import timezone

from failover.domain.roles import Role
from failover.models import LagSample, PeerStatus, SyncRun
from failover.services.lag_samples import (
    RETENTION,
    current_lag_seconds,
    sample_and_prune,
    samples_between,
)
from failover.tasks import heartbeat
from tests.fixtures.fake_peer import paired_site

pytestmark = pytest.mark.django_db


def _sync(status, started_ago, **fields):
    now = timezone.now()
    return SyncRun.objects.create(
        trigger="schedule",
        status=status,
        started_at=now - timedelta(seconds=started_ago),
        finished_at=now - timedelta(seconds=started_ago - 1),
        **fields,
    )


def test_a_standalone_site_has_no_lag():
    _sync("succeeded", 30)
    assert current_lag_seconds() is None


def test_a_backup_that_never_synced_has_no_lag():
    paired_site(Role.BACKUP)
    _sync("failed", 30)
    assert current_lag_seconds() is None


def test_the_backups_lag_counts_from_the_start_of_its_last_successful_sync():
    paired_site(Role.BACKUP)
    _sync("succeeded", 100)
    _sync("failed", 20)
    assert current_lag_seconds() == pytest.approx(100, abs=2)


def test_the_primary_reads_the_lag_from_the_backups_last_report():
    paired_site(Role.PRIMARY)
    started = timezone.now() - timedelta(seconds=42)
    report = {"last_sync": {"status": "succeeded", "started": started.isoformat()}}
    PeerStatus.start_watching(report)
    assert current_lag_seconds() == pytest.approx(42, abs=2)


def test_the_primary_knows_no_lag_when_the_backups_last_sync_failed():
    paired_site(Role.PRIMARY)
    PeerStatus.start_watching({"last_sync": {"status": "failed", "started": None}})
    assert current_lag_seconds() is None


def test_each_heartbeat_records_a_sample_and_prunes_the_old_ones():
    now = timezone.now()
    LagSample.objects.create(time=now - RETENTION - timedelta(minutes=1), lag_seconds=5)
    kept = LagSample.objects.create(time=now - RETENTION + timedelta(minutes=1), lag_seconds=6)
    paired_site(Role.BACKUP)
    _sync("succeeded", 10)
    summary = heartbeat.apply(queue="default").get()
    assert "1 old samples pruned" in summary
    samples = list(LagSample.objects.order_by("time"))
    assert samples[0] == kept
    assert len(samples) == 2
    assert samples[1].lag_seconds == pytest.approx(10, abs=2)


def test_a_sample_without_a_lag_is_recorded_as_unknown():
    assert sample_and_prune().startswith("lag unknown")
    assert LagSample.objects.get().lag_seconds is None


def test_samples_between_reads_the_window_oldest_first():
    now = timezone.now()
    for minutes, lag in ((90, 1.0), (30, 2.0), (10, None)):
        LagSample.objects.create(time=now - timedelta(minutes=minutes), lag_seconds=lag)
    window = samples_between(now - timedelta(hours=1), now)
    assert [lag for _, lag in window] == [2.0, None]

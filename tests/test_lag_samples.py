"""The backup's lag: how it is computed, sampled by the heartbeat, and pruned."""

from datetime import timedelta

import pytest
from django.utils import timezone

from failover.domain.roles import Role
from failover.models import DataChange, LagSample, PeerStatus
from failover.services.lag_samples import RETENTION, sample_and_prune, samples_between
from failover.sync import changes
from failover.tasks import heartbeat
from tests.fixtures.fake_peer import paired_site

pytestmark = pytest.mark.django_db


def test_a_standalone_site_has_no_lag():
    assert sample_and_prune().startswith("lag unknown")


def test_the_backup_samples_the_lag_its_primary_reported():
    paired_site(Role.BACKUP)
    PeerStatus.objects.update_or_create(
        pk=1, defaults={"reachable": True, "report": {"sync_lag_seconds": 42.0}}
    )
    assert sample_and_prune().startswith("lag 42.0 s")


def test_the_primary_samples_the_age_of_the_oldest_change_the_backup_lacks():
    paired_site(Role.PRIMARY)
    change = changes.record(DataChange.Source.FILES)
    DataChange.objects.filter(pk=change).update(at=timezone.now() - timedelta(seconds=10))
    sample_and_prune()
    assert LagSample.objects.get().lag_seconds == pytest.approx(10, abs=2)


def test_each_heartbeat_records_a_sample_and_prunes_the_old_ones():
    now = timezone.now()
    LagSample.objects.create(time=now - RETENTION - timedelta(minutes=1), lag_seconds=5)
    kept = LagSample.objects.create(time=now - RETENTION + timedelta(minutes=1), lag_seconds=6)
    paired_site(Role.PRIMARY)
    change = changes.record(DataChange.Source.FILES)
    DataChange.objects.filter(pk=change).update(at=timezone.now() - timedelta(seconds=10))
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

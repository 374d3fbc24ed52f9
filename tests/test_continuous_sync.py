"""Continuous sync in process: the primary's numbered changes, the backup's
queue (one running, one waiting), the lag, and the peer calls between them."""

import time
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.utils import timezone

from failover.domain.peer_report import report_problem
from failover.domain.roles import Role
from failover.models import (
    BackupSettings,
    DataChange,
    Delivery,
    InterSiteKey,
    PeerStatus,
    SiteState,
    SyncRun,
)
from failover.services import continuous, roles, sync_run, syncing
from failover.shapes import site_status, status_report
from failover.sync import changes
from tests.fixtures.peer import signed_headers

KEY = "k" * 40


def _version(change: int) -> str:
    site = SiteState.load()
    return f"{site.site_id}:{site.epoch}:{change}"


def test_a_version_names_this_site_its_epoch_and_its_last_change(primary_here):
    first = changes.record(DataChange.Source.FILES)
    assert changes.current_version() == _version(first)
    second = changes.record(DataChange.Source.ROWS)
    assert changes.current_version() == _version(second)
    site = SiteState.load()
    assert changes.parse_version(_version(second), site) == second
    other_epoch = f"{site.site_id}:{site.epoch + 1}:{second}"
    for foreign in (other_epoch, f"00000000-0000-0000-0000-000000000000:1:{second}", "x", 7, None):
        assert changes.parse_version(foreign, site) is None


def test_the_lag_is_the_age_of_the_oldest_change_the_backup_lacks(primary_here):
    assert changes.lag_seconds() == 0
    old = changes.record(DataChange.Source.FILES)
    DataChange.objects.filter(pk=old).update(at=timezone.now() - timedelta(seconds=30))
    newer = changes.record(DataChange.Source.FILES)
    assert 29 < changes.lag_seconds() < 40
    assert changes.mark_delivered(_version(old))
    assert changes.lag_seconds() < 5
    assert changes.mark_delivered(_version(newer))
    assert changes.lag_seconds() == 0
    # Older or foreign versions change nothing; the numbering goes on.
    assert not changes.mark_delivered(_version(old))
    assert not changes.mark_delivered(_version(newer + 5))
    assert changes.record(DataChange.Source.ROWS) > newer
    assert Delivery.load().change == newer


def test_the_backup_repeats_the_lag_its_primary_reported(backup_here):
    PeerStatus.objects.update_or_create(
        pk=1, defaults={"reachable": True, "report": {"sync_lag_seconds": 4.5}}
    )
    assert site_status()["sync_lag_seconds"] == 4.5
    PeerStatus.objects.filter(pk=1).update(reachable=False)
    assert site_status()["sync_lag_seconds"] is None


def test_the_status_report_carries_version_and_lag_and_they_are_checked(primary_here):
    report = status_report()
    assert report["data_version"] == changes.current_version()
    assert report["sync_lag_seconds"] == 0
    assert report_problem(report) is None
    for bad in ({"sync_lag_seconds": "soon"}, {"sync_lag_seconds": -1}, {"data_version": 5}):
        assert report_problem({**report, **bad})


def test_a_primary_numbers_changes_and_tells_the_backup(primary_here):
    fake = primary_here
    outcome = continuous.files_changed(peer=fake)
    assert fake.pending == [changes.current_version()]
    assert "backup told" in outcome


def test_with_continuous_sync_off_changes_are_numbered_but_not_announced(primary_here):
    BackupSettings.objects.filter(pk=BackupSettings.load().pk).update(continuous_sync=False)
    before = changes.current_version()
    continuous.files_changed(peer=primary_here)
    assert primary_here.pending == []
    assert changes.current_version() != before


def test_an_unreachable_backup_is_no_failure(primary_here):
    primary_here.down()
    assert "backup not told" in continuous.files_changed(peer=primary_here)


def test_a_backup_does_not_number_changes(backup_here):
    before = changes.current_version()
    assert continuous.files_changed(peer=backup_here) == "not the primary"
    User.objects.create_user("synced-in")
    assert changes.current_version() == before


def test_saving_a_replicated_row_on_the_primary_is_a_change(primary_here):
    before = changes.current_version()
    user = User.objects.create_user("dave")
    assert changes.current_version() != before
    after = changes.current_version()
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])  # bookkeeping, not a write
    assert changes.current_version() == after


def test_an_announcement_queues_one_continuous_sync_at_most(
    backup_here, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks():
        assert continuous.accept_pending({"version": "v1"}) == {"queued": True}
        assert continuous.accept_pending({"version": "v2"}) == {"queued": False}
    [run] = SyncRun.objects.all()
    assert run.trigger == SyncRun.Trigger.CONTINUOUS and run.status == SyncRun.Status.QUEUED


def test_an_announcement_of_what_the_backup_holds_queues_nothing(backup_here):
    SyncRun.objects.create(trigger="continuous", status="succeeded", data_version="v1")
    assert continuous.accept_pending({"version": "v1"}) == {"queued": False}
    for junk in (None, [], {"version": 3}):
        assert continuous.accept_pending(junk) == {"queued": False}


@pytest.mark.parametrize("setting", ["continuous_sync", "backup_operations_enabled"])
def test_a_backup_with_the_setting_off_ignores_announcements(backup_here, setting):
    BackupSettings.objects.filter(pk=BackupSettings.load().pk).update(**{setting: False})
    assert continuous.accept_pending({"version": "v1"}) == {"queued": False}


def test_a_queued_continuous_sync_waits_for_the_running_one(backup_here):
    running = SyncRun.objects.create(trigger="continuous", status="running")
    queued = syncing.queue_continuous()
    assert "waits for the running one" in sync_run.execute(queued.pk)
    queued.refresh_from_db()
    assert queued.status == SyncRun.Status.QUEUED
    assert running.pk != queued.pk


def test_sync_now_takes_over_a_waiting_continuous_sync(backup_here):
    SyncRun.objects.create(trigger="continuous", status="running")
    waiting = syncing.queue_continuous()
    run = syncing.start_sync(SyncRun.Trigger.MANUAL, None)
    assert run.pk == waiting.pk and run.trigger == SyncRun.Trigger.MANUAL
    with pytest.raises(Exception, match="already running"):
        syncing.start_sync(SyncRun.Trigger.MANUAL, None)


def test_sync_now_queues_behind_a_running_continuous_sync(backup_here):
    SyncRun.objects.create(trigger="continuous", status="running")
    run = syncing.start_sync(SyncRun.Trigger.PEER, "alice on site-a")
    assert run.status == SyncRun.Status.QUEUED


def test_the_health_check_makes_up_for_a_lost_announcement(backup_here):
    site = SiteState.load()
    assert continuous.catch_up(site, {"data_version": "v9"})
    assert not continuous.catch_up(site, {"data_version": "v9"})  # one is queued already
    SyncRun.objects.all().delete()
    SyncRun.objects.create(trigger="continuous", status="succeeded", data_version="v9")
    assert not continuous.catch_up(site, {"data_version": "v9"})


def test_becoming_primary_is_a_change_the_backup_lacks(backup_here):
    site = SiteState.load()
    roles.change_role(site, Role.PRIMARY, site.epoch + 1, kind="failover", message="Took over.")
    assert DataChange.objects.filter(source=DataChange.Source.PROMOTED).exists()
    assert changes.lag_seconds() is not None


def test_old_continuous_runs_are_forgotten_but_the_last_success(backup_here):
    kept = SyncRun.objects.create(trigger="continuous", status="succeeded", data_version="v1")
    for _ in range(5):
        SyncRun.objects.create(trigger="continuous", status="failed")
    assert sync_run.forget_old_continuous_runs(keep=2) == 3
    assert SyncRun.objects.filter(pk=kept.pk).exists()
    assert SyncRun.objects.count() == 3


def test_a_continuous_sync_leaves_sync_now_enabled_on_the_page(backup_here, staff_client):
    SyncRun.objects.create(trigger="continuous", status="running")
    page = staff_client.get("/management/failover/").content.decode()
    assert "A sync is already running" not in page
    SyncRun.objects.all().delete()
    SyncRun.objects.create(trigger="manual", status="running")
    page = staff_client.get("/management/failover/").content.decode()
    assert "A sync is already running" in page


@pytest.fixture
def serving_primary(primary_here, settings, tmp_path):
    settings.FAILOVER_ALLOW_INSECURE_PEER = True
    settings.FAILOVER_DATA_DIR = tmp_path / "data"
    settings.FAILOVER_DATA_DIR.mkdir()
    InterSiteKey.objects.create(pk=1, key=KEY)
    return SiteState.load()


def _manifest(client, site, known: str) -> dict:
    path, query = "/api/peer/v1/sync/manifest", urlencode({"known": known})
    headers = signed_headers(
        KEY, "GET", path, query=query, site_id=str(site.peer_site_id), to=str(site.site_id)
    )
    return client.get(f"{path}?{query}", headers=headers).json()


def test_unchanged_is_answered_only_while_the_watch_is_alive(client, serving_primary):
    cache.delete(changes.WATCHING_KEY)
    version = changes.current_version()
    listed = _manifest(client, serving_primary, version)
    assert "files" in listed and listed["data_version"] == version
    changes.watching(time.time() + 60)
    assert _manifest(client, serving_primary, version) == {
        "version": listed["version"],
        "unchanged": True,
        "data_version": version,
    }
    assert "files" in _manifest(client, serving_primary, "someone:else:1")


def test_unchanged_waits_for_the_watch_to_see_past_the_question(
    client, serving_primary, monkeypatch
):
    # A write just before the question may not be numbered yet: the watch
    # that has not read since must not let the primary say "unchanged".
    monkeypatch.setattr(changes, "CATCH_UP_WAIT", 0.1)
    version = changes.current_version()
    changes.watching(time.time() - 1)
    assert "files" in _manifest(client, serving_primary, version)


def test_the_watch_is_waited_for_only_while_it_is_alive():
    cache.delete(changes.WATCHING_KEY)
    started = time.monotonic()
    assert not changes.watched_since(time.time(), wait=5)
    assert time.monotonic() - started < 1
    changes.watching(time.time() + 0.3)
    assert changes.watched_since(time.time(), wait=0)

"""Diverged copies in process: what a former primary keeps before its data
is replaced, and the copies on the page, in the API and on the command line."""

import errno
import io
import json
import os
import tarfile
import threading
import time
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from inotify_simple import INotify

from failover.domain.roles import Role
from failover.models import BackupSettings, DataChange, DivergedCopy, SiteState, StatusEvent
from failover.services import diverged, diverged_archive, roles
from failover.sync import baseline, database, hashing
from failover.sync import watcher as watcher_module
from failover.sync.manifest import build_manifest
from failover.sync.watcher import DataWatcher
from tests.fixtures.processes import run_command


@pytest.fixture
def data(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    settings.FAILOVER_DATA_DIR = tmp_path / "data"
    settings.FAILOVER_DATA_DIR.mkdir()
    return settings.FAILOVER_DATA_DIR


def _write(root, path: str, text: str) -> None:
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text(text)


def _entries(files: dict[str, str]) -> list[dict]:
    """A manifest as the peer would send it for ``files``."""
    return [
        {
            "path": p,
            "type": "file",
            "size": len(t),
            "mtime_ns": 0,
            "digest": hashing.text_digest(t),
        }
        for p, t in files.items()
    ]


def _delivered(data) -> None:
    """The peer took this site's data and rows as they are now."""
    baseline.remember_served(1, build_manifest(data))
    baseline.confirm(1, database.digest(database.dump()))


def _left_primary(primary_here) -> SiteState:
    site = SiteState.load()
    roles.change_role(site, Role.BACKUP, 2, kind="demoted", message="Demoted by the epoch rule.")
    return SiteState.load()


@pytest.fixture
def former_primary(data, primary_here):
    _write(data, "same.txt", "same")
    _write(data, "edited.txt", "v1")
    _write(data, "gone.txt", "bye")
    _delivered(data)
    return data


def test_a_former_primary_keeps_exactly_what_it_wrote_since_the_peer_took_its_data(
    former_primary, primary_here
):
    data = former_primary
    _write(data, "new/file.txt", "fresh")
    _write(data, "edited.txt", "v2!")
    (data / "gone.txt").unlink()
    User.objects.create_user("written-here")
    site = _left_primary(primary_here)
    assert site.left_primary_epoch == 1
    incoming = _entries(
        {"same.txt": "same", "edited.txt": "v1", "gone.txt": "bye", "theirs.txt": "x"}
    )
    rows = database.dump().replace("written-here", "theirs")

    copy = diverged.keep_if_lost(incoming, rows)
    assert (copy.files_added, copy.files_changed, copy.files_deleted) == (
        ["new/file.txt"],
        ["edited.txt"],
        ["gone.txt"],
    )
    assert copy.bytes == len("fresh") + len("v2!")
    assert copy.epoch == 1 and "epoch rule" in copy.reason
    assert [key.split("#")[0] for key in copy.rows] == ["auth.user"]
    kept = diverged.folder(copy.pk)
    assert (kept / "files" / "new" / "file.txt").read_text() == "fresh"
    assert os.stat(kept / "files" / "same.txt").st_ino == os.stat(data / "same.txt").st_ino
    assert "written-here" in (kept / "rows.json").read_text()
    assert StatusEvent.objects.filter(kind="diverged_copy_kept").count() == 1
    assert SiteState.load().left_primary_epoch is None
    # Checked once: the next sync keeps nothing more.
    assert diverged.keep_if_lost(incoming, rows) is None


def test_nothing_is_kept_when_the_peer_holds_every_write(former_primary, primary_here):
    _left_primary(primary_here)
    incoming = _entries({"same.txt": "same", "edited.txt": "changed there", "theirs.txt": "x"})
    assert diverged.keep_if_lost(incoming, database.dump()) is None
    assert not DivergedCopy.objects.exists()
    assert SiteState.load().left_primary_epoch is None


def test_a_site_that_never_was_primary_keeps_nothing(data, backup_here):
    _write(data, "mine.txt", "local")
    assert diverged.keep_if_lost(_entries({}), database.dump()) is None


def test_without_a_baseline_every_difference_is_kept(data, primary_here):
    _write(data, "mine.txt", "local")
    _left_primary(primary_here)
    copy = diverged.keep_if_lost(_entries({"theirs.txt": "x"}), database.dump())
    assert copy.files_added == ["mine.txt"] and copy.files_deleted == ["theirs.txt"]


def test_only_the_newest_copies_are_kept(data, primary_here, settings):
    BackupSettings.objects.filter(pk=BackupSettings.load().pk).update(keep_diverged=2)
    made = [_keep_one(data, n) for n in range(3)]
    assert list(DivergedCopy.objects.values_list("pk", flat=True)) == [made[2].pk, made[1].pk]
    assert not diverged.folder(made[0].pk).exists()
    [dropped] = StatusEvent.objects.filter(kind="diverged_copy_dropped")
    assert f"#{made[0].pk}" in dropped.message


def _keep_one(data, n: int) -> DivergedCopy:
    _write(data, f"write-{n}.txt", "x")
    site = SiteState.load()
    SiteState.objects.filter(pk=site.pk).update(
        left_primary_epoch=n + 1, left_primary_reason="test"
    )
    return diverged.keep_if_lost(_entries({}), database.dump())


def test_the_archive_streams_the_files_and_the_rows(data, primary_here):
    _write(data, "a/b.txt", "bee")
    User.objects.create_user("in-the-copy")
    copy = _keep_one(data, 0)
    body = b"".join(diverged_archive.stream(copy))
    with tarfile.open(fileobj=io.BytesIO(body)) as tar:
        assert tar.extractfile("a/b.txt").read() == b"bee"
        rows = json.loads(tar.extractfile("rows.json").read())
        assert any(row["fields"].get("username") == "in-the-copy" for row in rows)


def test_what_a_swap_would_leave_behind(former_primary, primary_here):
    assert diverged.left_behind_note().startswith("Nothing changed since the last sync")
    _write(former_primary, "late.txt", "12345")
    assert diverged.left_behind_note() == (
        "1 files, 5 bytes changed since the last sync will be kept as a diverged copy, not moved."
    )


def test_the_page_lists_copies_and_downloads_and_deletes_them(data, primary_here, staff_client):
    copy = _keep_one(data, 0)
    page = staff_client.get("/management/failover/").content.decode()
    assert 'id="diverged"' in page and f"/management/failover/diverged/{copy.pk}/download" in page
    download = staff_client.get(f"/management/failover/diverged/{copy.pk}/download")
    assert download.status_code == 200 and download["Content-Type"] == "application/gzip"
    assert b"".join(download.streaming_content)[:2] == b"\x1f\x8b"
    assert staff_client.get("/management/failover/diverged/999/download").status_code == 404
    deleted = staff_client.post(f"/management/failover/diverged/{copy.pk}/delete")
    assert deleted.status_code == 302
    assert not DivergedCopy.objects.exists() and not diverged.folder(copy.pk).exists()
    assert StatusEvent.objects.filter(kind="diverged_copy_deleted").exists()


def test_a_viewer_may_download_but_not_delete(data, primary_here, viewer_client):
    copy = _keep_one(data, 0)
    assert viewer_client.get(f"/api/v1/diverged/{copy.pk}/download").status_code == 200
    assert viewer_client.delete(f"/api/v1/diverged/{copy.pk}").status_code == 403
    assert viewer_client.post(f"/management/failover/diverged/{copy.pk}/delete").status_code == 403
    assert DivergedCopy.objects.filter(pk=copy.pk).exists()


def test_the_api_lists_shows_downloads_and_deletes(data, primary_here, staff_client):
    copy = _keep_one(data, 0)
    [listed] = staff_client.get("/api/v1/diverged").json()["diverged"]
    assert listed["id"] == copy.pk and listed["files_added"] == 1
    assert set(listed) >= {
        "id",
        "created",
        "epoch",
        "reason",
        "files_added",
        "files_changed",
        "files_deleted",
        "bytes",
    }
    assert staff_client.get(f"/api/v1/diverged/{copy.pk}").json()["paths"]["added"] == [
        "write-0.txt"
    ]
    assert staff_client.get(f"/api/v1/diverged/{copy.pk}/download").status_code == 200
    assert staff_client.delete("/api/v1/diverged/999").status_code == 404
    assert staff_client.delete(f"/api/v1/diverged/{copy.pk}").json() == {"deleted": copy.pk}
    assert not DivergedCopy.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_command_line_lists_exports_and_deletes(data, primary_here, tmp_path):
    copy = _keep_one(data, 0)
    listed = json.loads(_failover("diverged", "list", "--json").stdout)
    assert [c["id"] for c in listed] == [copy.pk]
    archive = tmp_path / "out.tar.gz"
    assert _failover("diverged", "export", str(copy.pk), "--output", str(archive)).returncode == 0
    with tarfile.open(archive) as tar:
        assert "write-0.txt" in tar.getnames()
    bad = _failover("diverged", "export", "nope", "--output", str(archive))
    assert bad.returncode != 0 and "No diverged copy nope" in bad.stderr
    assert (
        _failover("diverged", "export", str(copy.pk), "--output", "/no/such/dir/x.tgz").returncode
        != 0
    )
    assert _failover("diverged", "delete", str(copy.pk)).returncode == 0
    assert not DivergedCopy.objects.exists()


def _failover(*args):
    return run_command("failover", *args)


def test_the_watcher_reports_bursts_and_falls_back_to_a_scan_on_overflow(tmp_path):
    root = tmp_path / "watched"
    seen: list[str] = []
    first_burst, release = threading.Event(), threading.Event()

    def on_change(source):
        seen.append(source)
        if source == DataChange.Source.FILES and not first_burst.is_set():
            first_burst.set()
            release.wait(10)  # the watch reads nothing meanwhile: the kernel's queue fills

    watcher = DataWatcher(lambda: root, on_change)
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    try:
        _wait(lambda: seen == [DataChange.Source.RESCAN], "the watch started")
        (root / "sub").mkdir()
        assert first_burst.wait(10)
        limit = int(Path("/proc/sys/fs/inotify/max_queued_events").read_text())
        # Distinct names: the kernel merges identical events in a row.
        for n in range(limit + 100):
            (root / "sub" / f"f{n}").touch()
        release.set()
        _wait(lambda: seen.count(DataChange.Source.RESCAN) >= 2, "a rescan after the overflow")
    finally:
        release.set()
        watcher.stop.set()
        thread.join(5)


class _WatchLimitReached(INotify):
    """The kernel's watch limit, reached at a folder named ``too-many``."""

    def add_watch(self, path, mask):
        if str(path).endswith("too-many"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return super().add_watch(path, mask)


def test_the_watcher_says_it_has_seen_a_write_only_once_the_write_is_numbered(tmp_path):
    root = tmp_path / "watched"
    numbered, seen_until = [], []
    watcher = DataWatcher(lambda: root, numbered.append, alive=seen_until.append)
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    try:
        _wait(lambda: seen_until, "the first read")
        (root / "new.txt").write_text("written")
        written = time.time()
        _wait(lambda: seen_until[-1] >= written, "a read begun after the write")
        assert DataChange.Source.FILES in numbered
    finally:
        watcher.stop.set()
        thread.join(5)


def test_folders_the_kernel_will_not_watch_make_the_data_count_as_changed(tmp_path, monkeypatch):
    monkeypatch.setattr(watcher_module, "UNWATCHED_RESCAN_SECONDS", 0.2)
    root = tmp_path / "watched"
    (root / "too-many").mkdir(parents=True)
    seen: list[str] = []
    watcher = DataWatcher(lambda: root, seen.append, inotify=_WatchLimitReached)
    thread = threading.Thread(target=watcher.run, daemon=True)
    thread.start()
    try:
        _wait(lambda: seen.count(DataChange.Source.RESCAN) >= 3, "rescans while unwatched")
    finally:
        watcher.stop.set()
        thread.join(5)


def _wait(condition, what: str) -> None:
    from tests.fixtures.waiting import wait_for

    wait_for(condition, 10, 0.02, what)


def test_every_way_out_of_the_primary_role_arms_the_check_and_no_other(primary_here):
    site = SiteState.load()
    assert site.change_role(Role.BACKUP, 2, reason="Fix this error: the peer's data is newer.")
    site = SiteState.load()
    assert (site.left_primary_epoch, site.left_primary_reason) == (
        1,
        "Fix this error: the peer's data is newer.",
    )
    assert site.divergence_checked() and SiteState.load().left_primary_epoch is None
    assert site.change_role(Role.PRIMARY, 3)
    assert SiteState.load().left_primary_epoch is None


def test_the_page_shows_the_lag_and_what_a_swap_would_leave_behind(
    former_primary, primary_here, staff_client
):
    _write(former_primary, "late.txt", "12345")
    page = staff_client.get("/management/failover/").content.decode()
    assert "Continuous data sync is on." in page
    assert "Without a sync first: 1 files, 5 bytes changed since the last sync" in page

"""Data sync between two live sites: complete, incremental, verified."""

import pytest
import requests

from tests.fixtures.trees import MB, listing, write_file

pytestmark = pytest.mark.sites


def _sync(primary, backup, via=None) -> dict:
    """Sync now (from ``via``, the backup by default), wait; the finished run."""
    site = via or backup
    done = site.manage("failover", "sync-now", "--wait", check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return backup.status()


def _last_run(site) -> dict:
    return site.events("sync_succeeded")[0]["details"]


def _make_tree(root):
    write_file(root / "big.bin", 101 * MB)
    write_file(root / "a" / "b" / "c" / "deep.txt", 1000)
    write_file(root / "a" / "sibling.dat", 200_000)
    (root / "empty.txt").write_bytes(b"")
    (root / "a" / "b" / "empty-too").write_bytes(b"")
    (root / "empty-folder").mkdir()
    for i in range(20):
        write_file(root / "many" / f"f{i:02}.txt", 5000 + i)


def test_first_sync_then_only_changes_travel(paired):
    primary, backup = paired[0], paired[1]
    _make_tree(primary.data_dir)
    status = _sync(primary, backup)
    assert status["last_data_sync_status"] == "succeeded"
    assert listing(backup.data_dir) == listing(primary.data_dir)
    assert backup.data_dir.is_symlink()
    first = _last_run(backup)
    assert first["files"] == 25 and first["fetched"] == 25
    assert first["bytes"] >= 101 * MB

    # Change one file, add one, delete one: only those bytes travel.
    write_file(primary.data_dir / "a" / "sibling.dat", 200_000, seed=1)
    write_file(primary.data_dir / "new" / "added.bin", 300_000)
    (primary.data_dir / "many" / "f03.txt").unlink()
    _sync(primary, backup)
    assert listing(backup.data_dir) == listing(primary.data_dir)
    second = _last_run(backup)
    assert second["fetched"] == 2
    assert second["bytes"] == 200_000 + 300_000

    # Nothing changed: nothing travels, and the copy stays the same.
    current = backup.data_dir.resolve()
    _sync(primary, backup)
    assert _last_run(backup)["bytes"] == 0
    assert backup.data_dir.resolve() == current
    copies = [p.name for p in backup.data_dir.parent.glob("data.copies/copy-*") if p.is_dir()]

    assert len(copies) == 1, copies


def test_sync_now_from_the_primary(paired):
    primary, backup = paired[0], paired[1]
    write_file(primary.data_dir / "report.pdf", 50_000)
    done = primary.manage("failover", "sync-now", "--wait")
    assert "The backup started data sync" in done.stdout
    assert "succeeded" in done.stdout
    assert listing(backup.data_dir) == listing(primary.data_dir)
    assert backup.events("sync_succeeded")[0]["actor"].endswith("on site-a")


def test_sync_now_through_the_pages(paired):
    primary, backup = paired[0], paired[1]
    write_file(primary.data_dir / "one.txt", 10)
    response = primary.post_form(primary.session(), "/management/failover/sync-now", {})
    assert response.status_code == 302
    backup.wait_status(lambda s: s["last_data_sync_status"] == "succeeded", timeout=30)
    response = backup.post_form(backup.session(), "/management/failover/sync-now", {})
    assert response.status_code == 302
    backup.wait_status(lambda s: len(backup.events("sync_succeeded")) == 2, timeout=30)


def test_a_second_sync_request_while_one_runs_is_refused(paired):
    primary, backup = paired[0], paired[1]
    write_file(primary.data_dir / "big.bin", 40 * MB)
    backup.manage("failover", "settings", "--bandwidth-limit", "40")  # ~8 s
    first = backup.api("POST", "failover/sync-now")
    assert first.status_code == 202
    backup.wait_status(lambda s: s["running_sync"] and s["running_sync"]["status"] == "running")
    second = backup.api("POST", "failover/sync-now")
    assert second.status_code == 409
    assert second.json()["error"] == "A sync is already running."
    done = primary.manage("failover", "sync-now", check=False)
    assert done.returncode != 0
    assert "A sync is already running." in done.stderr


def test_users_created_on_the_primary_can_sign_in_on_the_backup(paired):
    primary, backup = paired[0], paired[1]
    primary.manage(
        "shell",
        "-c",
        "from django.contrib.auth.models import User; "
        "User.objects.create_user('carol', password='carol-password-1', "
        "is_staff=True)",
    )
    _sync(primary, backup)
    session = requests.Session()
    session.get(f"{backup.url}/login")
    response = session.post(
        f"{backup.url}/login",
        allow_redirects=False,
        data={
            "username": "carol",
            "password": "carol-password-1",
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/management/"
    # What stays per site stays: the backup is still the backup.
    assert backup.status()["role"] == "backup"

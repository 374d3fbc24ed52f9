"""Continuous data sync and diverged copies between two live sites."""

import tarfile
import time

import pytest

from tests.fixtures.trees import listing, write_file
from tests.fixtures.waiting import wait_for
from tests.harness.proxy import TestAddress

pytestmark = pytest.mark.sites

TIMEOUT = 3


@pytest.fixture
def continuous(paired):
    """site-a primary and site-b backup, continuous sync on, interval off."""
    a, b = paired[0], paired[1]
    for site in (a, b):
        site.manage("failover", "settings", "--continuous-sync", "on")
    return a, b


def _same_data(a, b, timeout: float = 15) -> None:
    wait_for(
        lambda: listing(b.data_dir) == listing(a.data_dir),
        timeout,
        0.05,
        f"{b.name} holding {a.name}'s data",
    )


def _wait_caught_up(a, b) -> None:
    """Both sites agree that the backup holds everything the primary has."""
    a.wait_status(lambda s: s["sync_lag_seconds"] == 0, what="no lag on the primary")
    b.wait_status(lambda s: s["sync_lag_seconds"] == 0, what="no lag seen from the backup")


def _user_exists(site, name: str) -> bool:
    code = (
        "from django.contrib.auth.models import User; "
        f"print(User.objects.filter(username={name!r}).exists())"
    )
    answer = site.manage("shell", "-c", code).stdout.split()
    assert answer[-1:] in (["True"], ["False"]), answer
    return answer[-1] == "True"


def test_changes_reach_the_backup_on_their_own(continuous):
    a, b = continuous
    assert a.status()["continuous_sync"] is True
    write_file(a.data_dir / "notes" / "today.txt", 2000)
    _same_data(a, b)
    (a.data_dir / "notes" / "today.txt").unlink()
    (a.data_dir / "moved").mkdir()
    write_file(a.data_dir / "moved" / "later.bin", 300_000)
    _same_data(a, b)
    _wait_caught_up(a, b)

    a.manage(
        "shell",
        "-c",
        "from django.contrib.auth.models import User; User.objects.create_user('carol')",
    )
    wait_for(lambda: _user_exists(b, "carol"), 15, 0.2, "the new user on the backup")
    # Continuous syncs stay out of the history; failures would not.
    assert not b.events("sync_started")


def test_the_old_primary_keeps_the_writes_the_new_one_lacks(continuous):
    a, b = continuous
    write_file(a.data_dir / "kept.txt", 1000)
    write_file(a.data_dir / "edited.txt", 1000)
    write_file(a.data_dir / "removed.txt", 1000)
    _same_data(a, b)
    _wait_caught_up(a, b)
    test_ip = TestAddress()
    try:
        b.manage(
            "failover",
            "settings",
            "--continuous-sync",
            "off",
            "--primary-timeout",
            str(TIMEOUT),
            "--test-ip",
            test_ip.address,
        )
        # Writes the backup never receives, then the primary dies.
        write_file(a.data_dir / "lost" / "new.bin", 50_000)
        write_file(a.data_dir / "edited.txt", 1000, seed=1)
        (a.data_dir / "removed.txt").unlink()
        a.manage(
            "shell",
            "-c",
            "from django.contrib.auth.models import User; User.objects.create_user('lost-user')",
        )
        a.kill()
        b.wait_status(lambda s: s["role"] == "primary", timeout=TIMEOUT + 15, what="failover")
        a.start()
        a.wait_ready()
        a.wait_status(lambda s: s["role"] == "backup", timeout=30, what="site-a demoted")
        _same_data(b, a, timeout=30)
    finally:
        test_ip.stop()

    [copy] = a.api("GET", "diverged").json()["diverged"]
    assert (copy["files_added"], copy["files_changed"], copy["files_deleted"]) == (1, 1, 1)
    assert copy["epoch"] == 1 and copy["bytes"] == 51_000
    detail = a.api("GET", f"diverged/{copy['id']}").json()
    assert detail["paths"] == {
        "added": ["lost/new.bin"],
        "changed": ["edited.txt"],
        "deleted": ["removed.txt"],
    }
    assert any(key.startswith("auth.user#") for key in detail["row_keys"])
    [event] = a.events("diverged_copy_kept")
    assert "epoch 1" in event["message"]
    assert not _user_exists(a, "lost-user")  # a took b's rows...
    archive = a.var_dir / "copy.tar.gz"
    a.manage("failover", "diverged", "export", str(copy["id"]), "--output", str(archive))
    with tarfile.open(archive) as tar:  # ...and kept its own
        names = set(tar.getnames())
        assert {"lost/new.bin", "edited.txt", "kept.txt", "rows.json"} <= names
        assert b"lost-user" in tar.extractfile("rows.json").read()


def test_a_swap_without_sync_first_says_what_it_leaves_behind_and_keeps_it(continuous):
    a, b = continuous
    write_file(a.data_dir / "shared.txt", 1000)
    _same_data(a, b)
    _wait_caught_up(a, b)
    b.manage("failover", "settings", "--continuous-sync", "off")
    write_file(a.data_dir / "last-minute.txt", 4096)
    page = a.session().get(f"{a.url}/management/failover/").text
    note = "1 files, 4096 bytes changed since the last sync will be kept as a diverged copy"
    assert note in page
    done = a.manage("failover", "become", "backup")
    assert note in done.stdout
    a.wait_status(lambda s: s["role"] == "backup", what="site-a the backup")
    copies = wait_for(
        lambda: a.api("GET", "diverged").json()["diverged"], 30, 0.2, "a diverged copy"
    )
    assert copies[0]["files_added"] == 1 and "swap" in copies[0]["reason"].lower()
    _same_data(b, a, timeout=30)
    assert not (a.data_dir / "last-minute.txt").exists()


def test_nothing_is_kept_when_nothing_would_be_lost(continuous):
    a, b = continuous
    write_file(a.data_dir / "everything.txt", 1000)
    _same_data(a, b)
    _wait_caught_up(a, b)
    a.manage("failover", "become", "backup")
    a.wait_status(lambda s: s["role"] == "backup", what="site-a the backup")
    write_file(b.data_dir / "after-the-swap.txt", 1000)
    _same_data(b, a, timeout=30)
    assert a.api("GET", "diverged").json()["diverged"] == []


def _whole(content: bytes) -> bool:
    """Each version of a file is one 8-byte token repeated: a torn file mixes two."""
    return len(content) == 64 * 1024 and content == content[:8] * (8 * 1024)


def test_writes_during_syncs_leave_every_file_whole_on_the_backup(continuous):
    a, b = continuous
    names = [f"busy-{n}.dat" for n in range(5)]
    syncs_seen, version = set(), 0
    deadline = time.monotonic() + 90
    # Keep writing until the backup has finished three syncs meanwhile.
    while len(syncs_seen) < 4:
        assert time.monotonic() < deadline, "the backup stopped syncing"
        version += 1
        for name in names:
            # Rewritten in place, as careless programs do.
            (a.data_dir / name).write_bytes(f"{version:07}|".encode() * (8 * 1024))
        for name in names:
            copy = b.data_dir / name
            if copy.exists():
                assert _whole(copy.read_bytes()), f"{name} torn on the backup"
        syncs_seen.add(b.status()["last_data_sync_time"])
    _same_data(a, b, timeout=30)

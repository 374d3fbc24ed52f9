"""Data sync faults between live sites: whatever breaks, the backup keeps its
previous complete copy in use, and the next sync completes."""

import os
import subprocess
import time

import pytest

from tests.conftest import require
from tests.fixtures.trees import MB, listing, write_file
from tests.fixtures.waiting import wait_for

pytestmark = pytest.mark.sites


def _synced_once(primary, backup) -> dict:
    write_file(primary.data_dir / "first" / "small.txt", 1000)
    backup.manage("failover", "sync-now", "--wait")
    return listing(backup.data_dir)


def _start_slow_sync(primary, backup, size=30 * MB, mbits="24") -> int:
    """A sync of a new ``size`` file at ``mbits``, caught while it transfers."""
    write_file(primary.data_dir / "big.bin", size)
    backup.manage("failover", "settings", "--bandwidth-limit", mbits)
    run_id = backup.api("POST", "failover/sync-now").json()["run_id"]
    backup.wait_status(
        lambda s: (s["running_sync"] or {}).get("bytes_transferred", 0) > MB,
        timeout=30,
        what="the sync under way",
    )
    return run_id


def _failed_run(backup, run_id, within: float) -> dict:
    start = time.monotonic()
    backup.wait_status(lambda s: s["running_sync"] is None, timeout=within + 10)
    elapsed = time.monotonic() - start
    event = next(e for e in backup.events("sync_failed") if e["details"]["run"] == run_id)
    return {"elapsed": elapsed, "reason": event["details"]["reason"]}


def _next_sync_completes(primary, backup) -> dict:
    backup.manage("failover", "settings", "--bandwidth-limit", "0")
    backup.manage("failover", "sync-now", "--wait")
    assert listing(backup.data_dir) == listing(primary.data_dir)
    return backup.events("sync_succeeded")[0]["details"]


@pytest.mark.parametrize("fault", ["kill", "freeze", "cut"])
def test_losing_the_primary_mid_sync_keeps_the_previous_copy(paired, fault):
    primary, backup = paired[0], paired[1]
    previous = _synced_once(primary, backup)
    run_id = _start_slow_sync(primary, backup)
    {"kill": primary.kill, "freeze": primary.freeze, "cut": lambda: paired.cut(primary, backup)}[
        fault
    ]()

    # The backup first reads what the sockets still buffer, at the limit's
    # pace, then gives up after the peer timeout (5 s) without data.
    failed = _failed_run(backup, run_id, within=15)
    assert failed["elapsed"] < 15
    assert "big.bin" in failed["reason"] or "primary" in failed["reason"]
    assert listing(backup.data_dir) == previous  # the previous copy, still in use

    {
        "kill": primary.restart,
        "freeze": primary.thaw,
        "cut": lambda: paired.restore(primary, backup),
    }[fault]()
    backup.wait_status(lambda s: s["peer"]["reachable"], timeout=20)
    resumed = _next_sync_completes(primary, backup)
    assert resumed["bytes"] < 30 * MB  # the partial file was resumed, not restarted


def test_the_backup_worker_killed_mid_sync(paired):
    primary, backup = paired[0], paired[1]
    previous = _synced_once(primary, backup)
    run_id = _start_slow_sync(primary, backup)
    backup.kill(["worker"])
    assert listing(backup.data_dir) == previous
    backup.restart(["worker"])
    failed = _failed_run(backup, run_id, within=20)
    assert "worker was stopped" in failed["reason"]
    assert listing(backup.data_dir) == previous
    _next_sync_completes(primary, backup)

    assert not list(backup.data_dir.parent.glob("data.copies/staging-*"))


def test_a_symlink_leading_outside_fails_the_sync(paired):
    primary, backup = paired[0], paired[1]
    previous = _synced_once(primary, backup)
    os.symlink("/etc/passwd", primary.data_dir / "escape")
    done = backup.manage("failover", "sync-now", "--wait", check=False)
    assert done.returncode != 0
    assert "leads outside the data directory" in done.stderr
    assert listing(backup.data_dir) == previous


@pytest.fixture
def small_disk(tmp_path):
    require("root", os.geteuid() == 0, "mounting a small tmpfs needs root")
    mount = tmp_path / "small-disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", str(mount)], check=True)
    yield mount
    subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_on_the_backup_fails_cleanly(cluster_factory, small_disk):
    cluster = cluster_factory(
        2, site_env={"site-b": {"FAILOVER_DATA_DIR": str(small_disk / "data")}}
    )
    primary, backup = cluster[0], cluster[1]
    cluster.pair(primary, backup)
    write_file(primary.data_dir / "fits.txt", 1000)
    backup.manage("failover", "sync-now", "--wait")
    previous = listing(small_disk / "data")
    write_file(primary.data_dir / "too-big.bin", 20 * MB)
    done = backup.manage("failover", "sync-now", "--wait", check=False)
    assert done.returncode != 0
    assert "disk full on the backup" in done.stderr
    assert listing(small_disk / "data") == previous
    assert not list(small_disk.glob("data.copies/staging-*"))


def test_the_bandwidth_limit_holds(paired):
    primary, backup = paired[0], paired[1]
    write_file(primary.data_dir / "payload.bin", 15 * MB)
    backup.manage("failover", "settings", "--bandwidth-limit", "20")  # 2.5 MB/s: 6 s
    backup.manage("failover", "sync-now", "--wait")
    details = backup.events("sync_succeeded")[0]["details"]
    rate_mbits = details["bytes"] * 8 / details["duration"] / 1e6
    assert details["duration"] >= 5
    assert 18 <= rate_mbits <= 22, rate_mbits


def test_health_checks_go_on_during_a_long_sync(paired):
    primary, backup = paired[0], paired[1]
    _start_slow_sync(primary, backup, size=20 * MB, mbits="16")
    checks = set()
    wait_for(
        lambda: checks.add(backup.status()["peer"]["last_check"]) or len(checks) >= 4,
        timeout=8,
        interval=0.3,
        what="four health checks during the sync",
    )
    assert backup.status()["running_sync"] is not None
    assert backup.status()["peer"]["reachable"]


def test_the_automatic_interval_starts_syncs(paired):
    primary, backup = paired[0], paired[1]
    write_file(primary.data_dir / "scheduled.txt", 100)
    backup.manage("failover", "settings", "--sync-interval", "15")
    # The first automatic sync follows within a minute of the interval being set.
    backup.wait_status(lambda s: s["last_data_sync_status"] == "succeeded", timeout=60)
    assert backup.events("sync_started")[0]["message"].endswith("(Automatic interval).")
    # Once the interval has passed since the last success, another one starts.
    backup.manage(
        "shell",
        "-c",
        "from datetime import timedelta; "
        "from django.utils import timezone; from failover.models import SyncRun; "
        "SyncRun.objects.update(created_at=timezone.now() - timedelta(minutes=16), "
        "finished_at=timezone.now() - timedelta(minutes=16))",
    )
    wait_for(
        lambda: len(backup.events("sync_succeeded")) == 2,
        timeout=60,
        what="the second automatic sync",
    )

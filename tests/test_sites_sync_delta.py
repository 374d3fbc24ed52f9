"""Delta transfer and compression between two live sites: only what changed
travels, compressible data travels compressed, and the copy is exact."""

import os

import pytest

from tests.fixtures.trees import MB, listing, write_file

pytestmark = pytest.mark.sites


def _sync(backup) -> dict:
    done = backup.manage("failover", "sync-now", "--wait", check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return backup.events("sync_succeeded")[0]["details"]


def test_an_edit_and_an_append_move_only_what_changed(paired):
    primary, backup = paired[0], paired[1]
    write_file(primary.data_dir / "db.bin", MB)
    write_file(primary.data_dir / "logs" / "app.log", 8 * MB)
    _sync(backup)
    with open(primary.data_dir / "db.bin", "r+b") as f:
        f.seek(MB // 2)
        f.write(os.urandom(4096))
    with open(primary.data_dir / "logs" / "app.log", "ab") as f:
        f.write(os.urandom(MB))
    run = _sync(backup)
    assert listing(backup.data_dir) == listing(primary.data_dir)
    assert run["fetched"] == 2
    # The new bytes, plus the edited chunk and the log's last chunk at most.
    assert MB + 4096 <= run["bytes"] <= MB + 4096 + 4 * 128 * 1024

    # Renamed and edited: its unchanged chunks come from the old name.
    os.rename(primary.data_dir / "db.bin", primary.data_dir / "db-renamed.bin")
    with open(primary.data_dir / "db-renamed.bin", "r+b") as f:
        f.write(b"edited")
    run = _sync(backup)
    assert listing(backup.data_dir) == listing(primary.data_dir)
    assert run["bytes"] < 128 * 1024


def test_compressible_data_travels_compressed(paired):
    primary, backup = paired[0], paired[1]
    primary.data_dir.mkdir(parents=True, exist_ok=True)
    line = b"2026-11-26T01:00:00Z INFO request served path=/api/v1/items status=200\n"
    for i in range(4):
        (primary.data_dir / f"log-{i}.txt").write_bytes(line * (MB // len(line)) + b"%d" % i)
    run = _sync(backup)
    assert listing(backup.data_dir) == listing(primary.data_dir)
    assert run["bytes"] < 4 * MB / 20


def test_a_link_cut_mid_delta_keeps_the_previous_copy_and_the_next_sync_resumes(paired):
    primary, backup = paired[0], paired[1]
    write_file(primary.data_dir / "big.bin", 20 * MB)
    _sync(backup)
    previous = listing(backup.data_dir)
    write_file(primary.data_dir / "big.bin", 20 * MB)  # rewritten in place: a delta, all new
    backup.manage("failover", "settings", "--bandwidth-limit", "16")  # 2 MB/s
    backup.api("POST", "failover/sync-now")
    backup.wait_status(
        lambda s: (s["running_sync"] or {}).get("bytes_transferred", 0) > 2 * MB,
        timeout=30,
        what="the delta under way",
    )
    paired.cut(primary, backup)
    backup.wait_status(lambda s: s["running_sync"] is None, timeout=30, what="the sync failed")
    assert backup.events("sync_failed")
    assert listing(backup.data_dir) == previous

    paired.restore(primary, backup)
    backup.wait_status(lambda s: s["peer"]["reachable"], timeout=20)
    backup.manage("failover", "settings", "--bandwidth-limit", "0")
    run = _sync(backup)
    assert listing(backup.data_dir) == listing(primary.data_dir)
    assert run["bytes"] < 19 * MB  # the chunks fetched before the cut were kept

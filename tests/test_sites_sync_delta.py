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

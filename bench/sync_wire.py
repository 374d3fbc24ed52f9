"""The sync benchmark's wire figures: bytes moved by a delta transfer, and
compressible data under a bandwidth limit, each beside rsync. A pair of its
own, linked through the harness's proxy, which counts the bytes the primary
sends back (manifest, chunk lists, HTTP and all)."""

import os
import random
import shutil
import time
from pathlib import Path

from bench.sync_tools import Rsync
from tests.fixtures.trees import MB, write_file
from tests.harness.cluster import Cluster

# 50 Mbit/s in rsync's --bwlimit unit (KiB/s).
RSYNC_50_MBIT = str(int(50e6 / 8 / 1024))


def _sync(backup) -> dict:
    backup.manage("failover", "sync-now", "--wait")
    return backup.events("sync_succeeded")[0]["details"]


def _log_lines(path: Path, size: int, seed: int) -> None:
    """Application logs and JSON records: what compresses in a data directory."""
    generator = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as f:
        written = 0
        while written < size:
            if generator.random() < 0.5:
                line = (
                    f"2026-11-{generator.randint(1, 28):02}T{generator.randint(0, 23):02}:"
                    f"{generator.randint(0, 59):02}:{generator.randint(0, 59):02}Z INFO "
                    f"request id={generator.getrandbits(64):016x} user={generator.randint(1, 5000)}"
                    f" path=/api/v1/items/{generator.randint(1, 10**6)} status=200 "
                    f"ms={generator.randint(1, 900)}\n"
                )
            else:
                in_stock = "true" if generator.random() < 0.7 else "false"
                line = (
                    f'{{"id": {generator.randint(1, 10**9)}, "name": "item '
                    f'{generator.randint(1, 10**5)}", "price": {generator.random() * 100:.2f}, '
                    f'"tags": ["blue", "large"], "in_stock": {in_stock}}}\n'
                )
            f.write(line)
            written += len(line)


def delta_and_compression(work: Path, scale: float) -> list[tuple[str, str]]:
    results = []
    cluster = Cluster(work / "wire", 2, env={"FAILOVER_HEALTH_INTERVAL": "30"})
    cluster.start()
    primary, backup = cluster[0], cluster[1]
    link = cluster.link(backup, primary)
    rsync = None
    try:
        cluster.pair(primary, backup)
        data = primary.data_dir
        rsync = Rsync(data.resolve(), work)
        mirror = work / "rsync-wire"

        # A 4 KiB edit inside a 1 MiB file and 1 MiB appended to a large log.
        log_size = max(8 * MB, int(64 * MB * scale))
        write_file(data / "delta" / "db.bin", MB)
        write_file(data / "delta" / "app.log", log_size)
        _sync(backup)
        rsync.pull("", mirror)
        with open(data / "delta" / "db.bin", "r+b") as f:
            f.seek(MB // 2)
            f.write(os.urandom(4096))
        with open(data / "delta" / "app.log", "ab") as f:
            f.write(os.urandom(MB))
        before = link.answered_bytes
        ours = _sync(backup)
        wire = link.answered_bytes - before
        _, theirs = rsync.pull("", mirror)
        results.append(
            (
                f"Edit 4 KiB of 1 MiB + append 1 MiB to {log_size // MB} MiB",
                f"ours {wire:,} B on the wire ({ours['bytes']:,} B of file data), "
                f"rsync {theirs:,} B; ratio {wire / theirs:.2f} (target <= 1.2)",
            )
        )

        # The edited file renamed and edited again: its chunks are reused.
        old, new = data / "delta" / "db.bin", data / "delta" / "db-renamed.bin"
        os.rename(old, new)
        with open(new, "r+b") as f:
            f.seek(MB // 4)
            f.write(os.urandom(4096))
        before = link.answered_bytes
        ours = _sync(backup)
        wire = link.answered_bytes - before
        _, theirs = rsync.pull("", mirror, "--delete")
        results.append(
            (
                "Renamed and edited 1 MiB file",
                f"ours {wire:,} B on the wire ({ours['bytes']:,} B of file data), "
                f"rsync {theirs:,} B",
            )
        )

        # Compressible data (logs, JSON) under a 50 Mbit/s limit.
        text = max(8 * MB, int(200 * MB * scale))
        for i in range(8):
            _log_lines(data / "text" / f"part-{i}.log", text // 8, seed=i)
        backup.manage("failover", "settings", "--bandwidth-limit", "50")
        before = link.answered_bytes
        limited = _sync(backup)
        wire = link.answered_bytes - before
        backup.manage("failover", "settings", "--bandwidth-limit", "0")
        shutil.rmtree(work / "rsync-text", ignore_errors=True)
        (work / "rsync-text").mkdir()
        started = time.monotonic()
        _, rsync_bytes = rsync.pull("text", work / "rsync-text", "-z", f"--bwlimit={RSYNC_50_MBIT}")
        rsync_s = time.monotonic() - started
        rate = limited["bytes"] * 8 / limited["duration"] / 1e6
        results.append(
            (
                f"{text // MB} MiB of logs and JSON at 50 Mbit/s",
                f"ours {limited['duration']:.2f} s ({wire:,} B on the wire), "
                f"rsync -z --bwlimit {rsync_s:.2f} s ({rsync_bytes:,} B)",
            )
        )
        results.append(
            (
                "  limit on the wire while compressing",
                f"{rate:.1f} Mbit/s of file data on the wire ({(rate / 50 - 1) * 100:+.1f}%)",
            )
        )
    finally:
        if rsync:
            rsync.stop()
        cluster.close()
    return results

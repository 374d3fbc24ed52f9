"""Data sync figures on loopback, against rsync over the same trees.

    .venv/bin/python bench/sync.py [--scale 1.0]

Starts a primary and a backup (the multi-site harness, peer traffic direct on
loopback, PostgreSQL and Redis when they answer) and an rsync daemon serving
the primary's data directory, then prints:

- a full sync of 1 GiB in 1,000 files: throughput, and its ratio to rsync
  (targets: 1.2 the first time, 1.5 with the primary's hashes cached);
- a no-change resync of 10,000 files, in one round trip (the primary's watch
  saw no change) and listing everything (target: no slower than rsync);
- one changed file among 10,000: bytes moved against the file's size;
- the bandwidth limit's accuracy at 50 Mbit/s;
- the backup worker's peak memory while syncing one 2 GiB file (target under
  150 MB), and then 1 MiB appended to it (a delta transfer);
- on a second pair whose link counts bytes: a 4 KiB edit inside a 1 MiB file
  plus 1 MiB appended to a 64 MiB log, then that file renamed and edited,
  bytes on the wire beside rsync's (target at most 1.2x); 200 MiB of logs and
  JSON under a 50 Mbit/s limit beside ``rsync -z --bwlimit``, and the limit's
  accuracy on the wire (target within 5%).

``--scale`` shrinks the data for a quick look (0.1 moves a tenth of it).
Needs Debian's rsync.
"""

import argparse
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "failover_site.settings")

MB = 1024 * 1024
GB = 1024 * MB


from bench.common import ROOT, answers  # noqa: E402

# The harness picks PostgreSQL and Redis from these, as under `make test`.
if answers(5432):
    os.environ.setdefault("FAILOVER_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
if answers(6379):
    os.environ.setdefault("FAILOVER_TEST_REDIS", "redis://127.0.0.1:6379")
from bench.sync_tools import Rsync, peak_memory_during  # noqa: E402
from bench.sync_wire import delta_and_compression  # noqa: E402
from tests.fixtures.trees import write_file  # noqa: E402
from tests.fixtures.waiting import wait_for  # noqa: E402
from tests.harness import backends  # noqa: E402
from tests.harness.cluster import Cluster  # noqa: E402


def _sync(backup) -> dict:
    """Sync now on the backup and wait; the run's recorded figures."""
    started = time.monotonic()
    backup.manage("failover", "sync-now", "--wait")
    details = backup.events("sync_succeeded")[0]["details"]
    return {**details, "wall": time.monotonic() - started}


FORGET_HASHES = "from failover.models import FileDigest; FileDigest.objects.all().delete()"


def _empty(backup) -> None:
    """No copy on the backup: the next sync fetches everything."""
    for folder in (backup.data_dir, backup.data_dir.with_name("data.copies")):
        _remove(folder)
    os.sync()


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    else:
        shutil.rmtree(path, ignore_errors=True)


def _rate(size: int, seconds: float) -> str:
    return f"{size / seconds / MB:7.1f} MiB/s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    args = parser.parse_args()
    if shutil.which("rsync") is None:
        sys.exit("bench/sync.py needs rsync (apt install rsync)")
    scale = args.scale
    work = ROOT / "var" / "bench-sync"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)

    cluster = Cluster(work, 2)
    cluster.start()
    primary, backup = cluster[0], cluster[1]
    rsync = None
    results = []
    try:
        primary.manage(
            "failover",
            "pair",
            "--backup-host",
            "127.0.0.1",
            "--backup-port",
            str(backup.port),
            "--reverse-host",
            "127.0.0.1",
            "--reverse-port",
            str(primary.port),
        )
        data = primary.data_dir
        rsync = Rsync(data.resolve(), work)

        # 1. Full sync of 1 GiB in 1,000 files into an empty backup: cold (the
        # primary hashes every file for its manifest: its hash cache emptied)
        # and with the primary's hash cache filled, beside rsync into an empty
        # folder. Three rounds, one of each in turn, medians: on a virtual
        # machine, memory the guest has not touched lately costs the first
        # writer to touch it, so whoever ran first would pay for the others.
        files = max(10, int(1000 * scale))
        for i in range(files):
            write_file(data / "full" / f"{i // 100:02}" / f"file-{i:04}.bin", MB, seed=i)
        size = files * MB
        cold_runs, warm, theirs = [], [], []
        for _ in range(3):
            primary.manage("shell", "-c", FORGET_HASHES)
            _empty(backup)
            cold_runs.append(_sync(backup)["duration"])
            _empty(backup)
            warm.append(_sync(backup)["duration"])
            _remove(work / "rsync-full")
            os.sync()
            theirs.append(rsync.pull("full", work / "rsync-full")[0])
        cold = statistics.median(cold_runs)
        warm_s, rsync_s = statistics.median(warm), statistics.median(theirs)
        results.append(
            (
                f"Full sync, {files} files of 1 MiB",
                f"ours {_rate(size, cold)} cold ({cold:.2f} s), {_rate(size, warm_s)} "
                f"with the primary's hashes cached ({warm_s:.2f} s); "
                f"rsync {_rate(size, rsync_s)} ({rsync_s:.2f} s)",
            )
        )
        results.append(
            (
                "  ratio to rsync (targets 1.2 cold, 1.5 cached)",
                f"{rsync_s / cold:.2f} cold, {rsync_s / warm_s:.2f} cached",
            )
        )

        # 2. No-change resync of 10,000 files.
        many = max(100, int(10_000 * scale))
        for i in range(many):
            path = data / "many" / f"{i // 500:02}" / f"small-{i:05}.txt"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"x" * (100 + i % 900))
        _sync(backup)
        again = _sync(backup)
        # Without its watch (the worker that holds it stopped a while ago,
        # as its health says) the primary lists everything, as for the
        # interval sync, the safety net.
        primary.kill(["worker"])
        wait_for(lambda: "no Celery worker" in str(primary.health()[1]), 30, 0.5, "worker gone")
        listed = _sync(backup)
        primary.restart(["worker"])
        rsync.pull("", work / "rsync-all")
        still, _ = rsync.pull("", work / "rsync-all")
        results.append(
            (
                f"No-change resync, {files + many:,} files",
                f"ours {again['duration']:.2f} s, one round trip ({again['wall']:.2f} s with "
                f"the command); {listed['duration']:.2f} s listing everything; "
                f"rsync {still:.2f} s (target: no slower than rsync)",
            )
        )

        # 3. One changed file among them.
        changed = data / "full" / "00" / "file-0000.bin"
        with open(changed, "r+b") as f:
            f.seek(MB // 2)
            f.write(b"changed!")
        one = _sync(backup)
        _, rsync_bytes = rsync.pull("", work / "rsync-all")
        results.append(
            (
                "One changed file (1 MiB) among them",
                f"ours moved {one['bytes']:,} bytes ({one['bytes'] / MB:.2f} x the file), "
                f"rsync received {rsync_bytes:,} bytes (delta transfer)",
            )
        )

        # 4. Bandwidth-limit accuracy at 50 Mbit/s.
        limited = int(40 * MB * max(scale, 0.25))
        write_file(data / "limited.bin", limited)
        backup.manage("failover", "settings", "--bandwidth-limit", "50")
        run = _sync(backup)
        backup.manage("failover", "settings", "--bandwidth-limit", "0")
        measured = run["bytes"] * 8 / run["duration"] / 1e6
        results.append(
            (
                "Bandwidth limit 50 Mbit/s",
                f"measured {measured:.1f} Mbit/s over {run['duration']:.1f} s "
                f"({(measured / 50 - 1) * 100:+.1f}%)",
            )
        )

        # 5. Peak memory of the backup's worker syncing one 2 GiB file.
        big = int(2 * GB * scale)
        write_file(data / "huge.bin", big)
        backup.restart(["worker"])
        worker = backup.processes.processes["worker"].pid
        peak = peak_memory_during(lambda: _sync(backup), worker)
        results.append(
            (
                f"Peak worker memory, one {big / GB:.2f} GiB file",
                f"{peak / MB:.0f} MB for the largest worker process (target < 150 MB)",
            )
        )

        # 6. The same file with 1 MiB appended: a delta transfer (chunk lists
        # of the whole file on both sides).
        with open(data / "huge.bin", "ab") as f:
            f.write(os.urandom(MB))
        peak = peak_memory_during(lambda: results.append(("", _sync(backup))), worker)
        moved = results.pop()[1]
        results.append(
            (
                "  then 1 MiB appended (delta transfer)",
                f"{peak / MB:.0f} MB, {moved['bytes']:,} B of file data "
                f"in {moved['duration']:.1f} s",
            )
        )
    finally:
        if rsync:
            rsync.stop()
        cluster.close()

    # 7. Delta transfer and compression, bytes counted on the wire.
    try:
        results += delta_and_compression(work, scale)
    finally:
        backends.drop_template()

    print()
    for name, figure in results:
        print(f"{name:42} {figure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

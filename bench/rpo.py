"""Recovery point: how much of the primary's last writes a failover loses.

    .venv/bin/python bench/rpo.py [--runs 20]

Two live sites on loopback (the multi-site harness), a 3 s primary timeout.
Each run: the primary writes 20 files a second into its data directory, is
SIGKILLed at a random moment 2 to 6 s in, the backup takes over; then the old
primary restarts, comes back as the backup, and the next run writes on the
other site. Prints, with continuous sync on and then off (the interval sync
at its 15-minute default), p50, p95 and max of the seconds of writes the new
primary lacks: from the oldest write it does not hold to the last write the
old primary made. Target with continuous sync: p95 at most 2 s.
"""

import argparse
import os
import random
import shutil
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "failover_site.settings")

from bench.common import ROOT  # noqa: E402
from tests.harness import backends  # noqa: E402
from tests.harness.cluster import Cluster  # noqa: E402

TIMEOUT = 3
WRITES_PER_SECOND = 20


class Writer:
    """Writes ``rpo/<run>-<n>`` every 1/20 s until stopped; remembers when."""

    def __init__(self, root: Path, run: int):
        self.folder = root / "rpo"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.run = run
        self.written: dict[str, float] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._write, daemon=True)

    def _write(self) -> None:
        n = 0
        while not self.stop.wait(1 / WRITES_PER_SECOND):
            name = f"{self.run}-{n:05}"
            (self.folder / name).write_bytes(os.urandom(2048))
            self.written[name] = time.monotonic()
            n += 1


def one_run(run: int, primary, backup) -> float:
    writer = Writer(primary.data_dir, run)
    writer.thread.start()
    time.sleep(random.uniform(2, 6))
    primary.kill()
    writer.stop.set()
    writer.thread.join()
    backup.wait_status(lambda s: s["role"] == "primary", timeout=TIMEOUT + 30, what="failover")
    held = {p.name for p in (backup.data_dir / "rpo").glob(f"{run}-*")}
    missing = [at for name, at in writer.written.items() if name not in held]
    lost = max(writer.written.values()) - min(missing) if missing else 0.0
    primary.start()
    primary.wait_ready()
    primary.wait_status(lambda s: s["role"] == "backup", timeout=60, what="old primary demoted")
    return lost


def series(cluster, runs: int, continuous: bool) -> list[float]:
    a, b = cluster[0], cluster[1]
    for site in (a, b):
        site.manage(
            "failover",
            "settings",
            "--primary-timeout",
            str(TIMEOUT),
            "--continuous-sync",
            "on" if continuous else "off",
            "--sync-interval",
            "15",
        )
    primary, backup = (a, b) if a.status()["role"] == "primary" else (b, a)
    backup.manage("failover", "sync-now", "--wait")
    lost = []
    for run in range(runs):
        lost.append(one_run(run + (0 if continuous else 1000), primary, backup))
        print(
            f"  continuous {'on' if continuous else 'off'}, run {run + 1}: {lost[-1]:.2f} s lost",
            flush=True,
        )
        primary, backup = backup, primary
    return lost


def _nearest_rank(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="kills with each setting")
    args = parser.parse_args()
    work = ROOT / "var" / "bench-rpo"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    cluster = Cluster(work, 2)
    results = {}
    try:
        cluster.start()
        cluster.pair(cluster[0], cluster[1])
        for continuous in (True, False):
            results[continuous] = series(cluster, args.runs, continuous)
    finally:
        cluster.close()
        backends.drop_template()
    print(f"\n{WRITES_PER_SECOND} files/s on the primary, SIGKILL 2-6 s in, timeout {TIMEOUT} s")
    for continuous, lost in results.items():
        print(
            f"Continuous sync {'on ' if continuous else 'off'}: seconds of writes lost "
            f"p50 {_nearest_rank(lost, 0.5):.2f}, p95 {_nearest_rank(lost, 0.95):.2f}, "
            f"max {max(lost):.2f} ({len(lost)} runs)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Answer times and health checks while slow clients hold connections.

    .venv/bin/python bench/slow_clients.py [--connections 500] [--seconds 60]

Starts a primary and a backup (the multi-site harness on loopback, health
checks every second, PostgreSQL and Redis when they answer), pairs them, then
holds ``--connections`` connections to the primary, each trickling a header
line every 5 s and never finishing its request (reopened when the server
cuts it off), from many loopback addresses. Meanwhile it times, one after
the other, ``/-/alive``, ``/login`` and a signed ``/api/peer/v1/status`` on
the primary, and watches the backup's health checks of the primary. Prints:

- p50, p99 and max of each (target: p99 under 200 ms);
- missed health checks on the backup: failed checks, and beats of the
  health interval with no successful check (target 0).
"""

import argparse
import itertools
import os
import shutil
import statistics
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "failover_site.settings")

from bench.common import ROOT, answers  # noqa: E402

# The harness picks PostgreSQL and Redis from these, as under `make test`.
if answers(5432):
    os.environ.setdefault("FAILOVER_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
if answers(6379):
    os.environ.setdefault("FAILOVER_TEST_REDIS", "redis://127.0.0.1:6379")

import requests  # noqa: E402

from failover.peer.signing import sign_request  # noqa: E402
from tests.fixtures.waiting import wait_for  # noqa: E402
from tests.harness import backends  # noqa: E402
from tests.harness.cluster import Cluster  # noqa: E402
from tests.harness.slow_clients import SlowClients  # noqa: E402

INTERVAL = 1.0  # the harness's health interval


class CheckWatcher(threading.Thread):
    """Samples the backup's view of the primary: every distinct check, and
    whether it succeeded."""

    def __init__(self, backup):
        super().__init__(daemon=True)
        self.backup = backup
        self.checks: dict[str, bool] = {}
        self.successes: list[datetime] = []
        self.stop = threading.Event()

    def run(self):
        while not self.stop.wait(0.1):
            try:
                peer = self.backup.status()["peer"]
            except requests.RequestException:
                continue
            self.checks[peer["last_check"]] = bool(peer["reachable"])
            success = datetime.fromisoformat(peer["last_success"])
            if not self.successes or success > self.successes[-1]:
                self.successes.append(success)

    def missed(self) -> tuple[int, int, float]:
        """Failed checks, interval beats without a success, longest gap (s)."""
        failed = sum(1 for ok in self.checks.values() if not ok)
        gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(self.successes)]
        skipped = sum(max(0, round(gap / INTERVAL) - 1) for gap in gaps)
        return failed, skipped, max(gaps, default=0.0)


def _signed_status(primary, key: str, site_id: str) -> requests.Response:
    path = "/api/peer/v1/status"
    headers = sign_request(key, "GET", path, "", b"", site_id, time.time())
    return requests.get(primary.url + path, headers=headers, timeout=10)


def _percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    return (
        f"p50 {statistics.median(ordered):6.1f} ms   p99 {p99:6.1f} ms   "
        f"max {ordered[-1]:6.1f} ms   ({len(ordered)} requests)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--connections", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    work = ROOT / "var" / "bench-slow-clients"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)

    cluster = Cluster(work, 2)
    cluster.start()
    primary, backup = cluster[0], cluster[1]
    try:
        cluster.pair(primary, backup)
        backup.wait_status(lambda s: s["peer"]["reachable"], what="the first check")
        backup_id = backup.status()["site_id"]
        fetches = {
            "/-/alive": lambda: requests.get(primary.url + "/-/alive", timeout=10),
            "/login": lambda: requests.get(primary.url + "/login", timeout=10),
            "/api/peer/v1/status (signed)": lambda: _signed_status(primary, cluster.key, backup_id),
        }
        timings = {name: [] for name in fetches}
        with SlowClients(primary.port, args.connections, interval=5.0) as slow:
            wait_for(lambda: slow.open >= args.connections, 60, 0.1, "the slow connections")
            watcher = CheckWatcher(backup)
            watcher.start()
            deadline = time.monotonic() + args.seconds
            while time.monotonic() < deadline:
                for name, fetch in fetches.items():
                    started = time.perf_counter()
                    response = fetch()
                    timings[name].append((time.perf_counter() - started) * 1000)
                    if response.status_code != 200:
                        raise RuntimeError(f"{name} answered {response.status_code}")
            watcher.stop.set()
            watcher.join()
            held, cut_off = slow.open, slow.closed_by_server
        failed, skipped, longest = watcher.missed()
        unreachable = len(backup.events("peer_unreachable"))
    finally:
        cluster.close()
        backends.drop_template()

    print()
    print(
        f"{args.connections} slow connections (a header line every 5 s) for "
        f"{args.seconds:g} s: {held} open at the end, {cut_off} cut off by the header timeout"
    )
    for name, samples in timings.items():
        print(f"  {name:30} {_percentiles(samples)}   (target p99 < 200 ms)")
    print(
        f"  backup's checks of the primary: {len(watcher.checks)} seen, {failed} failed, "
        f"{skipped} interval beats without a success (longest gap {longest:.2f} s), "
        f"{unreachable} 'unreachable' events   (target 0 missed)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

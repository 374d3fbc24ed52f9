"""Step-down and overlap figures of the witness between three live sites.

    .venv/bin/python bench/witness.py [--runs 5]

site-a primary, site-b backup, site-c their witness, each link through a
cuttable proxy, with a 3 s primary timeout and a 0.5 s health interval.
Each run cuts the primary off from both the backup and the witness and
prints, from the sites' own event times: how long after the cut the
primary stepped down (target: within the timeout + 2 s), how long after the
cut the backup became primary, and the overlap, the time the old primary
still held its failover IPs after the new one took them (negative: a gap
with no primary; target: at most 1 s). Then the links heal, the old primary
learns from the witness that it was replaced, and the next run cuts the new
primary off. Last, one cut of the link between the two with the witness
reachable: promotions during three times the timeout (target: none).
"""

import argparse
import os
import shutil
import statistics
import sys
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

from tests.harness import backends  # noqa: E402
from tests.harness.cluster import Cluster  # noqa: E402

TIMEOUT = 3
INTERVAL = 0.5


def _newest_time(site, kind: str) -> float:
    event = site.events(kind)[0]
    return datetime.fromisoformat(event["time"]).timestamp()


def _settled(primary, backup) -> bool:
    p, b = primary.status(), backup.status()
    return (
        p["role"] == "primary"
        and not p["confirming_primary"]
        and b["role"] == "backup"
        and p["peer"]["reachable"]
        and b["peer"]["reachable"]
        and p["witness"]["reachable"]
        and b["witness"]["reachable"]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    work = ROOT / "var" / "bench-witness"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    cluster = Cluster(work, 3, env={"FAILOVER_HEALTH_INTERVAL": str(INTERVAL)})
    cluster.start()
    a, b, witness = cluster[0], cluster[1], cluster[2]
    step_downs, promotions, overlaps = [], [], []
    try:
        cluster.pair(a, b)
        for site in (a, b):
            site.manage("failover", "shared-ip", "add", "192.0.2.100/24", "--interface", "eth0")
            site.manage("failover", "settings", "--primary-timeout", str(TIMEOUT))
            port = str(cluster.link(site, witness).port)
            site.manage(
                "failover", "witness", "add", "--host", "127.0.0.1", "--port", port,
                "--this-site-only",
            )  # fmt: skip
        primary, backup = a, b
        for run in range(args.runs):
            _wait(lambda p=primary, q=backup: _settled(p, q), 60, "a settled pair")
            steps, failovers = len(primary.events("stepped_down")), len(backup.events("failover"))
            cluster.cut(primary, backup)
            cluster.cut(primary, witness)
            cut_at = time.time()
            _wait(
                lambda q=backup, n=failovers: len(q.events("failover")) > n,
                TIMEOUT + 15,
                "the failover",
            )
            _wait(lambda p=primary, n=steps: len(p.events("stepped_down")) > n, 15, "the step-down")
            stepped_at = _newest_time(primary, "stepped_down")
            promoted_at = _newest_time(backup, "failover")
            step_downs.append(stepped_at - cut_at)
            promotions.append(promoted_at - cut_at)
            overlaps.append(stepped_at - promoted_at)
            print(
                f"  run {run + 1}: stepped down {step_downs[-1]:.2f} s after the cut, backup "
                f"primary after {promotions[-1]:.2f} s, overlap {overlaps[-1]:+.2f} s",
                flush=True,
            )
            cluster.restore(primary, witness)
            cluster.restore(primary, backup)
            primary, backup = backup, primary

        _wait(lambda p=primary, q=backup: _settled(p, q), 60, "a settled pair")
        before = len(backup.events("failover"))
        cluster.cut(primary, backup)
        # Hold the cut for three timeouts: the fault itself.
        time.sleep(3 * TIMEOUT)
        cluster.restore(primary, backup)
        promotions_during_cut = len(backup.events("failover")) - before
    finally:
        cluster.close()
        backends.drop_template()

    print(f"\nTimeout {TIMEOUT} s, health interval {INTERVAL} s, {args.runs} runs")
    print(
        f"Primary cut off from peer and witness -> stepped down: median "
        f"{statistics.median(step_downs):.2f} s, max {max(step_downs):.2f} s "
        f"(target: within {TIMEOUT + 2} s)"
    )
    print(
        f"  -> backup primary: median {statistics.median(promotions):.2f} s, "
        f"max {max(promotions):.2f} s"
    )
    print(
        f"  overlap (old primary still up after the new one came up): max "
        f"{max(overlaps):+.2f} s, median {statistics.median(overlaps):+.2f} s (target: at most 1 s)"
    )
    print(
        f"Link between the two cut, witness reachable: {promotions_during_cut} promotion(s) "
        f"in {3 * TIMEOUT} s (target: 0)"
    )
    return 0


def _wait(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return
        except Exception:  # noqa: BLE001, S110 - a site busy changing role: ask again
            pass
        time.sleep(0.05)
    raise AssertionError(f"{what} not within {timeout} s")


if __name__ == "__main__":
    sys.exit(main())

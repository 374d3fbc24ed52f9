"""Failover and planned swap times between two live sites on loopback.

    .venv/bin/python bench/failover.py [--runs 10]

With a 3 s primary timeout and a 0.5 s health interval, prints over the runs:

- the time from SIGKILL of the primary to the backup being primary with its
  failover IP up: median and max, and the overhead beyond the timeout
  (target: under 0.5 s median);
- a planned swap (Become backup, no sync first) from the request to both
  roles settled (target: under 1 s median).
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

from bench.common import ROOT, answers  # noqa: E402

# The harness picks PostgreSQL and Redis from these, as under `make test`.
if answers(5432):
    os.environ.setdefault("FAILOVER_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432/postgres")
if answers(6379):
    os.environ.setdefault("FAILOVER_TEST_REDIS", "redis://127.0.0.1:6379")


from tests.fixtures.waiting import wait_for  # noqa: E402
from tests.harness import backends  # noqa: E402
from tests.harness.cluster import Cluster  # noqa: E402
from tests.harness.proxy import TestAddress  # noqa: E402

TIMEOUT = 3
INTERVAL = 0.5


def _primary_with_ip_up(site) -> bool:
    try:
        status = site.status()
    except Exception:  # noqa: BLE001 - a site restarting: not yet
        return False
    return status["role"] == "primary" and status["shared_ips"][0]["state"] == "up"


def _roles(sites) -> list[str]:
    return [site.status()["role"] for site in sites]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    work = ROOT / "var" / "bench-failover"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    test_ip = TestAddress()
    cluster = Cluster(work, 2, env={"FAILOVER_HEALTH_INTERVAL": str(INTERVAL)})
    cluster.start()
    a, b = cluster[0], cluster[1]
    failovers, swaps = [], []
    try:
        a.manage(
            "failover",
            "pair",
            "--backup-host",
            "127.0.0.1",
            "--backup-port",
            str(b.port),
            "--reverse-host",
            "127.0.0.1",
            "--reverse-port",
            str(a.port),
        )
        for site in (a, b):
            site.manage("failover", "shared-ip", "add", "192.0.2.100/24", "--interface", "eth0")
            site.manage(
                "failover",
                "settings",
                "--primary-timeout",
                str(TIMEOUT),
                "--test-ip",
                test_ip.address,
            )
        primary, backup = a, b

        for run in range(args.runs):
            backup.wait_status(
                lambda s: s["peer"]["reachable"] and s["role"] == "backup", timeout=30
            )
            primary.kill()
            killed = time.monotonic()
            wait_for(
                lambda site=backup: _primary_with_ip_up(site),
                timeout=TIMEOUT + 10,
                interval=0.01,
                what="the failover",
            )
            failovers.append(time.monotonic() - killed)
            print(f"  failover {run + 1}: {failovers[-1]:.2f} s", flush=True)
            primary.restart()
            primary.wait_status(lambda s: s["role"] == "backup", timeout=30)
            primary, backup = backup, primary

        for run in range(args.runs):
            primary.wait_status(lambda s: s["peer"]["reachable"], timeout=30)
            before = _roles((primary, backup))
            started = time.monotonic()
            response = primary.api("POST", "failover/become", json={"role": "backup"})
            assert response.status_code == 202, response.text
            wait_for(
                lambda p=primary, q=backup: (
                    _roles((p, q)) == ["backup", "primary"]
                    and p.status()["swap"]["status"] == "succeeded"
                ),
                timeout=30,
                interval=0.01,
                what="the swap",
            )
            swaps.append(time.monotonic() - started)
            print(f"  swap {run + 1}: {swaps[-1]:.2f} s ({before} -> swapped)", flush=True)
            primary, backup = backup, primary
    finally:
        cluster.close()
        test_ip.stop()
        backends.drop_template()

    median = statistics.median(failovers)
    print(f"\nTimeout {TIMEOUT} s, health interval {INTERVAL} s, {args.runs} runs each")
    print(
        f"SIGKILL of the primary -> backup primary with its IP up: median {median:.2f} s, "
        f"max {max(failovers):.2f} s"
    )
    print(
        f"  overhead beyond the timeout: median {median - TIMEOUT:.2f} s, "
        f"max {max(failovers) - TIMEOUT:.2f} s (target: median under 0.5 s)"
    )
    print(
        f"Planned swap, request -> both roles settled: median {statistics.median(swaps):.2f} s, "
        f"max {max(swaps):.2f} s (target: median under 1 s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

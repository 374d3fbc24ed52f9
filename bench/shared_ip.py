"""The shared address from a client's side (root: network namespaces).

    .venv/bin/python bench/shared_ip.py [--runs 20] [--swaps 5] [--stalls 3]

Two sites and a client host in network namespaces on a bridge, the linux
backend, Celery on a Redis server of the bench's own, one failover IP, a TCP
responder on each site's host and a client connecting to the failover IP
every 20 ms (tests/harness/lan_client.py). With a 3 s primary timeout and a
0.5 s health interval, prints:

- planned swap (Become backup), each direction: the longest time the client
  went unanswered (target: under 0.2 s);
- SIGKILL of every process of the primary (and its responder): from the kill
  to the client's first answer from the backup, beyond the timeout, p50 and
  p95 (target: p95 under 0.15 s; negative when the primary died late in a
  check interval, since the timeout counts from its last answer);
- the old primary restarting, with its stale address and without it, while
  the new primary is stalled (SIGSTOP) and then resumed: answers the client got
  from the old primary (target: none) and the longest time it went unanswered
  from the restart to 3 s after the stall (target: under 1 s).
"""

import argparse
import math
import os
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "failover_site.settings")

from bench.common import ROOT  # noqa: E402
from tests.fixtures.waiting import wait_for  # noqa: E402
from tests.harness import backends, netns  # noqa: E402
from tests.harness.cluster import Cluster  # noqa: E402
from tests.harness.lan_client import (  # noqa: E402
    Prober,
    Responder,
    answered_by,
    longest_outage,
    share_address,
)

TIMEOUT = 3
INTERVAL = 0.5


def _probed_until(prober: Prober, moment: float) -> list:
    wait_for(lambda: prober.samples()[-1].time >= moment, 20, 0.05, "the client's probes")
    return prober.samples()


def swap(prober: Prober, old, new) -> float:
    """One planned swap; the client's longest time unanswered."""
    old.wait_status(lambda s: s["peer"]["reachable"] and not s["swap_in_progress"], timeout=30)
    requested = time.monotonic()
    response = old.api("POST", "failover/become", json={"role": "backup"})
    assert response.status_code == 202, response.text
    moved = prober.wait_answered_by(new.name, after=requested)
    old.wait_status(lambda s: s["swap"]["status"] == "succeeded", timeout=30)
    return longest_outage(_probed_until(prober, moved + 1), requested, moved + 1)


def kill(prober: Prober, responders: dict, primary, backup) -> float:
    """SIGKILL of the primary; the client's first answer from the backup,
    beyond the timeout. The killed site is restarted (and demotes itself)."""
    backup.wait_status(lambda s: s["peer"]["reachable"] and s["role"] == "backup", timeout=30)
    killed = _kill(primary, responders)
    moved = prober.wait_answered_by(backup.name, after=killed, timeout=TIMEOUT + 20)
    _restart(primary, responders)
    primary.wait_status(lambda s: s["role"] == "backup", timeout=30)
    return moved - killed - TIMEOUT


def _kill(site, responders: dict) -> float:
    """SIGKILL every process of ``site``; returns when its web server died,
    the moment its peer can tell (the harness reaps one process at a time)."""
    site.kill(["web"])
    killed = time.monotonic()
    site.kill()
    responders[site.name].kill()
    return killed


def _restart(site, responders: dict) -> None:
    responders[site.name].start()
    site.start()
    site.wait_ready()


def stall(prober: Prober, responders: dict, lan, primary, backup, *, stale: bool):
    """The primary is killed, the backup takes over and stalls, the old
    primary restarts: (answers from the old primary, longest time unanswered)."""
    backup.wait_status(lambda s: s["peer"]["reachable"] and s["role"] == "backup", timeout=30)
    killed = _kill(primary, responders)
    prober.wait_answered_by(backup.name, after=killed, timeout=TIMEOUT + 20)
    backup.wait_status(lambda s: s["shared_ips"][0]["state"] == "up", timeout=30)
    if not stale:
        lan.remove_address(primary.name, f"{lan.address(100)}/24")
    # Longer than the old primary can take to start: the stall is a stall.
    primary.manage("failover", "settings", "--primary-timeout", "60")
    backup.freeze()
    restarted = time.monotonic()
    _restart(primary, responders)
    primary.wait_status(lambda s: s["confirming_primary"] and s["peer"]["reachable"] is False)
    backup.thaw()
    thawed = time.monotonic()
    primary.wait_status(lambda s: s["role"] == "backup", timeout=30)
    primary.manage("failover", "settings", "--primary-timeout", str(TIMEOUT))
    samples = _probed_until(prober, thawed + 3)
    return (
        len(answered_by(samples, primary.name, restarted)),
        longest_outage(samples, restarted, thawed + 3),
    )


def _redis_on(address: str) -> tuple[subprocess.Popen, str]:
    """A Redis server of the bench's own on the LAN's gateway, the sites'
    broker: production runs Celery on Redis, and the harness's default for
    sites in namespaces, the filesystem broker, is polled every 0.1 s."""
    with socket.socket() as sock:
        sock.bind((address, 0))
        port = sock.getsockname()[1]
    redis = subprocess.Popen(
        [
            "redis-server",
            "--bind",
            address,
            "--port",
            str(port),
            "--save",
            "",
            "--appendonly",
            "no",
            # Reached from the namespaces, not over loopback; only the bench's
            # own hosts are on this bridge.
            "--protected-mode",
            "no",
        ],
        stdout=subprocess.DEVNULL,
    )
    wait_for(lambda: _listening(address, port), 20, 0.05, "the bench's Redis")
    return redis, f"redis://{address}:{port}"


def _listening(address: str, port: int) -> bool:
    try:
        with socket.create_connection((address, port), timeout=1):
            return True
    except OSError:
        return False


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _percentile(samples: list[float], share: float) -> float:
    """Nearest rank: with few runs, p95 is the largest, not the smallest."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _figures(samples: list[float]) -> str:
    p50, p95 = _percentile(samples, 0.5), _percentile(samples, 0.95)
    return f"p50 {_ms(p50)}, p95 {_ms(p95)}, max {_ms(max(samples))} ({len(samples)} runs)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="SIGKILL failovers")
    parser.add_argument("--swaps", type=int, default=5, help="planned swaps each way")
    parser.add_argument("--stalls", type=int, default=3, help="restarts with a stall, each kind")
    args = parser.parse_args()
    if not netns.available():
        print("needs root and iproute2 (network namespaces)", file=sys.stderr)
        return 1
    work = ROOT / "var" / "bench-shared-ip"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    lan = netns.Lan(["site-a", "site-b", "client"], tag=f"b{os.getpid() % 10000}")
    redis, broker = _redis_on(lan.gateway)
    cluster = Cluster(
        work,
        2,
        lan=lan,
        env={"FAILOVER_SHARED_IP_BACKEND": "linux", "FAILOVER_HEALTH_INTERVAL": str(INTERVAL)},
        site_env={
            name: {"CELERY_BROKER_URL": f"{broker}/{number}"}
            for number, name in enumerate(("site-a", "site-b"), start=1)
        },
    )
    responders, prober = {}, None
    swaps = {"a -> b": [], "b -> a": []}
    overheads, stalls = [], {True: [], False: []}
    try:
        cluster.start()
        a, b = cluster[0], cluster[1]
        share_address(cluster, lan, lan.address(100), timeout=TIMEOUT)
        responders = {site.name: Responder(lan, site.name).start() for site in (a, b)}
        prober = Prober(lan, lan.address(100), work / "probe.log", seconds=3600)
        prober.wait_answered_by("site-a")

        for run in range(args.swaps):
            swaps["a -> b"].append(swap(prober, a, b))
            swaps["b -> a"].append(swap(prober, b, a))
            print(
                f"  swaps {run + 1}: {_ms(swaps['a -> b'][-1])}, {_ms(swaps['b -> a'][-1])}",
                flush=True,
            )

        primary, backup = a, b
        for run in range(args.runs):
            overheads.append(kill(prober, responders, primary, backup))
            print(f"  SIGKILL {run + 1}: {_ms(overheads[-1])} beyond the timeout", flush=True)
            primary, backup = backup, primary

        for run in range(args.stalls):
            for stale in (True, False):
                stalls[stale].append(stall(prober, responders, lan, primary, backup, stale=stale))
                print(f"  stall {run + 1} (stale address {stale}): {stalls[stale][-1]}", flush=True)
                primary, backup = backup, primary
    finally:
        if prober:
            prober.stop()
        for responder in responders.values():
            responder.kill()
        cluster.close()
        redis.kill()
        redis.wait()
        lan.close()
        backends.drop_template()

    print(f"\nTimeout {TIMEOUT} s, health interval {INTERVAL} s, client probing every 20 ms")
    for direction, outages in swaps.items():
        print(f"Planned swap {direction}, longest outage: {_figures(outages)}")
    print(
        f"SIGKILL of the primary, client answered by the backup beyond the timeout: "
        f"{_figures(overheads)}"
    )
    for stale, results in stalls.items():
        kind = "with its stale address" if stale else "its address gone"
        taken = sum(count for count, _ in results)
        outages = [outage for _, outage in results]
        print(
            f"Old primary restarting ({kind}) during a stall: {taken} answers from it; "
            f"longest outage {_ms(max(outages))} (median {_ms(statistics.median(outages))})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The two demo sites, paired, left running: do they stay up?

    .venv/bin/python bench/demo_soak.py [--minutes 30] [--interval 0.2]

Starts the demo's two sites exactly as `make demo` does (each with its own
SQLite database and embedded Redis, under var/demo-soak/ on free ports, so a
running demo is left alone) with FAILOVER_HEALTH_INTERVAL=--interval, pairs
them, and watches for --minutes. Each site's view of its peer is read from
its database every 0.05 s. Prints, per site:

- processes that exited (target 0; the soak stops at the first);
- health checks seen, failed, and the peer_unreachable events recorded;
- missed checks: gaps between successful checks longer than five intervals
  (target 0), and the longest gap.
"""

import argparse
import itertools
import shutil
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, wait_until_up  # noqa: E402
from failover_site import demo  # noqa: E402
from failover_site.launch import SiteProcesses, stop_all  # noqa: E402
from tests.harness.cluster import free_port  # noqa: E402

WORK = ROOT / "var" / "demo-soak"


class PeerView:
    """One site's peer status and history, read from its SQLite database."""

    def __init__(self, name: str, database: Path):
        self.name = name
        self.database = database
        self.checks: dict[str, bool] = {}
        self.last_success = None
        self.successes: list[float] = []  # when each new success was first seen

    def _query(self, sql: str) -> list[tuple]:
        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=5) as db:
            return db.execute(sql).fetchall()

    def sample(self) -> None:
        rows = self._query(
            "SELECT last_check_at, reachable, last_success_at FROM failover_peerstatus"
        )
        if not rows or rows[0][0] is None:
            return
        last_check, reachable, last_success = rows[0]
        self.checks[last_check] = bool(reachable)
        if last_success and last_success != self.last_success:
            self.last_success = last_success
            self.successes.append(time.monotonic())

    def unreachable_events(self) -> int:
        sql = "SELECT count(*) FROM failover_statusevent WHERE kind = 'peer_unreachable'"
        return self._query(sql)[0][0]

    def report(self, interval: float) -> str:
        gaps = [b - a for a, b in itertools.pairwise(self.successes)]
        missed = [gap for gap in gaps if gap > 5 * interval]
        failed = sum(1 for ok in self.checks.values() if not ok)
        return (
            f"  {self.name}: {len(self.checks)} checks seen, {failed} failed, "
            f"{self.unreachable_events()} peer_unreachable events; {len(missed)} gaps between "
            f"successful checks over {5 * interval:g} s (longest {max(gaps, default=0):.2f} s)"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--interval", type=float, default=0.2)
    args = parser.parse_args()
    shutil.rmtree(WORK, ignore_errors=True)
    key = demo.stored_secret(WORK / "inter-site-key", 48)
    specs = demo.specs(
        demo.stored_secret(WORK / "secret-key", 48),
        base_dir=WORK,
        sites=[("site-a", free_port()), ("site-b", free_port())],
        env={"FAILOVER_HEALTH_INTERVAL": str(args.interval)},
    )
    for spec in specs:
        demo.prepare(spec, demo.stored_secret(WORK / "admin-password"), key)
    sites = [SiteProcesses(spec, WORK / "logs") for spec in specs]
    views = [PeerView(spec.name, spec.var_dir / "db.sqlite3") for spec in specs]
    exits, elapsed = [], 0.0
    try:
        for site in sites:
            site.start()
        for spec in specs:
            wait_until_up(f"http://127.0.0.1:{spec.port}/-/alive")
        a, b = specs
        a.manage(
            *("failover", "pair", "--backup-host", "127.0.0.1", "--backup-port", str(b.port)),
            *("--reverse-host", "127.0.0.1", "--reverse-port", str(a.port)),
        )
        print(f"Paired; watching for {args.minutes:g} min, logs in {WORK / 'logs'}", flush=True)
        started = time.monotonic()
        deadline = started + args.minutes * 60
        next_line = started + 60
        while time.monotonic() < deadline and not exits:
            for view in views:
                view.sample()
            exits = [
                f"{site.spec.name} {role} exited with status {code}"
                for site in sites
                for role, code in site.exited().items()
            ]
            if time.monotonic() >= next_line:
                next_line += 60
                print(f"{(time.monotonic() - started) / 60:.0f} min:", flush=True)
                for view in views:
                    print(view.report(args.interval), flush=True)
            time.sleep(0.05)
        elapsed = (time.monotonic() - started) / 60
    finally:
        stop_all(sites)

    print()
    print(f"Soak of the paired demo sites, health interval {args.interval:g} s, {elapsed:.1f} min:")
    print(f"  process exits: {len(exits)}" + "".join(f"\n    {line}" for line in exits))
    for view in views:
        print(view.report(args.interval))
    return 1 if exits else 0


if __name__ == "__main__":
    sys.exit(main())

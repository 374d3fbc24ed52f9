"""The Failover page's speed with a large status history.

    .venv/bin/python bench/page.py [--events 1000000] [--requests 300]

Seeds the history (PostgreSQL when it answers on 127.0.0.1:5432, else SQLite),
starts one site's web server (as in production) and prints the median and
p95 time of the full page (plain and with history filters), its htmx live
partial and a deep "load more", against the trivial /-/alive view on the same
server; then the time to export the whole history as CSV.
Targets: page p95 under 50 ms at 1,000,000 events, filtered or not; the
export of 1,000,000 rows under 20 s.
"""

import argparse
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    ROOT,
    database_url,
    signed_in_session,
    summary,
    timings_ms,
    wait_until_up,
)
from failover_site.launch import SiteProcesses, SiteSpec  # noqa: E402

PASSWORD = "bench-password-123"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--port", type=int, default=8091)
    args = parser.parse_args()

    var_dir = ROOT / "var" / "bench-page"
    var_dir.mkdir(parents=True, exist_ok=True)
    spec = SiteSpec(
        name="bench",
        port=args.port,
        var_dir=var_dir,
        env={
            "DATABASE_URL": database_url("failover_bench_page", var_dir),
            "DEBUG": "0",
            "SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        },
    )
    print(f"Database: {spec.env['DATABASE_URL']}")
    spec.manage("migrate", "--noinput", "-v", "0")
    started = time.monotonic()
    spec.manage("shell", "-c", f"from bench.seed_events import seed; seed({args.events})")
    print(f"History seeded to {args.events:,} events ({time.monotonic() - started:.0f} s)")
    spec.manage(
        "shell",
        "-c",
        (
            "from django.contrib.auth.models import User; "
            "u = User.objects.filter(username='bench').first() or User(username='bench'); "
            f"u.is_staff = True; u.set_password({PASSWORD!r}); u.save()"
        ),
    )

    site = SiteProcesses(spec, var_dir / "logs")
    site.start(roles=("web",))
    base = f"http://127.0.0.1:{args.port}"
    try:
        wait_until_up(f"{base}/-/alive")
        session = signed_in_session(base, "bench", PASSWORD)
        deep_cursor = max(1, args.events // 2)
        page = f"{base}/management/failover/"
        a_day = (datetime.now(UTC) - timedelta(days=3)).date().isoformat()
        filters = {
            "filter: a common kind": {"kind": "sync_succeeded"},
            "filter: a rare kind": {"kind": "failover"},
            "filter: two kinds and an actor": {
                "kind": ["peer_reachable", "settings_changed"],
                "actor": "system",
            },
            "filter: rare text": {"q": f"event {args.events // 3}"},
            "filter: common text": {"q": "synthetic"},
            "filter: one day": {"since": a_day, "until": a_day},
        }
        cases = {
            "trivial view (/-/alive)": lambda: session.get(f"{base}/-/alive"),
            "Failover page": lambda: session.get(f"{base}/management/failover/"),
            "Failover page, 7-day timeline": lambda: session.get(page, params={"timeline": "7d"}),
            "live status partial (htmx)": lambda: session.get(
                f"{base}/management/failover/",
                params={"rendered_role": "none", "after": args.events},
                headers={"HX-Request": "true", "HX-Target": "failover-live"},
            ),
            "load more, mid-history": lambda: session.get(
                f"{base}/management/failover/history",
                params={"before": deep_cursor},
                headers={"HX-Request": "true"},
            ),
            **{
                name: (lambda query=query: session.get(page, params=query))
                for name, query in filters.items()
            },
        }
        results = {}
        for name, fetch in cases.items():
            assert fetch().status_code == 200, name
            timings_ms(fetch, 20)  # warm-up
            results[name] = summary(timings_ms(fetch, args.requests))
        export = _export(session, f"{base}/management/failover/history.csv")
    finally:
        site.stop()

    trivial_p95 = results["trivial view (/-/alive)"][1]
    print(f"\n{args.requests} sequential requests each, {args.events:,} events in the history")
    print(f"{'':30} {'median ms':>10} {'p95 ms':>10} {'p95 / trivial':>14}")
    for name, (median, p95) in results.items():
        print(f"{name:30} {median:10.1f} {p95:10.1f} {p95 / trivial_p95:14.1f}")
    worst = max(p95 for name, (_, p95) in results.items() if "page" in name or "filter" in name)
    print(
        f"\nTarget: Failover page p95 under 50 ms, filtered or not -> worst {worst:.1f} ms: "
        f"{'met' if worst < 50 else 'NOT met'}"
    )
    rows, seconds, size = export
    print(
        f"CSV export: {rows:,} rows, {size / 2**20:.0f} MiB in {seconds:.1f} s "
        f"({rows / seconds:,.0f} rows/s) -> target under 20 s for 1,000,000 rows: "
        f"{'met' if seconds * 1_000_000 / max(rows, 1) < 20 else 'NOT met'}"
    )
    return 0


def _export(session, url: str) -> tuple[int, float, int]:
    """Stream the whole history; returns rows, seconds and bytes."""
    started = time.perf_counter()
    rows = size = 0
    with session.get(url, stream=True) as response:
        response.raise_for_status()
        for chunk in response.iter_content(1 << 20):
            size += len(chunk)
            rows += chunk.count(b"\n")
    return rows - 1, time.perf_counter() - started, size


if __name__ == "__main__":
    sys.exit(main())

"""The Failover page's speed with a large status history.

    .venv/bin/python bench/page.py [--events 1000000] [--requests 300]

Seeds the history (PostgreSQL when it answers on 127.0.0.1:5432, else SQLite),
starts one site's web server (gunicorn, as in production) and prints the
median and p95 time of the full page, its htmx live partial and a deep "load
more", against the trivial /-/alive view on the same server.
Target: page p95 under 50 ms at 1,000,000 events.
"""

import argparse
import sys
import time
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
        cases = {
            "trivial view (/-/alive)": lambda: session.get(f"{base}/-/alive"),
            "Failover page": lambda: session.get(f"{base}/management/failover/"),
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
        }
        results = {}
        for name, fetch in cases.items():
            assert fetch().status_code == 200, name
            timings_ms(fetch, 20)  # warm-up
            results[name] = summary(timings_ms(fetch, args.requests))
    finally:
        site.stop()

    trivial_p95 = results["trivial view (/-/alive)"][1]
    print(f"\n{args.requests} sequential requests each, {args.events:,} events in the history")
    print(f"{'':30} {'median ms':>10} {'p95 ms':>10} {'p95 / trivial':>14}")
    for name, (median, p95) in results.items():
        print(f"{name:30} {median:10.1f} {p95:10.1f} {p95 / trivial_p95:14.1f}")
    page_p95 = results["Failover page"][1]
    print(f"\nTarget: Failover page p95 under 50 ms -> {'met' if page_p95 < 50 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

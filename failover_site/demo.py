"""`make demo`: a primary-to-be and a backup-to-be on localhost, ready to sign in.

Each site gets its own SQLite database, data directory, embedded Redis, web
server, Celery worker and beat under var/demo/. Ctrl-C stops them all.
"""

import secrets
import sys
from pathlib import Path

from failover_site.demo_data import fill_sample
from failover_site.launch import BASE_DIR, SiteProcesses, SiteSpec, stop_all, supervise

DEMO_DIR = BASE_DIR / "var" / "demo"
SITES = (("site-a", 8001), ("site-b", 8002))
ADMIN = "admin"


def stored_secret(path: Path, nbytes: int = 24) -> str:
    """A random secret kept across runs, so passwords and keys stay the same
    (one stored shorter than asked for, by an older demo, is made anew)."""
    if not path.exists() or len(path.read_text().strip()) < nbytes * 4 // 3:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(nbytes))
        path.chmod(0o600)
    return path.read_text().strip()


def specs(secret_key: str, base_dir: Path = DEMO_DIR, sites=SITES, env=None) -> list[SiteSpec]:
    """The demo's sites: each with its own SQLite database and embedded Redis
    under ``base_dir``, whatever the calling environment says."""
    return [
        SiteSpec(
            name=name,
            port=port,
            var_dir=base_dir / name,
            env={
                "DEBUG": "0",
                "SECRET_KEY": secret_key,
                "DATABASE_URL": f"sqlite:///{base_dir / name / 'db.sqlite3'}",
                "CELERY_BROKER_URL": "",
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "FAILOVER_ALLOW_INSECURE_PEER": "1",
                "FAILOVER_SHARED_IP_BACKEND": "none",
                **(env or {}),
            },
        )
        for name, port in sites
    ]


def prepare(spec: SiteSpec, password: str, inter_site_key: str) -> None:
    spec.manage("migrate", "--noinput", "-v", "0")
    spec.manage(
        "shell",
        "-c",
        (
            "from django.contrib.auth import get_user_model as m; U = m(); "
            f"u = U.objects.filter(username={ADMIN!r}).first() or U(username={ADMIN!r}); "
            "u.is_staff = u.is_superuser = u.is_active = True; "
            f"u.set_password({password!r}); u.save()"
        ),
    )
    spec.manage("failover", "set-key", stdin=inter_site_key)


def main() -> int:
    password = stored_secret(DEMO_DIR / "admin-password")
    inter_site_key = stored_secret(DEMO_DIR / "inter-site-key", 48)
    demo_specs = specs(stored_secret(DEMO_DIR / "secret-key", 48))
    print("Preparing the demo sites (migrations, admin user, inter-site key)...", flush=True)
    for spec in demo_specs:
        prepare(spec, password, inter_site_key)
    sample = fill_sample(demo_specs[0].var_dir / "data")
    if sample:
        print(f"Put {sample} sample files in {demo_specs[0].name}'s data directory.", flush=True)
    sites = [SiteProcesses(spec, DEMO_DIR / "logs") for spec in demo_specs]
    try:
        for site in sites:
            site.start()
    except RuntimeError as e:
        stop_all(sites)
        print(f"demo: {e}", file=sys.stderr)
        return 1

    print()
    for spec in demo_specs:
        print(f"  {spec.name}: http://127.0.0.1:{spec.port}/login")
    print(f"  user name: {ADMIN}    password: {password}")
    print()
    print("To pair them, open site-a's Management > Failover page and enter")
    print(f"  backup 127.0.0.1 port {SITES[1][1]}, reverse 127.0.0.1 port {SITES[0][1]}.")
    print(f"Logs: {DEMO_DIR / 'logs'}   Press Ctrl-C to stop every process.", flush=True)
    supervise(
        sites,
        on_exit=lambda message: print(
            f"{message} See the logs in {DEMO_DIR / 'logs'}. Stopping the demo.", flush=True
        ),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

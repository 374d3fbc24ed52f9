"""`make demo`: a primary-to-be and a backup-to-be on localhost, ready to sign in.

Each site gets its own SQLite database, data directory, embedded broker, web
server, Celery worker and beat under var/demo/. Ctrl-C stops them all.
"""

import secrets
import signal
import sys
import time
from pathlib import Path

from failover_site.launch import BASE_DIR, SiteProcesses, SiteSpec

DEMO_DIR = BASE_DIR / "var" / "demo"
SITES = (("site-a", 8001), ("site-b", 8002))
ADMIN = "admin"


def _stored_secret(path: Path, nbytes: int = 24) -> str:
    """A random secret kept across runs, so passwords and keys stay the same
    (one stored shorter than asked for, by an older demo, is made anew)."""
    if not path.exists() or len(path.read_text().strip()) < nbytes * 4 // 3:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(nbytes))
        path.chmod(0o600)
    return path.read_text().strip()


def _specs(secret_key: str) -> list[SiteSpec]:
    return [
        SiteSpec(
            name=name,
            port=port,
            var_dir=DEMO_DIR / name,
            env={
                "DEBUG": "0",
                "SECRET_KEY": secret_key,
                "ALLOWED_HOSTS": "127.0.0.1,localhost",
                "FAILOVER_ALLOW_INSECURE_PEER": "1",
                "FAILOVER_SHARED_IP_BACKEND": "none",
            },
        )
        for name, port in SITES
    ]


def _prepare(spec: SiteSpec, password: str, inter_site_key: str) -> None:
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
    password = _stored_secret(DEMO_DIR / "admin-password")
    inter_site_key = _stored_secret(DEMO_DIR / "inter-site-key", 48)
    specs = _specs(_stored_secret(DEMO_DIR / "secret-key", 48))
    print("Preparing the demo sites (migrations, admin user, inter-site key)...", flush=True)
    for spec in specs:
        _prepare(spec, password, inter_site_key)
    sites = [SiteProcesses(spec, DEMO_DIR / "logs") for spec in specs]
    for site in sites:
        site.start()

    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)

    print()
    for spec in specs:
        print(f"  {spec.name}: http://127.0.0.1:{spec.port}/login")
    print(f"  user name: {ADMIN}    password: {password}")
    print()
    print("To pair them, open site-a's Management > Failover page and enter")
    print(f"  backup 127.0.0.1 port {SITES[1][1]}, reverse 127.0.0.1 port {SITES[0][1]}.")
    print(f"Logs: {DEMO_DIR / 'logs'}   Press Ctrl-C to stop every process.", flush=True)
    try:
        while not stopping:
            for site in sites:
                for role, code in site.exited().items():
                    print(
                        f"{site.spec.name} {role} exited with status {code}; see "
                        f"{site.log_path(role)}. Stopping the demo.",
                        flush=True,
                    )
                    stopping = True
            time.sleep(0.5)
    finally:
        print("Stopping...", flush=True)
        for site in sites:
            site.terminate()
        deadline = time.monotonic() + 10
        for site in sites:
            site.reap(deadline)
    return 0


if __name__ == "__main__":
    sys.exit(main())

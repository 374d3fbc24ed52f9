"""Databases and brokers for harness sites: a PostgreSQL database cloned from a
template and a Redis database number when they answer (always in CI), else a
copied SQLite file and the site's embedded Redis. The template is migrated and
set up once per test run, so a site starts with no process run for it."""

import itertools
import os
import secrets
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from failover_site.launch import BASE_DIR
from tests.parallel import TEST_DATABASES

POSTGRES_ADMIN = os.environ.get("FAILOVER_TEST_POSTGRES", "")
REDIS = os.environ.get("FAILOVER_TEST_REDIS", "")
# The Redis databases of the sites the harness starts: a parallel test
# worker's share (tests/parallel.py), else all but the test process's own.
REDIS_DATABASES = [
    int(n) for n in os.environ.get("FAILOVER_TEST_REDIS_DATABASES", "").split(",") if n
] or TEST_DATABASES[1:]
_REDIS_NUMBERS = itertools.cycle(REDIS_DATABASES)
_lock = threading.Lock()
_templates: dict[str, str] = {}

ADMIN = "admin"
PASSWORD = "harness-admin-password"
TOKEN = "fo_harness-token-shared-by-every-site"
# One key for every site of the run: sites of different clusters never meet.
INTER_SITE_KEY = secrets.token_urlsafe(40)

# The same administrator and API token on every site (as data sync would make
# them), so the harness keeps its access across syncs and failovers. The site
# state goes: each site makes its own (its own site id) when it first starts.
_SETUP = f"""
import hashlib
from django.contrib.auth import get_user_model
from failover.services.configuration import set_inter_site_key
from failover.models import ApiToken, BackupSettings, SiteState
user = get_user_model().objects.create_superuser({ADMIN!r}, "admin@example.com", {PASSWORD!r})
ApiToken.objects.create(user=user, name="harness", hint={TOKEN!r}[:8],
                        digest=hashlib.sha256({TOKEN!r}.encode()).hexdigest())
set_inter_site_key({INTER_SITE_KEY!r}, "harness")
# Automatic syncs would race the syncs tests start; the tests of the schedule
# and of continuous sync turn them on.
BackupSettings.objects.update_or_create(
    pk=1, defaults={{"sync_interval": 0, "continuous_sync": False}}
)
SiteState.objects.all().delete()
"""


def _postgres(sql: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
        conn.execute(sql)


def _postgres_url(name: str) -> str:
    return POSTGRES_ADMIN.rsplit("/", 1)[0] + "/" + name


def _migrate_and_set_up(database_url: str, var_dir: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "FAILOVER_VAR_DIR": str(var_dir),
        "SECRET_KEY": secrets.token_urlsafe(48),
    }
    for command in (["migrate", "--noinput", "-v", "0"], ["shell", "-c", _SETUP]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=BASE_DIR,
            env=env,
            check=True,
            capture_output=True,
        )


def _template(kind: str, work_dir: Path) -> str:
    """Migrate one template database of each kind per test run: a PostgreSQL
    database name, or a SQLite file path."""
    with _lock:
        if kind not in _templates:
            if kind == "postgres":
                name = f"failover_tpl_{os.getpid()}"
                _postgres(f'DROP DATABASE IF EXISTS "{name}"')
                _postgres(f'CREATE DATABASE "{name}"')
                _migrate_and_set_up(_postgres_url(name), work_dir)
                _templates[kind] = name
            else:
                path = work_dir / "template.sqlite3"
                _migrate_and_set_up(f"sqlite:///{path}", work_dir)
                _templates[kind] = str(path)
        return _templates[kind]


def drop_template() -> None:
    if "postgres" in _templates:
        _postgres(f'DROP DATABASE IF EXISTS "{_templates["postgres"]}" WITH (FORCE)')


def new_database(name: str, var_dir: Path, work_dir: Path, *, local: bool = False) -> str:
    """A fresh, migrated database for a site; ``local`` asks for SQLite."""
    if POSTGRES_ADMIN and not local:
        db = f"failover_{name}_{os.getpid()}".replace("-", "_")
        _postgres(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        _postgres(f'CREATE DATABASE "{db}" TEMPLATE "{_template("postgres", work_dir)}"')
        return _postgres_url(db)
    path = var_dir / "db.sqlite3"
    shutil.copy(_template("sqlite", work_dir), path)
    return f"sqlite:///{path}"


def drop_database(url: str) -> None:
    if url.startswith("postgres"):
        _postgres(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def new_broker(*, local: bool = False) -> dict[str, str]:
    """Environment for a site's broker: a flushed Redis database, or (always
    with ``local``) none, so the site runs its own embedded Redis."""
    if not REDIS or local:
        return {"CELERY_BROKER_URL": ""}
    import redis

    with _lock:
        number = next(_REDIS_NUMBERS)
    url = f"{REDIS}/{number}"
    redis.Redis.from_url(url).flushdb()
    return {"CELERY_BROKER_URL": url}

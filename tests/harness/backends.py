"""Databases and brokers for harness sites: a PostgreSQL database cloned from a
migrated template and a Redis database number when they answer (always in
CI), else a copied SQLite file and the site's embedded Redis."""

import itertools
import os
import secrets
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from failover_site.launch import BASE_DIR

POSTGRES_ADMIN = os.environ.get("FAILOVER_TEST_POSTGRES", "")
REDIS = os.environ.get("FAILOVER_TEST_REDIS", "")
# Redis database 15 belongs to the test process itself; 0 is left alone, and
# 13 and 14 to docker/smoke.sh's two stacks (CI runs it on the same server).
REDIS_DATABASES = range(1, 13)
_REDIS_NUMBERS = itertools.cycle(REDIS_DATABASES)
_lock = threading.Lock()
_templates: dict[str, str] = {}


def _postgres(sql: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
        conn.execute(sql)


def _postgres_url(name: str) -> str:
    return POSTGRES_ADMIN.rsplit("/", 1)[0] + "/" + name


def _migrate(database_url: str, var_dir: Path) -> None:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "FAILOVER_VAR_DIR": str(var_dir),
        "SECRET_KEY": secrets.token_urlsafe(48),
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
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
                _migrate(_postgres_url(name), work_dir)
                _templates[kind] = name
            else:
                path = work_dir / "template.sqlite3"
                _migrate(f"sqlite:///{path}", work_dir)
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

"""Databases and brokers for harness sites: a PostgreSQL database cloned from a
migrated template and a Redis database number when they answer (always in
CI), else a copied SQLite file and the embedded broker."""

import itertools
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from failover_site.launch import BASE_DIR

POSTGRES_ADMIN = os.environ.get("FAILOVER_TEST_POSTGRES", "")
REDIS = os.environ.get("FAILOVER_TEST_REDIS", "")
# Redis database 15 belongs to the test process itself; 0 is left alone.
_REDIS_NUMBERS = itertools.cycle(range(1, 15))
_lock = threading.Lock()
_template: str | None = None


def _postgres(sql: str) -> None:
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
        conn.execute(sql)


def _postgres_url(name: str) -> str:
    return POSTGRES_ADMIN.rsplit("/", 1)[0] + "/" + name


def _migrate(database_url: str, var_dir: Path) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "FAILOVER_VAR_DIR": str(var_dir)}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
    )


def template(work_dir: Path) -> str:
    """Migrate one template database per test run (a name or a file path)."""
    global _template
    with _lock:
        if _template is None:
            if POSTGRES_ADMIN:
                name = f"failover_tpl_{os.getpid()}"
                _postgres(f'DROP DATABASE IF EXISTS "{name}"')
                _postgres(f'CREATE DATABASE "{name}"')
                _migrate(_postgres_url(name), work_dir)
                _template = name
            else:
                path = work_dir / "template.sqlite3"
                _migrate(f"sqlite:///{path}", work_dir)
                _template = str(path)
        return _template


def drop_template() -> None:
    if _template and POSTGRES_ADMIN:
        _postgres(f'DROP DATABASE IF EXISTS "{_template}" WITH (FORCE)')


def new_database(name: str, var_dir: Path, work_dir: Path) -> str:
    source = template(work_dir)
    if POSTGRES_ADMIN:
        db = f"failover_{name}_{os.getpid()}".replace("-", "_")
        _postgres(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        _postgres(f'CREATE DATABASE "{db}" TEMPLATE "{source}"')
        return _postgres_url(db)
    path = var_dir / "db.sqlite3"
    shutil.copy(source, path)
    return f"sqlite:///{path}"


def drop_database(url: str) -> None:
    if url.startswith("postgres"):
        _postgres(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def new_broker() -> dict[str, str]:
    """Environment for a site's broker: a flushed Redis database, or nothing
    (the embedded broker under the site's own var directory)."""
    if not REDIS:
        return {}
    import redis

    with _lock:
        number = next(_REDIS_NUMBERS)
    url = f"{REDIS}/{number}"
    redis.Redis.from_url(url).flushdb()
    return {"CELERY_BROKER_URL": url}

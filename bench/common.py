"""Helpers shared by the benchmarks: a site's database and a signed-in client."""

import os
import secrets
import socket
import statistics
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
# Whatever loads the settings here needs a secret key: DEBUG is off by default.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(48))
POSTGRES_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"


def answers(port: int) -> bool:
    """Something listens on 127.0.0.1:port (PostgreSQL, Redis...)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def database_url(name: str, var_dir: Path) -> str:
    """A PostgreSQL database ``name`` (created if missing) or SQLite under ``var_dir``."""
    if not answers(5432):
        return f"sqlite:///{var_dir / 'db.sqlite3'}"
    import psycopg

    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def wait_until_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=1).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def signed_in_session(base_url: str, username: str, password: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{base_url}/login")
    response = session.post(
        f"{base_url}/login",
        data={
            "username": username,
            "password": password,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": f"{base_url}/login"},
        allow_redirects=False,
    )
    if response.status_code != 302:
        raise RuntimeError(f"sign-in failed with HTTP {response.status_code}")
    return session


def timings_ms(fetch, count: int) -> list[float]:
    samples = []
    for _ in range(count):
        start = time.perf_counter()
        fetch()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def summary(samples: list[float]) -> tuple[float, float]:
    """Median and 95th percentile."""
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(0.95 * (len(ordered) - 1))]

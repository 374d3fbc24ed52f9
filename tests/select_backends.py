"""Pick the database and broker for `make test` and say which.

Prints environment assignments on stdout (the Makefile sources them) and a
human summary on stderr. PostgreSQL and Redis on their local ports are used
when they answer; otherwise SQLite and the embedded Redis, unless
FAILOVER_TEST_REQUIRE names them, in which case their absence is an error.
"""

import os
import secrets
import socket
import sys

POSTGRES = ("127.0.0.1", 5432)
# Two checkouts testing at once on one machine each need their own Redis
# server (the harness flushes its database numbers) and test database name.
REDIS = ("127.0.0.1", int(os.environ.get("FAILOVER_TEST_REDIS_PORT") or 6379))
DATABASE_NAME = os.environ.get("FAILOVER_TEST_DB_NAME") or "failover"


def answers(address) -> bool:
    try:
        with socket.create_connection(address, timeout=2):
            return True
    except OSError:
        return False


def main() -> int:
    required = set(filter(None, os.environ.get("FAILOVER_TEST_REQUIRE", "").split(",")))
    # DEBUG is off by default, and then the settings need a long secret key;
    # processes the tests start inherit it.
    env = {"SECRET_KEY": secrets.token_urlsafe(48)}
    use_postgres, use_redis = answers(POSTGRES), answers(REDIS)
    for name, found in (("postgres", use_postgres), ("redis", use_redis)):
        if name in required and not found:
            print(
                f"make test: {name} is required (FAILOVER_TEST_REQUIRE) but does not answer",
                file=sys.stderr,
            )
            return 1
    if use_postgres:
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DATABASE_NAME}"
        env["FAILOVER_TEST_POSTGRES"] = "postgres://postgres@127.0.0.1:5432/postgres"
    if use_redis:
        env["CELERY_BROKER_URL"] = f"redis://127.0.0.1:{REDIS[1]}/15"
        env["FAILOVER_TEST_REDIS"] = f"redis://127.0.0.1:{REDIS[1]}"
    database = "PostgreSQL (127.0.0.1:5432)" if use_postgres else "SQLite"
    broker = f"Redis (127.0.0.1:{REDIS[1]})" if use_redis else "the embedded Redis"
    print(f"make test: using {database} and {broker}", file=sys.stderr)
    for key, value in env.items():
        print(f"{key}={value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

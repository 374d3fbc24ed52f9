"""Each pytest-xdist worker gets backends of its own (loaded with ``-p``, so
before Django reads its settings): its own var directory (embedded Redis
socket, SQLite files, data directory), its own Redis database and its own
share of the harness's Redis database numbers. Without xdist it changes
nothing.

The databases 1-12 and 15 are the tests' (0 is left alone, 13 and 14 are
docker/smoke.sh's); each worker takes an equal slice of them, the first for
the test process itself and the rest for the sites it starts."""

import os
import re
from pathlib import Path

TEST_DATABASES = [15, *range(1, 13)]


def worker_slice(index: int, count: int) -> list[int]:
    size = len(TEST_DATABASES) // count
    if size < 4:  # the process's own, and three sites at once
        raise RuntimeError(f"{count} test workers are too many for {len(TEST_DATABASES)} Redis DBs")
    return TEST_DATABASES[index * size : (index + 1) * size]


def _configure(worker: str, count: int) -> None:
    own, *harness = worker_slice(int(worker.removeprefix("gw")), count)
    var_dir = Path(__file__).resolve().parent.parent / "var" / f"test-{worker}"
    os.environ["FAILOVER_VAR_DIR"] = str(var_dir)
    os.environ["FAILOVER_TEST_REDIS_DATABASES"] = ",".join(map(str, harness))
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if broker:
        os.environ["CELERY_BROKER_URL"] = re.sub(r"/\d+$", f"/{own}", broker)


if os.environ.get("PYTEST_XDIST_WORKER"):
    _configure(os.environ["PYTEST_XDIST_WORKER"], int(os.environ["PYTEST_XDIST_WORKER_COUNT"]))

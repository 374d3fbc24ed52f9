"""A real Celery worker (not eager mode) consuming the configured broker:
a Redis server under `make test` when one answers (always in CI), else the
embedded Redis."""

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import connections

from failover.models import QueueHeartbeat
from failover.tasks import check_peer, heartbeat
from failover_site.celery import app
from tests.fixtures.waiting import wait_for


@pytest.fixture
def worker(transactional_db):
    with app.connection_for_write() as connection:
        for queue in ("health", "default"):
            connection.default_channel.queue_purge(queue)

    # The worker thread must close its database connection after each task,
    # or the test database cannot be dropped at the end of the run.
    def close_connections(**kwargs):
        connections.close_all()

    task_postrun.connect(close_connections, weak=False)
    try:
        with start_worker(
            app,
            pool="solo",
            perform_ping_check=False,
            queues=["health", "default"],
            shutdown_timeout=10,
        ):
            yield
    finally:
        task_postrun.disconnect(close_connections)


def test_a_worker_runs_tasks_from_both_queues(worker):
    heartbeat.apply_async(queue="default")
    check_peer.apply_async(queue="health")
    wait_for(lambda: QueueHeartbeat.objects.filter(queue__in=["health", "default"]).count() == 2)
    assert QueueHeartbeat.objects.get(queue="default").worker

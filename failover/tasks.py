"""Celery tasks: thin wrappers that call into the services and models."""

from celery import shared_task

from failover.models import QueueHeartbeat
from failover.peer import nonces
from failover.services import health


def _worker_name(task) -> str:
    return task.request.hostname or ""


@shared_task(bind=True, ignore_result=True)
def heartbeat(self):
    """Proves a worker consumes the default queue (Software tab)."""
    QueueHeartbeat.beat("default", _worker_name(self))


@shared_task(bind=True)
def check_peer(self):
    """The periodic health check, on the health queue."""
    QueueHeartbeat.beat("health", _worker_name(self))
    return health.check_peer()


@shared_task
def housekeeping():
    return f"forgot {nonces.forget_expired()} expired nonces"

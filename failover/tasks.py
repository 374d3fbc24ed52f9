"""Celery tasks: thin wrappers that call into the services and models."""

import time

from celery import shared_task
from django.conf import settings

from failover.models import QueueHeartbeat
from failover.services import (
    continuous,
    health,
    lag_samples,
    notifications,
    swap_run,
    sync_run,
    syncing,
    witness_checks,
)

# Seconds: a failover re-check due this soon runs in the same task.
WAIT_HERE_UP_TO = 0.2


def _worker_name(task) -> str:
    return task.request.hostname or ""


@shared_task(bind=True, ignore_result=True)
def heartbeat(self):
    """Proves a worker consumes the default queue (Software tab), and samples
    the backup's lag (on this queue, so it never delays a health check)."""
    QueueHeartbeat.beat("default", _worker_name(self))
    return lag_samples.sample_and_prune()


@shared_task(bind=True)
def check_peer(self):
    """The periodic health check, on the health queue."""
    QueueHeartbeat.beat("health", _worker_name(self))
    outcome = health.check_peer()
    if outcome.recheck_in is not None and outcome.recheck_in <= WAIT_HERE_UP_TO:
        # So close to the timeout that a re-queued check could reach the worker
        # late (the filesystem broker is polled every 0.1 s): check here.
        time.sleep(outcome.recheck_in)
        outcome = health.check_peer()
    if outcome.recheck_in is not None and outcome.recheck_in < settings.FAILOVER_HEALTH_INTERVAL:
        # The failover timeout runs out before the next scheduled check.
        self.apply_async(countdown=outcome.recheck_in, queue="health")
    return outcome.summary


@shared_task(bind=True)
def check_witness(self):
    """The witness link's check, on the health queue like the peer's."""
    outcome = witness_checks.check_witness()
    if outcome.recheck_in is not None and outcome.recheck_in <= WAIT_HERE_UP_TO:
        time.sleep(outcome.recheck_in)
        outcome = witness_checks.check_witness()
    if outcome.recheck_in is not None and outcome.recheck_in < settings.FAILOVER_HEALTH_INTERVAL:
        # The primary's timeout runs out before the next scheduled check.
        self.apply_async(countdown=outcome.recheck_in, queue="health")
    return outcome.summary


@shared_task
def run_sync(run_id: int):
    return sync_run.execute(run_id)


@shared_task
def run_swap(swap_id: str):
    return swap_run.execute(swap_id)


@shared_task
def announce_changes():
    return continuous.announce()


@shared_task
def start_sync_if_due():
    return syncing.start_if_due()


@shared_task
def notify(event_id: int, force: bool = False):
    deliveries = notifications.create_deliveries(event_id, force=force)
    for delivery in deliveries:
        deliver.delay(delivery.pk)
    return f"{len(deliveries)} deliveries queued"


@shared_task(bind=True)
def deliver(self, delivery_id: int):
    """One delivery; on failure it queues itself again after a growing delay."""
    delay = notifications.attempt(delivery_id)
    if delay is not None:
        self.apply_async((delivery_id,), countdown=delay)
        return f"failed; retrying in {delay:g} s"
    return "done"


@shared_task
def housekeeping():
    reaped = sync_run.reap_stale_runs()
    return (
        f"forgot {notifications.forget_old_deliveries()} old deliveries; "
        f"{len(reaped)} stale syncs ended; "
        f"forgot {sync_run.forget_old_continuous_runs()} old continuous syncs"
    )

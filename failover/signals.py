"""Celery signal handlers that keep run records truthful across worker restarts."""

from celery.signals import worker_ready

from failover.models import SyncRun
from failover.services.syncing import fail_interrupted


@worker_ready.connect
def fail_syncs_interrupted_by_a_restart(**kwargs):
    """A sync marked running when this site's worker starts died with the
    previous worker: say so, so that a new one can start."""
    fail_interrupted(
        "the worker was stopped during the sync (its copy was never used)",
        status=SyncRun.Status.RUNNING,
    )

"""Celery signal handlers that keep this site truthful across worker restarts."""

from celery.signals import worker_ready

from failover.models import SyncRun
from failover.netif.reconcile import reconcile
from failover.services.health import check_peer
from failover.services.syncing import fail_interrupted


@worker_ready.connect
def settle_after_a_restart(**kwargs):
    """A sync marked running when this site's worker starts died with the
    previous worker: say so, so that a new one can start. And bring the
    failover IPs in line with the role (a reboot loses them)."""
    fail_interrupted(
        "the worker was stopped during the sync (its copy was never used)",
        status=SyncRun.Status.RUNNING,
    )
    # A primary coming back may find the peer took over while it was away:
    # ask first (it then demotes itself), so its addresses never come up twice.
    check_peer()
    reconcile()

"""Signal handlers: each history event is logged and notified; Celery worker
restarts leave the records truthful."""

import logging

from celery.signals import worker_ready
from django.db.models.signals import post_save
from django.dispatch import receiver

from failover.models import StatusEvent, SyncRun
from failover.netif.reconcile import reconcile
from failover.services import confirmation, notifications
from failover.services.health import check_peer
from failover.services.syncing import fail_interrupted

event_log = logging.getLogger("failover.events")


@receiver(post_save, sender=StatusEvent)
def announce_event(sender, instance: StatusEvent, created: bool, **kwargs):
    if not created:
        return
    event_log.info(
        instance.message,
        extra={"event_kind": instance.kind, "actor": instance.actor, "details": instance.details},
    )
    notifications.on_event(instance)


@worker_ready.connect
def settle_after_a_restart(**kwargs):
    """A sync marked running when this site's worker starts died with the
    previous worker: say so, so that a new one can start. And bring the
    failover IPs in line with the role (a reboot loses them)."""
    fail_interrupted(
        "the worker was stopped during the sync (its copy was never used)",
        status=SyncRun.Status.RUNNING,
    )
    # A primary coming back may find the peer took over while it was away: it
    # waits to confirm its role, and asks at once. Addresses still up from
    # before the restart stay only if that first answer confirms the role;
    # otherwise they go down until a later check does.
    confirmation.begin()
    check_peer()
    reconcile()

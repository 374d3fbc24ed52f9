"""Signal handlers: each history event is logged and notified; Celery worker
restarts leave the records truthful."""

import logging

from celery.signals import worker_ready
from django.conf import settings
from django.db import close_old_connections
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from failover.models import StatusEvent, SyncRun
from failover.netif.reconcile import reconcile
from failover.services import confirmation, continuous, notifications
from failover.services.health import check_peer
from failover.services.sync_run import fail_interrupted
from failover.sync import changes, database, watcher

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


@worker_ready.connect
def watch_data_directory(**kwargs):
    """Continuous sync: the primary's worker watches its data directory."""
    watcher.start(
        _files_changed, lambda: settings.FAILOVER_DATA_DIR.resolve(), alive=changes.watching
    )


def _files_changed(source: str) -> None:
    # The watch thread lives as long as the worker: a database restart must
    # not leave it with a dead connection.
    close_old_connections()
    continuous.files_changed(source)


def _row_changed(sender, **kwargs):
    if kwargs.get("raw"):
        return  # loaddata, or a sync applying the primary's rows
    if database.bookkeeping_only(sender, kwargs.get("update_fields")):
        return
    continuous.rows_changed()


def connect_replicated_rows() -> None:
    """Continuous sync: every save or delete of a replicated row is a change."""
    for model in database.replicated_models():
        post_save.connect(_row_changed, sender=model, dispatch_uid=f"rows-{model._meta.label}")
        post_delete.connect(_row_changed, sender=model, dispatch_uid=f"del-{model._meta.label}")
        for field in model._meta.many_to_many:
            m2m_changed.connect(
                _row_changed, sender=field.remote_field.through, dispatch_uid=f"m2m-{field}"
            )

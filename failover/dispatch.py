"""Queueing background work by task name, so the services need not import the
tasks module that calls them (tasks sit above services)."""

import logging

from celery import current_app
from django.db import transaction

log = logging.getLogger(__name__)


def enqueue(task: str, *args, **options) -> None:
    """Send ``failover.tasks.<task>`` to the broker; routing follows the settings."""
    current_app.send_task(f"failover.tasks.{task}", args=args, **options)


def enqueue_on_commit(task: str, *args, **options) -> None:
    """Queue once the current transaction commits, so the worker sees its rows."""
    transaction.on_commit(lambda: enqueue(task, *args, **options))


def enqueue_quietly(task: str, *args) -> None:
    """Queue without retrying and without ever failing the caller: for side work
    (notifications) that a dead broker must not hold up or break."""
    try:
        enqueue(task, *args, retry=False)
    except Exception:  # noqa: BLE001 - side work is never worth failing the caller
        log.exception("could not queue %s%r", task, args)

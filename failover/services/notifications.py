"""Telling operators: e-mail and a signed webhook, for the history events they
chose. Queued on the default queue after the event is committed, so a slow
mail server or a dead webhook never delays a health check or a failover;
failed deliveries are retried with backoff and every attempt is recorded."""

import hashlib
import hmac
import json
import re
import time

import requests
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from failover import dispatch
from failover.domain.event_kinds import EventKind
from failover.models import (
    NotificationDelivery,
    NotificationSettings,
    SiteState,
    StatusEvent,
)
from failover.netif import destinations
from failover.shapes import event_json

WEBHOOK_TIMEOUT = 5.0
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]+")
MAX_ATTEMPTS = 5
KEEP_DELIVERIES = 1000


def on_event(event: StatusEvent) -> None:
    """Queue a notification for ``event`` if someone asked for its kind. With
    the broker down, publishing must not hold up (nor fail) the health check
    or failover that recorded the event."""
    if NotificationSettings.load().wants(event.kind):
        transaction.on_commit(lambda: dispatch.enqueue_quietly("notify", event.pk))


def payload(event: StatusEvent) -> dict:
    site = SiteState.load()
    topic = EventKind(event.kind).topic
    return {
        "event": event_json(event),
        "topic": topic.value if topic else "test",
        "site": {"hostname": settings.FAILOVER_SITE_NAME, "role": site.role, "epoch": site.epoch},
    }


def create_deliveries(event_id: int, *, force: bool = False) -> list[NotificationDelivery]:
    """One delivery per recipient channel (``force``: whatever the topics)."""
    event = StatusEvent.objects.filter(pk=event_id).first()
    config = NotificationSettings.load()
    if event is None or not (force or config.wants(event.kind)):
        return []
    body = payload(event)
    targets = [(NotificationDelivery.Channel.EMAIL, address) for address in config.emails]
    if config.webhook_url:
        targets.append((NotificationDelivery.Channel.WEBHOOK, config.webhook_url))
    return [
        NotificationDelivery.objects.create(
            event_kind=event.kind,
            message=event.message,
            payload=body,
            channel=channel,
            target=target,
        )
        for channel, target in targets
    ]


def webhook_headers(secret: str, body: bytes, now: float) -> dict:
    """``X-Failover-Signature: sha256=HMAC(secret, "<timestamp>.<body>")``."""
    timestamp = str(int(now))
    signature = hmac.new(
        secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    return {
        "Content-Type": "application/json",
        "X-Failover-Timestamp": timestamp,
        "X-Failover-Signature": f"sha256={signature}",
    }


def subject(hostname: str, message: str) -> str:
    """One line: a message may hold a newline (a file name), which no mail
    header may."""
    return CONTROL_CHARACTERS.sub(" ", f"[{hostname}] {message}")[:160]


def _send(delivery: NotificationDelivery) -> None:
    if delivery.channel == NotificationDelivery.Channel.EMAIL:
        site = delivery.payload["site"]
        send_mail(
            subject(site["hostname"], delivery.message),
            json.dumps(delivery.payload, indent=2),
            None,
            [delivery.target],
        )
        return
    # Checked again here: the name may resolve elsewhere than when it was saved.
    why = destinations.refusal(delivery.target)
    if why:
        raise OSError(why)
    body = json.dumps(delivery.payload).encode()
    secret = NotificationSettings.load().webhook_secret
    response = requests.post(
        delivery.target,
        data=body,
        timeout=WEBHOOK_TIMEOUT,
        allow_redirects=False,
        headers=webhook_headers(secret, body, time.time()),
    )
    if 300 <= response.status_code < 400:
        raise OSError(
            f"the webhook answered HTTP {response.status_code}: redirects are not followed"
        )
    if response.status_code >= 400:
        raise OSError(f"the webhook answered HTTP {response.status_code}")


def attempt(delivery_id: int) -> float | None:
    """Try a delivery once; returns the delay before the next try, or None
    when it is done (sent, or failed for good)."""
    delivery = NotificationDelivery.objects.filter(pk=delivery_id).first()
    if delivery is None or delivery.status != NotificationDelivery.Status.PENDING:
        return None
    delivery.attempts += 1
    try:
        _send(delivery)
    except Exception as e:  # noqa: BLE001 - SMTP, HTTP and network errors alike
        delivery.last_error = str(e)[:1000]
        if delivery.attempts < MAX_ATTEMPTS:
            delivery.save(update_fields=["attempts", "last_error"])
            return float(2**delivery.attempts)
        delivery.status = NotificationDelivery.Status.FAILED
    else:
        delivery.status, delivery.last_error = NotificationDelivery.Status.SENT, ""
    delivery.finished_at = timezone.now()
    delivery.save(update_fields=["attempts", "last_error", "status", "finished_at"])
    return None


def send_test(actor) -> StatusEvent:
    """Record a test event and notify every recipient of it, whatever the topics."""
    event = StatusEvent.record(
        EventKind.NOTIFICATION_TEST, "Test notification from the failover console.", actor=actor
    )
    dispatch.enqueue_on_commit("notify", event.pk, kwargs={"force": True})
    return event


def forget_old_deliveries() -> int:
    keep = NotificationDelivery.objects.values_list("pk", flat=True)[
        KEEP_DELIVERIES : KEEP_DELIVERIES + 1
    ]
    if not keep:
        return 0
    return NotificationDelivery.objects.filter(pk__lte=keep[0]).delete()[0]

"""Notifications: what is queued, what is sent, how failures are retried."""

from unittest import mock

import pytest
from django.core import mail

from failover import dispatch
from failover.models import NotificationDelivery, NotificationSettings, StatusEvent
from failover.services import notifications
from failover.tasks import deliver


@pytest.fixture
def configured(db, webhook, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    NotificationSettings.objects.create(
        pk=1,
        emails=["ops@example.com"],
        webhook_url=webhook.url,
        webhook_secret="whsec_test",
        topics=["automatic_failover", "sync_failed"],
    )
    return webhook


def _run_all(event):
    """What the worker would do: notify, then each delivery."""
    for delivery in notifications.create_deliveries(event.pk):
        while notifications.attempt(delivery.pk) is not None:
            pass


def test_only_chosen_topics_are_queued(configured, django_capture_on_commit_callbacks):
    with (
        mock.patch.object(dispatch, "enqueue") as queued,
        django_capture_on_commit_callbacks(execute=True),
    ):
        event = StatusEvent.record("failover", "became primary")
        StatusEvent.record("peer_reachable", "peer is back")  # not chosen
        StatusEvent.record("settings_changed", "not a notification topic")
    queued.assert_called_once_with("notify", event.pk, retry=False)


def test_nothing_is_queued_without_recipients(db, django_capture_on_commit_callbacks):
    NotificationSettings.objects.create(pk=1, topics=["automatic_failover"])
    with (
        mock.patch.object(dispatch, "enqueue") as queued,
        django_capture_on_commit_callbacks(execute=True),
    ):
        StatusEvent.record("failover", "became primary")
    assert not queued.called


def test_a_broker_failure_never_reaches_the_caller(configured, django_capture_on_commit_callbacks):
    with (
        mock.patch.object(dispatch, "enqueue", side_effect=OSError("broker down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        StatusEvent.record("failover", "became primary")  # does not raise


def test_email_and_signed_webhook_are_sent(configured):
    event = StatusEvent.record("failover", "primary unreachable for 61 s; became primary")
    _run_all(event)
    [email] = mail.outbox
    assert email.to == ["ops@example.com"]
    assert "became primary" in email.subject
    [payload] = configured.payloads("failover")
    assert payload["event"]["message"] == event.message
    assert payload["topic"] == "automatic_failover"
    assert configured.signed_by("whsec_test")
    assert not configured.signed_by("whsec_other")
    assert set(NotificationDelivery.objects.values_list("status", flat=True)) == {"sent"}


def test_a_failing_webhook_is_retried_with_backoff_then_failed(db, webhook):
    NotificationSettings.objects.create(
        pk=1, webhook_url="http://127.0.0.1:9/nothing", webhook_secret="s", topics=["sync_failed"]
    )
    event = StatusEvent.record("sync_failed", "Data sync #3 failed")
    [delivery] = notifications.create_deliveries(event.pk)
    delays = []
    while (delay := notifications.attempt(delivery.pk)) is not None:
        delays.append(delay)
    assert delays == [2.0, 4.0, 8.0, 16.0]
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempts == 5
    assert delivery.last_error


def test_the_deliver_task_requeues_itself(db, webhook):
    NotificationSettings.objects.create(
        pk=1, webhook_url="http://127.0.0.1:9/x", webhook_secret="s", topics=["sync_failed"]
    )
    event = StatusEvent.record("sync_failed", "failed")
    [delivery] = notifications.create_deliveries(event.pk)
    with mock.patch.object(deliver, "apply_async") as again:
        deliver(delivery.pk)
    again.assert_called_once_with((delivery.pk,), countdown=2.0)


def test_a_forced_test_ignores_topics(configured):
    event = StatusEvent.record("notification_test", "Test")
    assert notifications.create_deliveries(event.pk) == []
    assert len(notifications.create_deliveries(event.pk, force=True)) == 2


def test_old_deliveries_are_pruned(db, monkeypatch):
    monkeypatch.setattr(notifications, "KEEP_DELIVERIES", 3)
    for i in range(5):
        NotificationDelivery.objects.create(
            event_kind="x", message=str(i), channel="email", target="a@example.com"
        )
    assert notifications.forget_old_deliveries() == 2
    assert list(NotificationDelivery.objects.values_list("message", flat=True)) == ["4", "3", "2"]


def test_a_redirecting_webhook_is_not_followed(configured):
    configured.redirect_to = configured.url.replace("/hook", "/internal-target?x=1")
    event = StatusEvent.record("failover", "became primary")
    [delivery] = [d for d in notifications.create_deliveries(event.pk) if d.channel == "webhook"]
    assert notifications.attempt(delivery.pk) == 2.0
    delivery.refresh_from_db()
    assert "HTTP 307: redirects are not followed" in delivery.last_error
    assert configured.paths == ["/hook"]


def test_the_destination_is_checked_again_at_send_time(configured, settings):
    settings.FAILOVER_WEBHOOK_ALLOWED_NETWORKS = []
    event = StatusEvent.record("failover", "became primary")
    [delivery] = [d for d in notifications.create_deliveries(event.pk) if d.channel == "webhook"]
    notifications.attempt(delivery.pk)
    delivery.refresh_from_db()
    assert "an internal address" in delivery.last_error
    assert configured.paths == []


def test_a_message_with_a_newline_still_makes_a_one_line_subject(configured):
    event = StatusEvent.record("sync_failed", "Data sync #4 failed: report\nQ3.txt changed")
    _run_all(event)
    [email] = mail.outbox
    assert email.subject.endswith("Data sync #4 failed: report Q3.txt changed")

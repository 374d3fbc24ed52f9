import secrets

from django.db import models
from django.utils import timezone

from failover.domain.event_kinds import EventKind
from failover.models.singleton import SingletonModel


class NotificationSettings(SingletonModel):
    """Who hears about what. Replicated to the backup by data sync, so the new
    primary keeps notifying after a failover."""

    emails = models.JSONField(default=list, blank=True)
    webhook_url = models.URLField(max_length=500, blank=True)
    webhook_secret = models.CharField(max_length=100, blank=True)
    topics = models.JSONField(default=list, blank=True)

    def __str__(self):
        return "Notification settings"

    @staticmethod
    def new_secret() -> str:
        return "whsec_" + secrets.token_urlsafe(32)

    def wants(self, kind: str) -> bool:
        topic = EventKind(kind).topic
        return bool(topic and topic in self.topics and (self.emails or self.webhook_url))


class NotificationDelivery(models.Model):
    """One notification sent (or not) on one channel. Never replicated."""

    class Channel(models.TextChoices):
        EMAIL = "email", "E-mail"
        WEBHOOK = "webhook", "Webhook"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    created_at = models.DateTimeField(default=timezone.now)
    event_kind = models.CharField(max_length=40)
    message = models.TextField()
    payload = models.JSONField(default=dict)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    target = models.CharField(max_length=600)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return f"{self.channel} to {self.target}: {self.status}"

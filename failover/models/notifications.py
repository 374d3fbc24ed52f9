import secrets

from django.db import models
from django.utils import timezone

from failover.models.singleton import SingletonModel


class Topic(models.TextChoices):
    """What an administrator can ask to be told about, and the history event
    kinds behind each."""

    AUTOMATIC_FAILOVER = "automatic_failover", "Automatic failover"
    PLANNED_SWAP = "planned_swap", "Planned role swap"
    ISOLATION = "isolation", "Isolation (cut off from the primary and every test IP)"
    PEER_DOWN = "peer_down", "Peer unreachable for longer than the primary timeout"
    PEER_BACK = "peer_back", "Peer reachable again"
    SYNC_FAILED = "sync_failed", "Data sync failed"
    CONFLICT = "conflict", "Role conflict detected or resolved"
    VERSION_MISMATCH = "version_mismatch", "Product version mismatch"
    REFUSED = "refused", "Refused peer requests"


TOPIC_OF_KIND = {
    "failover": Topic.AUTOMATIC_FAILOVER,
    "swap_succeeded": Topic.PLANNED_SWAP,
    "swap_failed": Topic.PLANNED_SWAP,
    "isolated": Topic.ISOLATION,
    "peer_down_too_long": Topic.PEER_DOWN,
    "peer_reachable": Topic.PEER_BACK,
    "sync_failed": Topic.SYNC_FAILED,
    "conflict_detected": Topic.CONFLICT,
    "conflict_resolved": Topic.CONFLICT,
    "conflict_fixed": Topic.CONFLICT,
    "version_mismatch": Topic.VERSION_MISMATCH,
    "peer_request_refused": Topic.REFUSED,
}


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
        topic = TOPIC_OF_KIND.get(kind)
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

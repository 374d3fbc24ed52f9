from django.db import models
from django.utils import timezone


class SyncRun(models.Model):
    """One data sync from the primary to this (backup) site."""

    class Trigger(models.TextChoices):
        MANUAL = "manual", "Sync now on this site"
        PEER = "peer", "Sync now on the primary"
        SCHEDULE = "schedule", "Automatic interval"
        SWAP = "swap", "Role swap"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    actor = models.CharField(max_length=150, default="system")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # True while queued or running, NULL afterwards: the unique index lets at
    # most one sync be active on a site.
    active = models.BooleanField(null=True, default=True, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=260, blank=True)
    files_total = models.PositiveIntegerField(default=0)
    files_done = models.PositiveIntegerField(default=0)
    bytes_total = models.PositiveBigIntegerField(default=0)
    bytes_done = models.PositiveBigIntegerField(default=0)
    bytes_transferred = models.PositiveBigIntegerField(default=0)
    files_fetched = models.PositiveIntegerField(default=0)
    # SHA-256 of the database rows applied, so unchanged rows are not re-applied.
    database_digest = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self):
        return f"Sync #{self.pk} ({self.status})"

    @property
    def duration(self) -> float | None:
        if not self.started_at:
            return None
        end = self.finished_at or timezone.now()
        return (end - self.started_at).total_seconds()

    @property
    def rate(self) -> float | None:
        """Bytes per second actually transferred."""
        duration = self.duration
        if not duration:
            return None
        return self.bytes_transferred / duration

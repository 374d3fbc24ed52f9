from django.db import models
from django.utils import timezone


class SyncRunQuerySet(models.QuerySet):
    def active(self):
        """Queued or running."""
        return self.filter(status__in=SyncRun.ACTIVE)

    def running(self):
        return self.filter(status=SyncRun.Status.RUNNING)

    def queued(self):
        return self.filter(status=SyncRun.Status.QUEUED)

    def finished(self):
        return self.exclude(status__in=SyncRun.ACTIVE)

    def last_finished(self):
        return self.finished().first()

    def last_succeeded(self):
        return self.filter(status=SyncRun.Status.SUCCEEDED).first()


class SyncRun(models.Model):
    """One data sync from the primary to this (backup) site."""

    class Trigger(models.TextChoices):
        MANUAL = "manual", "Sync now on this site"
        PEER = "peer", "Sync now on the primary"
        SCHEDULE = "schedule", "Automatic interval"
        SWAP = "swap", "Role swap"
        CONTINUOUS = "continuous", "Continuous sync"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    actor = models.CharField(max_length=150, default="system")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
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
    # The primary's data version the run took (sync/changes.py).
    data_version = models.CharField(max_length=120, blank=True)
    error = models.TextField(blank=True)

    objects = SyncRunQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        constraints = [
            # At most one queued and one running sync on a site, whoever asks.
            models.UniqueConstraint(
                fields=["status"],
                condition=models.Q(status__in=("queued", "running")),
                name="one_sync_per_active_status",
            )
        ]

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

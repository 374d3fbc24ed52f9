import uuid

from django.db import models
from django.utils import timezone

from failover.domain.roles import ROLE_CHOICES


class RoleSwap(models.Model):
    """A planned role swap started on this site (SPEC section 3)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    target_role = models.CharField(max_length=10, choices=ROLE_CHOICES)
    sync_first = models.BooleanField(default=False)
    force = models.BooleanField(default=False)
    actor = models.CharField(max_length=150)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    step = models.CharField(max_length=200, blank=True)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Become {self.target_role} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    def describe(self) -> str:
        options = []
        if self.sync_first:
            options.append("pulling a data sync first")
        if self.force:
            options.append("even if the peer cannot be contacted")
        suffix = f", {' and '.join(options)}" if options else ""
        return f"Become {self.target_role}{suffix}, by {self.actor}"

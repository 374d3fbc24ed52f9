from django.db import models
from django.utils import timezone

from failover.models.singleton import SingletonModel


class DataChange(models.Model):
    """A change to this primary's data (files or replicated rows), numbered in
    the order seen. The backup's syncs say which number they hold (Delivery),
    so the lag is the age of the oldest change past it. Never replicated."""

    class Source(models.TextChoices):
        FILES = "files", "Files in the data directory"
        ROWS = "rows", "Replicated rows"
        RESCAN = "rescan", "Unknown: the watcher (re)started or overflowed"
        PROMOTED = "promoted", "This site became primary"

    at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=10, choices=Source.choices)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"Change {self.pk} ({self.source})"


class Delivery(SingletonModel):
    """The newest change the backup has confirmed holding, in this site's
    current epoch as primary. Never replicated."""

    epoch = models.PositiveBigIntegerField(default=0)
    change = models.PositiveBigIntegerField(default=0)
    at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Backup holds change {self.change} of epoch {self.epoch}"


class DivergedCopy(models.Model):
    """Data this site had as primary and had to replace with its peer's: kept
    under FAILOVER_VAR_DIR/diverged/<id>/ (``files/`` as hard links, and
    ``rows.json``). Never replicated."""

    created = models.DateTimeField(default=timezone.now)
    epoch = models.PositiveBigIntegerField()
    reason = models.CharField(max_length=300)
    files_added = models.JSONField(default=list)
    files_changed = models.JSONField(default=list)
    files_deleted = models.JSONField(default=list)
    bytes = models.PositiveBigIntegerField(default=0)
    rows = models.JSONField(default=list)  # "app.model#pk" keys that differ

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self):
        return f"Diverged copy #{self.pk} (epoch {self.epoch})"

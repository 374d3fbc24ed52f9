from django.db import models
from django.utils import timezone


class LagSample(models.Model):
    """How far behind the backup was, sampled periodically for the Failover
    page's lag chart (kept for a few days: failover.services.lag_samples)."""

    time = models.DateTimeField(default=timezone.now, db_index=True)
    # None: not paired, or never synced.
    lag_seconds = models.FloatField(null=True)

    class Meta:
        ordering = ["time"]

    def __str__(self):
        return f"lag {self.lag_seconds} s at {self.time:%Y-%m-%d %H:%M:%S}"

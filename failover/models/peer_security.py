from datetime import timedelta

from django.db import models
from django.db.models import F
from django.utils import timezone


class PeerRefusal(models.Model):
    """Refused peer requests, counted by cause (for metrics and for recording
    at most one history event per cause per minute)."""

    cause = models.CharField(max_length=40, primary_key=True)
    count = models.PositiveBigIntegerField(default=0)
    last_at = models.DateTimeField(null=True)
    last_event_at = models.DateTimeField(null=True)

    def __str__(self):
        return f"{self.cause}: {self.count}"

    @classmethod
    def count_one(cls, cause: str, every: timedelta = timedelta(minutes=1)) -> bool:
        """Count a refusal; True when it is due a history event (none for this
        cause in the last ``every``). Compare-and-set, so concurrent refusals
        record one event between them."""
        now = timezone.now()
        cls.objects.get_or_create(cause=cause)
        cls.objects.filter(cause=cause).update(count=F("count") + 1, last_at=now)
        due = models.Q(last_event_at__isnull=True) | models.Q(last_event_at__lt=now - every)
        return cls.objects.filter(due, cause=cause).update(last_event_at=now) == 1

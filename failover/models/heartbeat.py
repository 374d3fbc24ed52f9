from datetime import timedelta

from django.db import models
from django.utils import timezone


class QueueHeartbeat(models.Model):
    """When a worker last ran a task from each queue: the Software tab's liveness."""

    queue = models.CharField(max_length=40, primary_key=True)
    seen_at = models.DateTimeField()
    worker = models.CharField(max_length=200, blank=True)

    def __str__(self):
        return f"{self.queue} queue seen at {self.seen_at}"

    @classmethod
    def beat(cls, queue: str, worker: str = "") -> None:
        cls.objects.update_or_create(
            queue=queue, defaults={"seen_at": timezone.now(), "worker": worker or ""}
        )

    def is_recent(self, within: timedelta) -> bool:
        return timezone.now() - self.seen_at <= within

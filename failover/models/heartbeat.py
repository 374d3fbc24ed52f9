from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

# The beat task that proves a worker consumes each queue.
BEATING_TASK = {"health": "failover.tasks.check_peer", "default": "failover.tasks.heartbeat"}


def beat_period(queue: str) -> float:
    """Seconds between two beats of ``queue``, as the beat schedule sends them."""
    return min(
        float(entry["schedule"])
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == BEATING_TASK[queue]
    )


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

    @property
    def alive(self) -> bool:
        """A worker ran a task from this queue within three beat periods."""
        period = beat_period(self.queue)
        return timezone.now() - self.seen_at <= timedelta(seconds=max(10.0, 3 * period))

    @classmethod
    def queue_alive(cls, queue: str) -> bool:
        heartbeat = cls.objects.filter(queue=queue).first()
        return bool(heartbeat and heartbeat.alive)

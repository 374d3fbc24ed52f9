from django.db import models
from django.utils import timezone

from failover.domain.event_kinds import EventKind
from failover.domain.history_filter import HistoryFilter

SYSTEM = "system"
NO_FILTER = HistoryFilter()


class EventQuerySet(models.QuerySet):
    def matching(self, wanted: HistoryFilter):
        events = self
        if wanted.kinds:
            events = events.filter(kind__in=wanted.kinds)
        if wanted.actor:
            events = events.filter(actor=wanted.actor)
        if wanted.since:
            events = events.filter(time__gte=wanted.since)
        if wanted.until:
            events = events.filter(time__lt=wanted.until)
        if wanted.text:
            events = events.filter(message__icontains=wanted.text)
        return events


class StatusEvent(models.Model):
    """One line of the status history: who did what, when.

    Pages are read newest first by id (the primary key index), so the first
    page and every "load more" stay fast at millions of rows.
    """

    time = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=40, choices=EventKind.choices())
    message = models.TextField()
    # A user name or "system"; a plain string so history survives user
    # replication and deletion.
    actor = models.CharField(max_length=150, default=SYSTEM)
    details = models.JSONField(default=dict, blank=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        # Pages go newest first by id, filtered: one index per filterable
        # column, each ending in the id so a filtered page is an index range.
        # (Free text has a trigram index on PostgreSQL, migration 0009.)
        indexes = [
            models.Index(fields=["kind", "id"], name="event_kind_id"),
            models.Index(fields=["actor", "id"], name="event_actor_id"),
            models.Index(fields=["time"], name="event_time"),
        ]

    def __str__(self):
        return f"{self.time:%Y-%m-%d %H:%M:%S} {self.kind}: {self.message}"

    @property
    def event_kind(self) -> EventKind:
        return EventKind(self.kind)

    @classmethod
    def record(cls, kind: EventKind, message: str, *, actor=None, **details) -> "StatusEvent":
        """Save an event; an unknown kind raises ValueError before anything is saved."""
        return cls.objects.create(
            kind=EventKind(kind), message=message, actor=actor_name(actor), details=details
        )

    @classmethod
    def page(
        cls,
        *,
        before: int | None = None,
        after: int | None = None,
        size: int = 25,
        wanted: HistoryFilter = NO_FILTER,
    ):
        events = cls.objects.matching(wanted).order_by("-id")
        if before is not None:
            events = events.filter(id__lt=before)
        if after is not None:
            events = events.filter(id__gt=after)
        return list(events[:size])


def actor_name(actor) -> str:
    """The history's name for whoever caused an event: a user, a name or the system."""
    if actor is None:
        return SYSTEM
    if isinstance(actor, str):
        return actor
    return actor.get_username()

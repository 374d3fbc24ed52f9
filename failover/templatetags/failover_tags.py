from django import template
from django.utils.dateparse import parse_datetime

from failover.domain.event_kinds import EventKind
from failover.models import SyncRun

register = template.Library()


@register.filter
def kind_label(kind: str) -> str:
    try:
        return EventKind(kind).label
    except ValueError:  # a row written by another version of the product
        return kind


@register.simple_tag
def percent(done, total) -> int:
    return int(100 * done / total) if total else 0


@register.filter
def iso_time(value):
    """An ISO 8601 string (as in status reports) as a datetime for |date."""
    return parse_datetime(value) if value else None


@register.filter
def trigger_label(trigger: str) -> str:
    return dict(SyncRun.Trigger.choices).get(trigger, trigger)

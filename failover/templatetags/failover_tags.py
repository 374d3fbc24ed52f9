from django import template

from failover.models.events import KIND_LABELS

register = template.Library()


@register.filter
def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind) or kind.replace("_", " ").capitalize()


@register.simple_tag
def percent(done, total) -> int:
    return int(100 * done / total) if total else 0

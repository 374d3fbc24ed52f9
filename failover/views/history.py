"""The status history: its filter (from the URL), its pages ("load more"),
and its exports as CSV and JSON Lines."""

from urllib.parse import urlencode

from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from failover import exports
from failover.access import staff_required
from failover.domain.event_kinds import EventKind
from failover.domain.history_filter import HistoryFilter, parse_history_filter
from failover.domain.validation import parse_row_id
from failover.models import StatusEvent

PAGE_SIZE = 25


def parse_id(value) -> int | None:
    """A paging cursor; a malformed one reads as none (the newest page)."""
    try:
        return parse_row_id(value)
    except ValueError:
        return None


def requested_filter(request) -> tuple[HistoryFilter, str]:
    """The filter in the URL, and the error that made it be ignored ("" if none)."""
    try:
        return parse_history_filter(request.GET, timezone.get_current_timezone()), ""
    except ValueError as e:
        return HistoryFilter(), str(e)


def page_of_events(wanted: HistoryFilter, **cursor) -> tuple[list, int | None]:
    """One page, newest first, and the "load more" cursor (None at the end)."""
    events = StatusEvent.page(size=PAGE_SIZE + 1, wanted=wanted, **cursor)
    if len(events) > PAGE_SIZE:
        return events[:PAGE_SIZE], events[PAGE_SIZE - 1].pk
    return events, None


def filter_context(wanted: HistoryFilter, error: str) -> dict:
    return {
        "event_kinds": list(EventKind),
        "history_filter": wanted,
        "history_filter_error": error,
        "filter_query": urlencode(wanted.as_query()),
    }


@require_GET
@staff_required
def history(request):
    """The next page of older events, for "load more"."""
    wanted, error = requested_filter(request)
    events, more_before = page_of_events(wanted, before=parse_id(request.GET.get("before")))
    context = {"events": events, "more_before": more_before, **filter_context(wanted, error)}
    return render(request, "failover/_history_page.html", context)


def export_response(wanted: HistoryFilter, fmt: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        exports.export(wanted, fmt), content_type=exports.CONTENT_TYPES[fmt]
    )
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="history-{stamp}.{fmt}"'
    return response


@require_GET
@staff_required
def history_export(request, fmt: str):
    wanted, error = requested_filter(request)
    if error:
        return render(request, "400.html", {"reason": error}, status=400)
    return export_response(wanted, fmt)

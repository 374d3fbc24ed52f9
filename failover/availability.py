"""The pair's availability over a window, read from the status history: both
sites' bands, the marked events, the counts and the summary. Shared by the
Failover page's timeline and the ``availability`` key of the status.

The history can hold a flapping peer's events by the hundred thousand, so
what is made of a result (the JSON, the drawing) is cached until a new event
is recorded or the window has moved by about a pixel of the timeline (a 720th
of it)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db.models import Case, F, JSONField, Value, When
from django.utils import timezone

from failover import __version__
from failover.domain import availability_summary
from failover.domain.availability import NONE, Band, band
from failover.domain.pair_history import (
    CONFLICT_KINDS,
    REACH_KINDS,
    ROLE_IN_DETAILS,
    ROLE_KINDS,
    TIMELINE_KINDS,
    Mark,
    Recorded,
    pair_changes,
)
from failover.models import PeerStatus, SiteState, StatusEvent

WINDOWS = {"1h": timedelta(hours=1), "24h": timedelta(hours=24), "7d": timedelta(days=7)}
DEFAULT_WINDOW = "24h"
T = TypeVar("T")
PIXELS = 720
# Kinds whose last occurrence before the window sets the state at its start.
STATE_KINDS = ROLE_KINDS | CONFLICT_KINDS | REACH_KINDS
# A peer flapping for days can leave hundreds of thousands of events: past
# this many, only the newest are drawn (and the window starts later).
MAX_EVENTS = 25_000


@dataclass(frozen=True)
class PairAvailability:
    window_start: datetime
    start: datetime  # the window's start, or later when it held too many events
    end: datetime
    here_name: str
    here: Band
    peer_name: str
    peer: Band | None
    marks: list[Mark]
    counts: dict[str, int]
    summary: str


def _rows(events):
    """Only role changes need their details: the rest skip decoding them."""
    details = Case(
        When(kind__in=ROLE_IN_DETAILS, then=F("details")),
        default=Value(None),
        output_field=JSONField(),
    )
    return events.annotate(role_details=details).values_list(
        "time", "kind", "role_details", "message", "actor"
    )


def _recorded(rows) -> list[Recorded]:
    return [
        Recorded(time, kind, details or {}, message, actor)
        for time, kind, details, message, actor in rows
    ]


def _events(start: datetime, end: datetime) -> tuple[list[Recorded], datetime]:
    """The window's timeline events (at most MAX_EVENTS, the newest), with the
    last of each state kind before them, and the time they start from: the
    window's start, or later if it held more."""
    timeline = StatusEvent.objects.filter(kind__in=TIMELINE_KINDS, time__lt=end)
    inside = _recorded(_rows(timeline.filter(time__gte=start).order_by("-id"))[: MAX_EVENTS + 1])
    if len(inside) > MAX_EVENTS:
        inside = inside[:MAX_EVENTS]
        start = inside[-1].time
    before = []
    for kind in STATE_KINDS:
        last = StatusEvent.objects.filter(kind=kind, time__lt=start).order_by("-id")
        before.extend(_recorded(_rows(last)[:1]))
    return before + inside[::-1], start


def compute(window_start: datetime, end: datetime) -> PairAvailability:
    site = SiteState.load()
    events, start = _events(window_start, end)
    # Without a single role change on record, the role now is the best guess.
    initial = NONE if any(e.kind in ROLE_KINDS for e in events) else site.role
    changes = pair_changes(events, start, initial=initial)
    here = band(changes.here, start, end, state=initial)
    peer = band(changes.peer, start, end, state=changes.peer_initial)
    if peer.seconds[NONE] >= (end - start).total_seconds() and not site.in_relationship:
        peer = None
    here_name = settings.FAILOVER_SITE_NAME
    peer_name = _peer_name(site)
    counts = availability_summary.event_counts(mark.kind for mark in changes.marks)
    return PairAvailability(
        window_start=window_start,
        start=start,
        end=end,
        here_name=here_name,
        here=here,
        peer_name=peer_name,
        peer=peer,
        marks=changes.marks,
        counts=counts,
        summary=availability_summary.summary(
            (here_name, here), (peer_name, peer) if peer else None, counts
        )
        + _truncation_note(window_start, start),
    )


def _truncation_note(window_start: datetime, start: datetime) -> str:
    if start <= window_start:
        return ""
    return (
        f" Too many events to count them all: only the newest {MAX_EVENTS:,}, "
        f"from {timezone.localtime(start):%Y-%m-%d %H:%M:%S}."
    )


def _peer_name(site: SiteState) -> str:
    hostname = PeerStatus.load().hostname if site.in_relationship else ""
    return hostname or site.peer_host or "the peer"


def cached(kind: str, window: str, build: Callable[[PairAvailability], T]) -> T:
    """``build`` of the availability over the last ``window`` (a key of
    WINDOWS), cached: the products are small, the events behind them not."""
    length = WINDOWS[window]
    now = timezone.now()
    step = length.total_seconds() / PIXELS
    newest = StatusEvent.objects.order_by("-id").values_list("id", flat=True).first()
    site = SiteState.load()
    moment = int(now.timestamp() // step)
    # The version: an upgrade never reads a product of another shape.
    key = (
        f"failover:{kind}:{__version__}:{window}:{newest}:{site.role}:"
        f"{site.relationship_id}:{moment}"
    )
    product = cache.get(key)
    if product is None:
        product = build(compute(now - length, now))
        cache.set(key, product, timeout=max(10, int(step * 2)))
    return product


def last_day_json() -> dict:
    """The ``availability`` key of the status."""
    return cached("availability", "24h", availability_json)


def availability_json(result: PairAvailability) -> dict:
    def site_json(name: str, this_site: bool, site_band: Band) -> dict:
        return {
            "hostname": name,
            "this_site": this_site,
            "seconds": {state: round(value, 3) for state, value in site_band.seconds.items()},
            "outages": site_band.outage_count,
            "longest_outage_seconds": round(site_band.longest_outage, 3),
        }

    sites = [site_json(result.here_name, True, result.here)]
    if result.peer is not None:
        sites.append(site_json(result.peer_name, False, result.peer))
    return {
        "since": result.start.isoformat(),
        "until": result.end.isoformat(),
        "sites": sites,
        **result.counts,
        "summary": result.summary,
    }

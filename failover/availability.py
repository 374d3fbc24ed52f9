"""The pair's availability over a window, read from the status history: both
sites' bands, the marked events, the counts and the summary. Shared by the
Failover page's timeline and the ``availability`` key of the status.

The history can hold a flapping peer's events by the hundred thousand, so a
result is cached until a new event is recorded or the window has moved by
about a pixel of the timeline (a 720th of it)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from failover.domain import availability_summary
from failover.domain.availability import NONE, Band, band
from failover.domain.pair_history import (
    CONFLICT_KINDS,
    REACH_KINDS,
    ROLE_KINDS,
    TIMELINE_KINDS,
    Mark,
    Recorded,
    pair_changes,
)
from failover.models import PeerStatus, SiteState, StatusEvent

WINDOWS = {"1h": timedelta(hours=1), "24h": timedelta(hours=24), "7d": timedelta(days=7)}
DEFAULT_WINDOW = "24h"
PIXELS = 720
# Kinds whose last occurrence before the window sets the state at its start.
STATE_KINDS = ROLE_KINDS | CONFLICT_KINDS | REACH_KINDS
FIELDS = ("time", "kind", "details", "message", "actor")


@dataclass(frozen=True)
class PairAvailability:
    start: datetime
    end: datetime
    here_name: str
    here: Band
    peer_name: str
    peer: Band | None
    marks: list[Mark]
    counts: dict[str, int]
    summary: str


def _recorded(rows) -> list[Recorded]:
    return [Recorded(*row) for row in rows]


def _events(start: datetime, end: datetime) -> tuple[list[Recorded], bool]:
    """The window's timeline events, the last of each state kind before it,
    and whether any role change was found at all."""
    before = []
    for kind in STATE_KINDS:
        last = (
            StatusEvent.objects.filter(kind=kind, time__lt=start)
            .order_by("-id")
            .values_list(*FIELDS)[:1]
        )
        before.extend(_recorded(last))
    inside = _recorded(
        StatusEvent.objects.filter(kind__in=TIMELINE_KINDS, time__gte=start, time__lt=end)
        .order_by("id")
        .values_list(*FIELDS)
    )
    events = before + inside
    return events, any(event.kind in ROLE_KINDS for event in events)


def compute(start: datetime, end: datetime) -> PairAvailability:
    site = SiteState.load()
    events, any_role_change = _events(start, end)
    # Without a single role change on record, the role now is the best guess.
    initial = NONE if any_role_change else site.role
    changes = pair_changes(events, start, initial=initial)
    here = band(changes.here, start, end, state=initial)
    peer = band(changes.peer, start, end, state=changes.peer_initial)
    if peer.seconds[NONE] >= (end - start).total_seconds() and not site.in_relationship:
        peer = None
    here_name = settings.FAILOVER_SITE_NAME
    peer_name = _peer_name(site)
    counts = availability_summary.event_counts(mark.kind for mark in changes.marks)
    return PairAvailability(
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
        ),
    )


def _peer_name(site: SiteState) -> str:
    hostname = PeerStatus.load().hostname if site.in_relationship else ""
    return hostname or site.peer_host or "the peer"


def over(window: str = DEFAULT_WINDOW, now: datetime | None = None) -> PairAvailability:
    """The availability over the last ``window`` (a key of WINDOWS)."""
    length = WINDOWS[window]
    now = now or timezone.now()
    step = length.total_seconds() / PIXELS
    newest = StatusEvent.objects.order_by("-id").values_list("id", flat=True).first()
    site = SiteState.load()
    moment = int(now.timestamp() // step)
    key = f"failover:availability:{window}:{newest}:{site.role}:{site.relationship_id}:{moment}"
    result = cache.get(key)
    if result is None:
        result = compute(now - length, now)
        cache.set(key, result, timeout=max(10, int(step * 2)))
    return result


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

"""The availability timeline's drawing, computed here and only written out by
the template as SVG: where each band's spans, outages and marks go, the time
axis, the lag line and the throughput bars. Everything is in SVG units of a
fixed viewBox; colours come from the stylesheet by class (the page's
Content-Security-Policy allows no inline style)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from failover.availability import PairAvailability
from failover.domain.availability import Span
from failover.domain.availability_summary import STATE_WORDS, duration_words
from failover.domain.pair_history import Mark

LEFT, PLOT = 120, 720
WIDTH = LEFT + PLOT + 10
BAND_TOP, BAND_HEIGHT, BAND_GAP = 44, 22, 54
# Marks closer than this are stacked upwards (up to STACK high), not drawn over each other.
MARK_SPACING, STACK = 9, 3
CHART_HEIGHT = 70  # the lag and throughput charts' plot height
# More marks than this would be noise (and a long tab order): the rarer
# kinds are kept first, then the newest.
MAX_MARKS = 200
TICKS = {
    "1h": (timedelta(minutes=10), "%H:%M"),
    "24h": (timedelta(hours=3), "%H:%M"),
    "7d": (timedelta(days=1), "%a %d"),
}


@dataclass(frozen=True)
class Rect:
    x: float
    width: float
    css: str
    title: str


@dataclass(frozen=True)
class MarkView:
    x: float
    y: float
    category: str
    title: str


@dataclass(frozen=True)
class Row:
    name: str
    y: float
    spans: list[Rect]
    outages: list[Rect]
    marks: list[MarkView]


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


def when(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M:%S}"


class Scale:
    def __init__(self, start: datetime, end: datetime):
        self.start = start
        self.seconds = max((end - start).total_seconds(), 1e-9)

    def x(self, moment: datetime) -> float:
        offset = (moment - self.start).total_seconds() / self.seconds
        return round(LEFT + PLOT * min(max(offset, 0.0), 1.0), 2)

    def rect(self, span: Span, css: str, title: str, narrowest: float = 0.5) -> Rect:
        x = self.x(span.start)
        return Rect(x, round(max(self.x(span.end) - x, narrowest), 2), css, title)


def _span_rects(scale: Scale, spans: list[Span]) -> list[Rect]:
    return [
        scale.rect(
            span,
            f"state-{span.state}",
            f"{STATE_WORDS[span.state]} from {when(span.start)} to {when(span.end)} "
            f"({duration_words(span.seconds)})",
        )
        for span in spans
    ]


def _outage_rects(scale: Scale, outages: list[Span], what: str) -> list[Rect]:
    """Outages closer than a unit to each other are drawn as one."""
    merged: list[list] = []
    for outage in outages:
        if merged and scale.x(outage.start) - scale.x(merged[-1][1]) < 1:
            merged[-1][1], merged[-1][2] = outage.end, merged[-1][2] + 1
        else:
            merged.append([outage.start, outage.end, 1])
    rects = []
    for start, end, count in merged:
        span = Span(start, end)
        times = f"{count} times, " if count > 1 else ""
        title = f"{what} {times}{when(start)} to {when(end)} ({duration_words(span.seconds)})"
        # Even a blip of an outage stays visible.
        rects.append(scale.rect(span, "outage", title, narrowest=2))
    return rects


def _chosen_marks(marks: list[Mark]) -> list[Mark]:
    if len(marks) <= MAX_MARKS:
        return marks
    ranked = sorted(marks, key=lambda m: (m.category == "outage", -m.time.timestamp()))
    return sorted(ranked[:MAX_MARKS], key=lambda m: m.time)


def _mark_view(scale: Scale, mark: Mark, y: float) -> MarkView:
    x = scale.x(mark.time)
    by = "" if mark.actor == "system" else f" (by {mark.actor})"
    return MarkView(
        x=x,
        y=y,
        category=mark.category,
        title=f"{when(mark.time)} {mark.label}: {mark.message}{by}",
    )


def _stacked(scale: Scale, marks: list[Mark], y: float) -> list[MarkView]:
    views, level, last_x = [], 0, None
    for mark in marks:
        x = scale.x(mark.time)
        close = last_x is not None and x - last_x < MARK_SPACING
        level = (level + 1) % STACK if close else 0
        views.append(_mark_view(scale, mark, y - level * MARK_SPACING))
        last_x = x
    return views


def _ticks(start: datetime, end: datetime, window: str, scale: Scale) -> list[Tick]:
    step, fmt = TICKS[window]
    local = timezone.localtime(start)
    first = local.replace(minute=0, second=0, microsecond=0)
    if step >= timedelta(days=1):
        first = first.replace(hour=0)
    elif step >= timedelta(hours=1):
        first = first.replace(hour=first.hour - first.hour % (step // timedelta(hours=1)))
    ticks, moment = [], first
    while moment <= end:
        if moment >= start:
            ticks.append(Tick(scale.x(moment), f"{timezone.localtime(moment):{fmt}}"))
        moment += step
    return ticks


@dataclass(frozen=True)
class Timeline:
    window: str
    summary: str
    rows: list[Row]
    ticks: list[Tick]
    hidden_marks: int
    height: float
    not_drawn: Rect | None  # the window's part before the events drawn


def timeline(result: PairAvailability, window: str) -> Timeline:
    scale = Scale(result.window_start, result.end)
    not_drawn = None
    if result.start > result.window_start:
        not_drawn = scale.rect(
            Span(result.window_start, result.start),
            "not-drawn",
            f"Not drawn: too many events before {when(result.start)} (the history lists them)",
        )
    bands = [(result.here_name, result.here, "isolated")]
    if result.peer is not None:
        bands.append((result.peer_name, result.peer, "unreachable"))
    shown = _chosen_marks(result.marks)
    rows = []
    for index, (name, band, what) in enumerate(bands):
        y = BAND_TOP + index * (BAND_HEIGHT + BAND_GAP)
        on_peer = index == 1
        rows.append(
            Row(
                name=name,
                y=y,
                spans=_span_rects(scale, band.spans),
                outages=_outage_rects(scale, band.outages, f"{name} {what}"),
                marks=_stacked(scale, [m for m in shown if m.on_peer == on_peer], y - 7),
            )
        )
    return Timeline(
        window=window,
        summary=result.summary,
        rows=rows,
        ticks=_ticks(result.window_start, result.end, window, scale),
        not_drawn=not_drawn,
        hidden_marks=len(result.marks) - len(shown),
        height=BAND_TOP + len(rows) * (BAND_HEIGHT + BAND_GAP) + 4,
    )

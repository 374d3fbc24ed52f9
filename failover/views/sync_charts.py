"""The two charts beneath the availability timeline: the backup's lag over
time (from the lag samples) and each sync's throughput (from the sync runs),
drawn on the timeline's time scale."""

from dataclasses import dataclass
from datetime import datetime

from django.template.defaultfilters import filesizeformat

from failover.domain.availability_summary import duration_words
from failover.models import SyncRun
from failover.views.timeline_chart import CHART_HEIGHT, LEFT, PLOT, Scale, when

TOP = 8
BUCKETS = PLOT // 2
# Slices without a sample that break the lag line.
MAX_GAP = 3


@dataclass(frozen=True)
class LagChart:
    lines: list[str]  # polyline points, one per stretch of known lag
    highest: str  # the lag at the top of the chart, in words
    samples: int
    latest: str  # the last known lag, in words ("" if none)


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    height: float
    css: str
    title: str


@dataclass(frozen=True)
class ThroughputChart:
    bars: list[Bar]
    fastest: str
    runs: int


def _y(value: float, top_value: float) -> float:
    return round(TOP + CHART_HEIGHT * (1 - value / top_value), 2)


def lag_chart(samples: list[tuple[datetime, float | None]], scale: Scale) -> LagChart:
    """Each of BUCKETS slices of the window shows its highest lag; a slice
    whose samples knew no lag, or more than MAX_GAP slices without a sample,
    break the line."""
    buckets: dict[int, float | None] = {}
    for moment, lag in samples:
        slot = min(int((scale.x(moment) - LEFT) / PLOT * BUCKETS), BUCKETS - 1)
        if lag is None:
            buckets.setdefault(slot, None)
        else:
            buckets[slot] = max(lag, buckets.get(slot) or 0.0)
    known = [lag for lag in buckets.values() if lag is not None]
    top_value = max(known, default=0.0) or 1.0
    lines: list[str] = []
    points: list[str] = []

    def end_line():
        if points:  # a lone point is drawn as a dot
            lines.append(" ".join(points if len(points) > 1 else points * 2))
        points.clear()

    previous = None
    for slot in sorted(buckets):
        lag = buckets[slot]
        if lag is None or (previous is not None and slot - previous > MAX_GAP):
            end_line()  # the lag was unknown, or no sample was taken (no worker)
        previous = slot
        if lag is not None:
            x = round(LEFT + (slot + 0.5) * PLOT / BUCKETS, 2)
            points.append(f"{x},{_y(lag, top_value)}")
    end_line()
    latest = next((lag for _, lag in reversed(samples) if lag is not None), None)
    return LagChart(
        lines=lines,
        highest=duration_words(top_value) if known else "",
        samples=len(samples),
        latest=duration_words(latest) if latest is not None else "",
    )


def _describe(run: SyncRun) -> str:
    rate = run.rate or 0.0
    return (
        f"Sync #{run.pk} ({run.get_status_display().lower()}), finished {when(run.finished_at)}: "
        f"{filesizeformat(rate)}/s, {run.files_fetched} files and "
        f"{filesizeformat(run.bytes_transferred)} fetched in {duration_words(run.duration or 0)}"
    )


def throughput_chart(runs: list[SyncRun], scale: Scale) -> ThroughputChart:
    """One bar per sync, at its end; of syncs a unit apart, the fastest."""
    fastest = max((run.rate or 0.0 for run in runs), default=0.0)
    per_unit: dict[int, SyncRun] = {}
    for run in runs:
        unit = int(scale.x(run.finished_at))
        if unit not in per_unit or (run.rate or 0.0) > (per_unit[unit].rate or 0.0):
            per_unit[unit] = run
    bars = []
    for unit, run in sorted(per_unit.items()):
        height = round(max(CHART_HEIGHT * (run.rate or 0.0) / fastest, 1.0) if fastest else 1.0, 2)
        bars.append(
            Bar(
                x=min(unit, LEFT + PLOT - 3) - 1,
                y=round(TOP + CHART_HEIGHT - height, 2),
                height=height,
                css=f"sync-{run.status}",
                title=_describe(run),
            )
        )
    return ThroughputChart(
        bars=bars, fastest=f"{filesizeformat(fastest)}/s" if fastest else "", runs=len(runs)
    )


def finished_runs(start: datetime, end: datetime) -> list[SyncRun]:
    return list(
        SyncRun.objects.finished()
        .filter(finished_at__gte=start, finished_at__lt=end, started_at__isnull=False)
        .order_by("finished_at")
    )

"""The timeline's drawing, computed before the template writes it out: the
time scale, merged outages, stacked and chosen marks, ticks, the lag line and
the throughput bars."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from failover.domain.availability import Span
from failover.domain.pair_history import Mark
from failover.models import SyncRun
from failover.views import timeline_chart as chart
from failover.views.sync_charts import BUCKETS, lag_chart, throughput_chart

T0 = datetime(2026, 1, 1, tzinfo=UTC)
END = T0 + timedelta(hours=1)
SCALE = chart.Scale(T0, END)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def mark(seconds, category="role", kind="demoted"):
    return Mark(at(seconds), kind, "Demoted", category, False, "message", "system")


def test_the_scale_maps_the_window_onto_the_plot_and_clamps_outside_it():
    assert SCALE.x(T0) == chart.LEFT
    assert SCALE.x(END) == chart.LEFT + chart.PLOT
    assert SCALE.x(at(1800)) == chart.LEFT + chart.PLOT / 2
    assert SCALE.x(at(-60)) == chart.LEFT and SCALE.x(at(9999)) == chart.LEFT + chart.PLOT


def test_a_rect_is_never_narrower_than_asked():
    rect = SCALE.rect(Span(at(10), at(10.1)), "outage", "t", narrowest=2)
    assert rect.width == 2


def test_outages_closer_than_a_unit_are_drawn_as_one():
    outages = [Span(at(100), at(101)), Span(at(102), at(103)), Span(at(1000), at(1010))]
    rects = chart._outage_rects(SCALE, outages, "site-b unreachable")
    assert len(rects) == 2
    assert rects[0].title.startswith("site-b unreachable 2 times, ")
    assert "(3.0 s)" in rects[0].title
    assert rects[1].title.startswith("site-b unreachable 2026-01-01")


def test_marks_close_together_are_stacked():
    views = chart._stacked(SCALE, [mark(100), mark(101), mark(102), mark(103), mark(2000)], 40)
    assert [view.y for view in views] == [40, 31, 22, 40, 40]


def test_too_many_marks_keep_the_rare_ones_then_the_newest(monkeypatch):
    monkeypatch.setattr(chart, "MAX_MARKS", 3)
    marks = [mark(s, "outage", "peer_unreachable") for s in range(10)] + [mark(5, "failover")]
    chosen = chart._chosen_marks(marks)
    assert [(m.time, m.category) for m in chosen] == [
        (at(5), "failover"),
        (at(8), "outage"),
        (at(9), "outage"),
    ]


@pytest.mark.parametrize(
    "window,length,count",
    [("1h", timedelta(hours=1), 6), ("24h", timedelta(hours=24), 8), ("7d", timedelta(days=7), 7)],
)
def test_ticks_fall_on_round_times_inside_the_window(window, length, count, settings):
    settings.TIME_ZONE = "UTC"
    with timezone.override("UTC"):
        start = datetime(2026, 1, 1, 0, 30, tzinfo=UTC)
        ticks = chart._ticks(start, start + length, window, chart.Scale(start, start + length))
    assert len(ticks) in (count, count + 1)
    assert all(chart.LEFT <= tick.x <= chart.LEFT + chart.PLOT for tick in ticks)
    assert ticks[0].label == {"1h": "00:30", "24h": "03:00", "7d": "Fri 02"}[window]


def test_the_lag_line_breaks_where_the_lag_was_unknown_or_unsampled():
    samples = [(at(s), 10.0) for s in range(0, 600, 15)]
    samples += [(at(615), None)]
    samples += [(at(s), 20.0) for s in range(630, 900, 15)]
    samples += [(at(s), 5.0) for s in range(2400, 2500, 15)]  # after half an hour without samples
    result = lag_chart(samples, SCALE)
    assert len(result.lines) == 3
    assert result.highest == "20 s" and result.latest == "5.0 s"
    assert result.samples == len(samples)
    top = [point for point in result.lines[1].split() if point.endswith(",8.0")]
    assert top  # the highest lag touches the top of the chart


def test_a_lone_lag_sample_is_a_dot():
    result = lag_chart([(at(60), 3.0)], SCALE)
    (line,) = result.lines
    assert len(line.split()) == 2 and line.split()[0] == line.split()[1]


def test_no_known_lag_draws_nothing():
    result = lag_chart([(at(60), None)], SCALE)
    assert result.lines == [] and result.highest == "" and result.latest == ""


def test_the_lag_buckets_cover_the_plot():
    samples = [(at(s), 1.0) for s in range(0, 3600, 5)]
    (line,) = lag_chart(samples, SCALE).lines
    assert len(line.split()) == BUCKETS


def _run(pk, finished, rate_bytes, status="succeeded"):
    run = SyncRun(
        pk=pk,
        trigger="schedule",
        status=status,
        started_at=finished - timedelta(seconds=10),
        finished_at=finished,
        bytes_transferred=rate_bytes * 10,
        files_fetched=2,
    )
    return run


def test_each_sync_is_a_bar_as_tall_as_its_rate_and_the_fastest_of_a_unit_wins():
    runs = [_run(1, at(600), 1000), _run(2, at(600.5), 4000), _run(3, at(1800), 2000, "failed")]
    result = throughput_chart(runs, SCALE)
    assert result.runs == 3 and result.fastest == "3.9\xa0KB/s"
    assert [bar.css for bar in result.bars] == ["sync-succeeded", "sync-failed"]
    tall, half = result.bars
    assert tall.height == chart.CHART_HEIGHT and half.height == chart.CHART_HEIGHT / 2
    assert tall.title.startswith("Sync #2 (succeeded)")


def test_syncs_that_moved_nothing_still_show():
    result = throughput_chart([_run(1, at(60), 0)], SCALE)
    assert result.bars[0].height == 1.0 and result.fastest == ""

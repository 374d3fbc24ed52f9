"""The Failover page's availability timeline: the window chosen in the URL
(``?timeline=1h|24h|7d``) and what the partial template draws. Rendered with
the page and again by each poll of its live status (an out-of-band swap)."""

from urllib.parse import urlencode

from failover import availability
from failover.domain.history_filter import HistoryFilter
from failover.services.lag_samples import samples_between
from failover.views import timeline_chart
from failover.views.sync_charts import finished_runs, lag_chart, throughput_chart

LABELS = {"1h": "Last hour", "24h": "Last 24 hours", "7d": "Last 7 days"}


def requested_window(request) -> tuple[str, str]:
    """The window in the URL, and why it was ignored ("" if it was not)."""
    value = request.GET.get("timeline", availability.DEFAULT_WINDOW)
    if value in availability.WINDOWS:
        return value, ""
    return availability.DEFAULT_WINDOW, (
        f"Unknown timeline window “{value[:20]}”: showing the last 24 hours "
        f"(choose {', '.join(availability.WINDOWS)})."
    )


def _drawing(window: str):
    def build(result: availability.PairAvailability) -> dict:
        scale = timeline_chart.Scale(result.window_start, result.end)
        samples = samples_between(result.window_start, result.end)
        runs = finished_runs(result.window_start, result.end)
        return {
            "timeline": timeline_chart.timeline(result, window),
            "lag_chart": lag_chart(samples, scale),
            "throughput_chart": throughput_chart(runs, scale),
        }

    return build


def timeline_context(request, wanted: HistoryFilter) -> dict:
    window, error = requested_window(request)
    return {
        **availability.cached("timeline", window, _drawing(window)),
        "timeline_error": error,
        "timeline_links": [
            {
                "window": choice,
                "label": LABELS[choice],
                "query": urlencode([*wanted.as_query(), ("timeline", choice)]),
                "current": choice == window,
            }
            for choice in availability.WINDOWS
        ],
        "chart": {"left": timeline_chart.LEFT, "width": timeline_chart.WIDTH},
    }

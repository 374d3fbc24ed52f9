"""The Failover page's availability timeline: the window switch kept in the
URL, the bands, marks and outages, the summary, the lag and throughput charts,
and its refresh by the live status's polls."""

import re
import uuid
from datetime import timedelta

import pytest
from django.core.cache.backends.locmem import LocMemCache
from django.utils import timezone

from failover import availability
from failover.domain.roles import Role
from failover.models import LagSample, PeerStatus, StatusEvent, SyncRun
from tests.fixtures.fake_peer import paired_site

pytestmark = pytest.mark.django_db
PAGE = "/management/failover/"
LIVE = {"HX-Request": "true", "HX-Target": "failover-live"}


@pytest.fixture(autouse=True)
def _fresh_cache(monkeypatch):
    monkeypatch.setattr(availability, "cache", LocMemCache(f"timeline-{uuid.uuid4()}", {}))


def _event(kind, seconds_ago, message=None, **details):
    event = StatusEvent.record(kind, message or f"{kind} for the test", **details)
    StatusEvent.objects.filter(pk=event.pk).update(
        time=timezone.now() - timedelta(seconds=seconds_ago)
    )


@pytest.fixture
def swapped_then_failed_over():
    """This site (paired as primary 3 days ago) swapped 2 h ago; the peer
    was lost 30 min ago and this site failed over 3.4 s later."""
    paired_site(Role.PRIMARY)
    PeerStatus.start_watching({"hostname": "site-b", "role": "backup", "epoch": 1})
    _event("paired", 3 * 86400, "Failover relationship set up", role="primary", epoch=1)
    _event("role_swapped", 7200, "Planned role swap: this site is now the backup", role="backup")
    _event("peer_unreachable", 1800, "Peer site-b became unreachable: refused")
    _event("failover", 1800 - 3.4, "primary unreachable for 3.4 s; became primary", role="primary")


def _section(html: str) -> str:
    start = html.index('<section id="timeline"')
    return html[start : html.index("</section>", start)]


def test_the_page_has_the_timeline_above_the_history(staff_client):
    html = staff_client.get(PAGE).content.decode()
    assert html.index('id="timeline"') < html.index('id="history"')
    section = _section(html)
    assert '<h2 id="timeline-heading">Availability</h2>' in section
    assert '<svg class="timeline chart"' in section


def test_the_window_defaults_to_24_hours_and_the_switch_keeps_the_filter(staff_client):
    section = _section(staff_client.get(PAGE, {"kind": "failover"}).content.decode())
    for window in ("1h", "24h", "7d"):
        assert f'href="?kind=failover&amp;timeline={window}#timeline"' in section
    current = re.findall(r'<a href="\?[^"]*timeline=(\w+)#timeline" class="active"', section)
    assert current == ["24h"]
    assert 'name="timeline" value="24h" form="history-filter"' in section


def test_each_window_marks_only_its_own_events(staff_client, swapped_then_failed_over):
    last_hour = _section(staff_client.get(PAGE, {"timeline": "1h"}).content.decode())
    assert "became primary" in last_hour
    assert "Planned role swap" not in last_hour
    assert re.search(r'timeline=1h#timeline" class="active"', last_hour)
    day = _section(staff_client.get(PAGE, {"timeline": "24h"}).content.decode())
    assert "Planned role swap" in day and "relationship set up" not in day.lower()
    week = _section(staff_client.get(PAGE, {"timeline": "7d"}).content.decode())
    assert "Failover relationship set up" in week


def test_role_changes_failovers_and_outages_are_marked(staff_client, swapped_then_failed_over):
    section = _section(staff_client.get(PAGE).content.decode())
    for category in ("swap", "failover", "outage"):
        assert f'<g class="mark {category}" tabindex="0" role="img"' in section
    # Each mark shows its event on hover (title) and on focus (its label).
    assert re.search(r"<title>[-\d: ]+ Failover: primary unreachable for 3.4 s", section)
    assert 'class="mark-label"' in section
    # Both bands: this site (primary, backup, primary) and site-b, with its outage.
    bands = re.findall(r'<g class="band" data-site="([^"]+)">', section)
    assert bands[1] == "site-b"
    assert section.count('class="span state-primary"') == 3  # here twice, the peer once
    assert section.count('class="span state-backup"') == 3
    assert re.search(r'<rect class="outage"[^>]*><title>site-b unreachable', section)


def test_the_summary_says_it_in_words(staff_client, swapped_then_failed_over):
    section = _section(staff_client.get(PAGE).content.decode())
    summary = re.search(r'<p id="timeline-summary">([^<]+)</p>', section).group(1)
    assert "site-b" in summary
    assert "1 outage, longest 30 min" in summary
    assert "1 failover, 1 swap, 0 conflicts" in summary
    assert 'aria-describedby="timeline-summary"' in section


def test_a_conflict_is_marked(staff_client):
    paired_site(Role.PRIMARY)
    _event("paired", 7200, role="primary")
    _event("conflict_detected", 600, "Conflict: both sites are primary")
    section = _section(staff_client.get(PAGE).content.decode())
    assert '<g class="mark conflict"' in section
    assert "1 conflict." in section


def test_an_unknown_window_is_said_and_the_default_shown(staff_client):
    response = staff_client.get(PAGE, {"timeline": "2w"})
    assert response.status_code == 200
    section = _section(response.content.decode())
    assert "Unknown timeline window “2w”" in section
    assert re.search(r'timeline=24h#timeline" class="active"', section)


def test_the_live_status_poll_redraws_the_timeline_for_the_chosen_window(
    staff_client, swapped_then_failed_over
):
    live = staff_client.get(
        PAGE, {"timeline": "1h", "rendered_role": "primary", "after": 0}, headers=LIVE
    ).content.decode()
    assert (
        '<section id="timeline" class="card" aria-labelledby="timeline-heading" hx-swap-oob="true">'
        in live
    )
    assert "became primary" in _section(live)
    assert re.search(r'timeline=1h#timeline" class="active"', live)


def test_the_page_polls_with_the_timeline_window(staff_client):
    html = staff_client.get(PAGE).content.decode()
    assert 'hx-include="#history-cursor, #history-filter, #timeline-window"' in html


def test_the_timeline_needs_no_inline_style_or_script(staff_client, swapped_then_failed_over):
    section = _section(staff_client.get(PAGE).content.decode())
    assert "style=" not in section and "<script" not in section
    assert not re.search(r"\son\w+=", section)  # no event handler attribute


def test_the_lag_chart_draws_the_samples(staff_client):
    now = timezone.now()
    # Every 15 s, as the heartbeat samples: 10 min known, 1 min unknown, 10 min known.
    lags = [10.0] * 19 + [30.0] + [None] * 4 + [5.0] * 39 + [8.0]
    for index, lag in enumerate(lags):
        moment = now - timedelta(minutes=40) + timedelta(seconds=15 * index)
        LagSample.objects.create(time=moment, lag_seconds=lag)
    section = _section(staff_client.get(PAGE, {"timeline": "1h"}).content.decode())
    assert section.count('<polyline class="lag-line"') == 2  # broken where the lag was unknown
    assert "Up to 30 s behind in this window; 8.0 s at the last sample (64 samples)." in section


def test_without_samples_the_lag_is_unknown(staff_client):
    section = _section(staff_client.get(PAGE).content.decode())
    assert "No lag known in this window" in section
    assert "lag-line" not in section


def test_each_sync_has_a_throughput_bar(staff_client):
    now = timezone.now()
    for minutes, transferred, status in ((40, 10_000_000, "succeeded"), (20, 0, "failed")):
        SyncRun.objects.create(
            trigger="schedule",
            status=status,
            started_at=now - timedelta(minutes=minutes, seconds=10),
            finished_at=now - timedelta(minutes=minutes),
            bytes_transferred=transferred,
            files_fetched=3,
        )
    section = _section(staff_client.get(PAGE, {"timeline": "1h"}).content.decode())
    assert section.count('<rect class="bar sync-') == 2
    assert re.search(
        r"Sync #\d+ \(succeeded\), finished [-\d: ]+: 976\.6\xa0KB/s, 3 files", section
    )
    assert "2 syncs on this site in this window, the fastest at 976.6\xa0KB/s." in section


def test_a_window_with_too_many_events_draws_the_newest(staff_client, monkeypatch):
    monkeypatch.setattr(availability, "MAX_EVENTS", 4)
    paired_site(Role.BACKUP)
    PeerStatus.start_watching({"hostname": "site-b", "role": "primary", "epoch": 1})
    _event("paired", 7200, role="backup", epoch=1)
    for minutes in range(50, 0, -10):
        _event("peer_unreachable", minutes * 60 + 30)
        _event("peer_reachable", minutes * 60)
    section = _section(staff_client.get(PAGE, {"timeline": "1h"}).content.decode())
    assert '<rect class="not-drawn"' in section
    assert "Too many events to count them all: only the newest 4" in section
    assert "2 outages, longest 30 s" in section
    # The state before the drawn events is still known: site-b was primary.
    assert "site-b primary" in section

"""The ``availability`` key of the status: the API and the command line read
the last 24 hours of the status history the same way."""

import json
import uuid
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.utils import timezone

from failover import availability
from failover.domain.roles import Role
from failover.models import PeerStatus, StatusEvent
from tests.fixtures.fake_peer import paired_site
from tests.fixtures.processes import run_command

pytestmark = pytest.mark.django_db
DAY = 86400


@pytest.fixture(autouse=True)
def _fresh_cache(monkeypatch):
    monkeypatch.setattr(availability, "cache", LocMemCache(f"availability-{uuid.uuid4()}", {}))


def _event(kind, seconds_ago, **details):
    event = StatusEvent.record(kind, f"{kind} for the test", **details)
    StatusEvent.objects.filter(pk=event.pk).update(
        time=timezone.now() - timedelta(seconds=seconds_ago)
    )


@pytest.fixture
def a_day_with_a_swap_and_a_failover():
    """Primary from two days ago; a swap 10 h ago; the peer lost 1 h ago
    and this site failed over 3.4 s later."""
    paired_site(Role.PRIMARY)
    PeerStatus.start_watching({"hostname": "site-b", "role": "backup", "epoch": 1})
    _event("paired", 2 * DAY, role="primary", epoch=1)
    _event("role_swapped", 10 * 3600, role="backup", epoch=2)
    _event("peer_unreachable", 3600)
    _event("failover", 3600 - 3.4, role="primary", epoch=3)


def _check(availability):
    here, peer = availability["sites"]
    assert here["hostname"] == settings.FAILOVER_SITE_NAME and here["this_site"] is True
    assert peer["hostname"] == "site-b" and peer["this_site"] is False
    assert sum(here["seconds"].values()) == pytest.approx(DAY, abs=1)
    assert sum(peer["seconds"].values()) == pytest.approx(DAY, abs=1)
    assert here["seconds"]["backup"] == pytest.approx(9 * 3600 + 3.4, abs=1)
    assert here["seconds"]["primary"] == pytest.approx(15 * 3600 - 3.4, abs=1)
    assert peer["seconds"]["primary"] == pytest.approx(9 * 3600 + 3.4, abs=1)
    assert here["outages"] == 0
    assert peer["outages"] == 1
    assert peer["longest_outage_seconds"] == pytest.approx(3600, abs=1)  # still out
    assert (availability["failovers"], availability["swaps"]) == (1, 1)
    assert availability["conflicts"] == 0
    assert "1 failover, 1 swap" in availability["summary"]
    assert "site-b" in availability["summary"]


def test_the_api_status_has_the_availability_of_both_sites(
    staff_client, a_day_with_a_swap_and_a_failover
):
    _check(staff_client.get("/api/v1/failover").json()["availability"])


def test_the_command_line_status_has_the_same_availability(a_day_with_a_swap_and_a_failover):
    done = run_command("failover", "status", "--json")
    assert done.returncode == 0, done.stderr
    _check(json.loads(done.stdout)["availability"])


def test_a_standalone_site_has_only_its_own_band(staff_client):
    availability = staff_client.get("/api/v1/failover").json()["availability"]
    (here,) = availability["sites"]
    assert here["seconds"]["none"] == pytest.approx(DAY, abs=1)
    assert here["outages"] == 0 and here["longest_outage_seconds"] == 0
    assert availability["failovers"] == 0


def test_events_older_than_a_day_only_set_the_starting_role(staff_client):
    paired_site(Role.BACKUP)
    _event("paired", 3 * DAY, role="backup", epoch=1)
    _event("peer_unreachable", 2 * DAY)
    _event("peer_reachable", 2 * DAY - 5)
    availability = staff_client.get("/api/v1/failover").json()["availability"]
    here, peer = availability["sites"]
    assert here["seconds"]["backup"] == pytest.approx(DAY, abs=1)
    assert peer["seconds"]["primary"] == pytest.approx(DAY, abs=1)
    assert peer["outages"] == 0


def test_too_many_events_move_the_start_and_still_add_up(staff_client, monkeypatch):
    monkeypatch.setattr(availability, "MAX_EVENTS", 2)
    paired_site(Role.PRIMARY)
    _event("paired", 2 * DAY, role="primary", epoch=1)
    for hours in (20, 10, 5):
        _event("peer_unreachable", hours * 3600 + 10)
        _event("peer_reachable", hours * 3600)
    body = staff_client.get("/api/v1/failover").json()["availability"]
    since, until = (datetime.fromisoformat(body[key]) for key in ("since", "until"))
    assert (until - since).total_seconds() == pytest.approx(5 * 3600 + 10, abs=2)
    here, peer = body["sites"]
    assert sum(here["seconds"].values()) == pytest.approx((until - since).total_seconds())
    assert here["seconds"]["primary"] == pytest.approx((until - since).total_seconds())
    assert peer["outages"] == 1
    assert "only the newest 2" in body["summary"]


def test_the_readable_status_ends_with_the_summary(a_day_with_a_swap_and_a_failover):
    done = run_command("failover", "status")
    assert done.returncode == 0, done.stderr
    last = done.stdout.strip().splitlines()[-1]
    assert last.startswith("Last 24 h:   ")
    assert "1 failover, 1 swap, 0 conflicts." in last

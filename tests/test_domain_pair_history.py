"""Both sites' roles and reachability, replayed from this site's history, and
the availability summary in words."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from failover.domain.availability import BACKUP, NONE, PRIMARY, STEPPED_DOWN, band
from failover.domain.availability_summary import (
    duration_words,
    event_counts,
    summary,
)
from failover.domain.pair_history import TIMELINE_KINDS, Recorded, pair_changes, role_after

T0 = datetime(2026, 1, 1, tzinfo=UTC)
END = T0 + timedelta(hours=1)


def ev(seconds, kind, message="", **details):
    return Recorded(T0 + timedelta(seconds=seconds), kind, details, message)


def bands(events, initial=NONE):
    changes = pair_changes(events, T0, initial=initial)
    return (
        band(changes.here, T0, END, state=initial),
        band(changes.peer, T0, END, state=changes.peer_initial),
        changes,
    )


@pytest.mark.parametrize(
    "event,role",
    [
        (ev(0, "paired", role="primary"), PRIMARY),
        (ev(0, "paired", role="backup"), BACKUP),
        (ev(0, "paired", "Failover relationship set up by a: this site is the backup"), BACKUP),
        (ev(0, "paired", "Failover relationship set up: this site is the primary"), PRIMARY),
        (ev(0, "failover", role="primary"), PRIMARY),
        (ev(0, "demoted", role="backup"), BACKUP),
        (ev(0, "role_swapped", role="primary"), PRIMARY),
        (ev(0, "conflict_fixed", role="backup"), BACKUP),
        (ev(0, "unpaired"), NONE),
        (ev(0, "confirming_primary"), STEPPED_DOWN),
        (ev(0, "primary_confirmed"), PRIMARY),
        (ev(0, "peer_unreachable"), None),
        (ev(0, "sync_succeeded"), None),
        (ev(0, "role_swapped", role="leader"), None),  # nonsense in details is ignored
    ],
)
def test_role_after_each_kind(event, role):
    assert role_after(event) == role


def test_pairing_as_primary_makes_the_peer_the_backup():
    here, peer, _ = bands([ev(600, "paired", role="primary")])
    assert here.seconds[NONE] == 600 and here.seconds[PRIMARY] == 3000
    assert peer.seconds[NONE] == 600 and peer.seconds[BACKUP] == 3000


def test_a_swap_then_a_failover_as_the_surviving_site_sees_them():
    events = [
        ev(-100, "paired", role="primary"),
        ev(1000, "role_swapped", role="backup"),
        ev(2000, "peer_unreachable"),
        ev(2005, "failover", role="primary"),
    ]
    here, peer, changes = bands(events)
    assert [span.state for span in here.spans] == [PRIMARY, BACKUP, PRIMARY]
    assert [span.state for span in peer.spans] == [BACKUP, PRIMARY, BACKUP]
    assert peer.outage_count == 1 and peer.longest_outage == 1600  # still down at the end
    assert here.outages == []
    # Only the events inside the window are marked; each on its site's band.
    assert [(m.kind, m.category, m.on_peer) for m in changes.marks] == [
        ("role_swapped", "swap", False),
        ("peer_unreachable", "outage", True),
        ("failover", "failover", False),
    ]


def test_the_peer_coming_back_ends_its_outage():
    events = [
        ev(-5, "paired", role="backup"),
        ev(10, "peer_unreachable"),
        ev(13.4, "peer_reachable"),
    ]
    _, peer, _ = bands(events)
    assert peer.outage_count == 1 and peer.longest_outage == pytest.approx(3.4)


def test_unpairing_ends_an_outage_and_both_roles():
    events = [ev(-5, "paired", role="backup"), ev(10, "peer_unreachable"), ev(20, "unpaired")]
    here, peer, _ = bands(events)
    assert peer.longest_outage == 10
    assert here.seconds[NONE] == 3580
    assert peer.seconds[NONE] == 3580


def test_during_a_conflict_the_peer_has_this_sites_role():
    events = [
        ev(-5, "paired", role="primary"),
        ev(100, "conflict_detected"),
        ev(200, "conflict_fixed", role="primary"),
    ]
    _, peer, changes = bands(events)
    assert peer.seconds[PRIMARY] == 100
    assert peer.seconds[BACKUP] == 3500
    assert {m.category for m in changes.marks} == {"conflict"}


def test_a_conflict_resolved_by_itself_gives_the_peer_its_role_back():
    events = [
        ev(-5, "paired", role="backup"),
        ev(100, "conflict_detected"),
        ev(150, "conflict_resolved"),
    ]
    _, peer, _ = bands(events)
    assert peer.seconds[BACKUP] == 50 and peer.seconds[PRIMARY] == 3550


def test_a_restarted_primary_waiting_to_confirm_has_stepped_down():
    events = [
        ev(-5, "paired", role="primary"),
        ev(100, "confirming_primary"),
        ev(130, "primary_confirmed"),
    ]
    here, peer, _ = bands(events)
    assert here.seconds[STEPPED_DOWN] == 30
    assert peer.seconds[BACKUP] == 3600


def test_isolation_is_this_sites_outage_until_the_peer_answers():
    events = [
        ev(-5, "paired", role="backup"),
        ev(10, "peer_unreachable"),
        ev(15, "isolated"),
        ev(40, "peer_reachable"),
    ]
    here, peer, _ = bands(events)
    assert here.longest_outage == 25
    assert peer.longest_outage == 30


def test_without_events_this_site_keeps_its_initial_role():
    here, peer, changes = bands([], initial=PRIMARY)
    assert here.seconds[PRIMARY] == 3600
    assert peer.seconds[BACKUP] == 3600
    assert changes.marks == []


@pytest.mark.parametrize(
    "seconds,words",
    [
        (0, "0.0 s"),
        (3.44, "3.4 s"),
        (12.6, "13 s"),
        (60, "1 min"),
        (725, "12 min 5 s"),
        (3600, "1 h"),
        (86280, "23 h 58 min"),
        (86400, "1 d"),
        (7 * 86400 - 3600, "6 d 23 h"),
    ],
)
def test_duration_words(seconds, words):
    assert duration_words(seconds) == words


def test_event_counts():
    kinds = ["failover", "failover", "role_swapped", "conflict_detected", "peer_unreachable"]
    assert event_counts(kinds) == {"failovers": 2, "swaps": 1, "conflicts": 1}


def test_summary_names_each_site_its_roles_outages_and_the_counts():
    events = [
        ev(-100, "paired", role="primary"),
        ev(120, "peer_unreachable"),
        ev(123.4, "peer_reachable"),
    ]
    here, peer, changes = bands(events)
    counts = event_counts(m.kind for m in changes.marks)
    assert summary(("site-a", here), ("site-b", peer), counts) == (
        "site-a primary 1 h; site-b backup 1 h, 1 outage, longest 3.4 s; "
        "0 failovers, 0 swaps, 0 conflicts."
    )


def test_summary_of_a_standalone_site():
    here, _, _ = bands([])
    assert summary(("site-a", here), None, event_counts([])) == (
        "site-a standalone 1 h; 0 failovers, 0 swaps, 0 conflicts."
    )


KINDS = sorted(TIMELINE_KINDS)
recorded_events = st.lists(
    st.builds(
        Recorded,
        time=st.integers(min_value=-3600, max_value=7200).map(lambda s: T0 + timedelta(seconds=s)),
        kind=st.sampled_from(KINDS),
        details=st.fixed_dictionaries({"role": st.sampled_from([PRIMARY, BACKUP, NONE])}),
    ),
    max_size=30,
)


@given(recorded_events, st.sampled_from([PRIMARY, BACKUP, NONE]))
def test_any_history_gives_two_bands_that_tile_the_window(events, initial):
    here, peer, changes = bands(events, initial)
    for site_band in (here, peer):
        assert sum(site_band.seconds.values()) == pytest.approx(3600)
        assert all(T0 <= o.start < o.end <= END for o in site_band.outages)
    # The peer is paired exactly when this site is.
    assert peer.seconds[NONE] == pytest.approx(here.seconds[NONE])
    assert all(mark.time >= T0 for mark in changes.marks)

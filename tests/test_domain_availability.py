"""The availability band: seconds per state and outages over a window."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from failover.domain.availability import (
    BACKUP,
    NONE,
    PRIMARY,
    STATES,
    STEPPED_DOWN,
    Change,
    Span,
    band,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)
END = T0 + timedelta(hours=1)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_no_change_keeps_the_initial_state_for_the_whole_window():
    result = band([], T0, END, state=PRIMARY)
    assert result.spans == [Span(T0, END, PRIMARY)]
    assert result.seconds == {PRIMARY: 3600, BACKUP: 0, NONE: 0, STEPPED_DOWN: 0}
    assert result.outages == []
    assert result.outage_count == 0
    assert result.longest_outage == 0


def test_a_role_change_splits_the_window():
    result = band([Change(at(600), BACKUP)], T0, END, state=PRIMARY)
    assert result.spans == [Span(T0, at(600), PRIMARY), Span(at(600), END, BACKUP)]
    assert result.seconds[PRIMARY] == 600
    assert result.seconds[BACKUP] == 3000


def test_changes_are_taken_in_time_order_whatever_their_order_in_the_list():
    changes = [Change(at(2000), PRIMARY), Change(at(1000), BACKUP)]
    result = band(changes, T0, END, state=NONE)
    assert [span.state for span in result.spans] == [NONE, BACKUP, PRIMARY]
    assert result.seconds == {NONE: 1000, BACKUP: 1000, PRIMARY: 1600, STEPPED_DOWN: 0}


def test_a_change_to_the_same_state_does_not_split_it():
    result = band([Change(at(10), PRIMARY)], T0, END, state=PRIMARY)
    assert result.spans == [Span(T0, END, PRIMARY)]


def test_changes_before_the_window_set_the_state_at_its_start():
    changes = [Change(at(-500), BACKUP), Change(at(-100), PRIMARY)]
    result = band(changes, T0, END, state=NONE)
    assert result.spans == [Span(T0, END, PRIMARY)]


def test_changes_at_or_after_the_end_are_ignored():
    result = band([Change(END, BACKUP), Change(at(4000), NONE)], T0, END, state=PRIMARY)
    assert result.spans == [Span(T0, END, PRIMARY)]


def test_a_change_at_the_start_sets_the_state_without_an_empty_span():
    result = band([Change(T0, BACKUP)], T0, END, state=PRIMARY)
    assert result.spans == [Span(T0, END, BACKUP)]


def test_an_outage_is_counted_from_unreachable_to_reachable():
    changes = [Change(at(100), reachable=False), Change(at(103.4), reachable=True)]
    result = band(changes, T0, END, state=BACKUP)
    assert result.outages == [Span(at(100), at(103.4))]
    assert result.outage_count == 1
    assert result.longest_outage == pytest.approx(3.4)
    assert result.seconds[BACKUP] == 3600  # an outage is no state of its own


def test_repeated_unreachable_notes_do_not_restart_the_outage():
    changes = [
        Change(at(100), reachable=False),
        Change(at(200), reachable=False),
        Change(at(300), reachable=True),
        Change(at(400), reachable=True),
    ]
    assert band(changes, T0, END).outages == [Span(at(100), at(300))]


def test_an_outage_open_at_the_end_is_cut_there():
    result = band([Change(at(3000), reachable=False)], T0, END)
    assert result.outages == [Span(at(3000), END)]
    assert result.longest_outage == 600


def test_an_outage_begun_before_the_window_counts_from_its_start():
    changes = [Change(at(-50), reachable=False), Change(at(20), reachable=True)]
    assert band(changes, T0, END).outages == [Span(T0, at(20))]


def test_an_outage_over_before_the_window_does_not_count():
    changes = [Change(at(-50), reachable=False), Change(at(-20), reachable=True)]
    assert band(changes, T0, END).outages == []


def test_unreachable_at_the_start_is_an_outage_from_the_start():
    result = band([Change(at(60), reachable=True)], T0, END, reachable=False)
    assert result.outages == [Span(T0, at(60))]


def test_the_longest_of_several_outages():
    changes = [
        Change(at(10), reachable=False),
        Change(at(12), reachable=True),
        Change(at(100), reachable=False),
        Change(at(107), reachable=True),
    ]
    result = band(changes, T0, END)
    assert result.outage_count == 2
    assert result.longest_outage == 7


def test_a_change_may_carry_a_state_and_reachability_at_once():
    result = band([Change(at(30), PRIMARY, reachable=False)], T0, END, state=BACKUP)
    assert result.seconds[PRIMARY] == 3570
    assert result.outages == [Span(at(30), END)]


def test_an_empty_window_has_one_empty_span():
    result = band([Change(T0, BACKUP)], T0, T0, state=PRIMARY)
    assert result.spans == [Span(T0, T0, PRIMARY)]
    assert sum(result.seconds.values()) == 0


@pytest.mark.parametrize(
    "changes,kwargs",
    [
        ([], {"state": "leader"}),
        ([Change(at(1), "leader")], {}),
    ],
)
def test_an_unknown_state_is_refused(changes, kwargs):
    with pytest.raises(ValueError, match="unknown state"):
        band(changes, T0, END, **kwargs)


def test_a_window_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="ends before"):
        band([], END, T0)


changes_strategy = st.lists(
    st.builds(
        Change,
        time=st.integers(min_value=-3600, max_value=7200).map(at),
        state=st.none() | st.sampled_from(STATES),
        reachable=st.none() | st.booleans(),
    ),
    max_size=40,
)


@given(changes_strategy, st.sampled_from(STATES), st.booleans())
def test_the_seconds_add_up_to_the_window_and_spans_tile_it(changes, state, reachable):
    result = band(changes, T0, END, state=state, reachable=reachable)
    assert sum(result.seconds.values()) == pytest.approx(3600)
    assert result.spans[0].start == T0
    assert result.spans[-1].end == END
    for before, after in zip(result.spans, result.spans[1:], strict=False):
        assert before.end == after.start
        assert before.state != after.state
        assert before.seconds > 0


@given(changes_strategy, st.booleans())
def test_outages_lie_in_the_window_in_order_without_overlap(changes, reachable):
    result = band(changes, T0, END, reachable=reachable)
    for outage in result.outages:
        assert T0 <= outage.start < outage.end <= END
    for before, after in zip(result.outages, result.outages[1:], strict=False):
        assert before.end <= after.start
    assert sum(o.seconds for o in result.outages) <= 3600

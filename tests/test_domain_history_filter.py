"""Reading a history filter from a query string."""

from datetime import UTC, datetime

import pytest
from django.http import QueryDict

from failover.domain.history_filter import HistoryFilter, parse_history_filter


def parse(query: str) -> HistoryFilter:
    return parse_history_filter(QueryDict(query), UTC)


def test_an_empty_query_is_no_filter():
    assert parse("") == HistoryFilter() and not parse("").active


def test_every_part():
    wanted = parse(
        "kind=failover&kind=demoted&kind=failover&actor=alice&q=+became+&since=2026-11-01"
    )
    assert wanted.kinds == ("failover", "demoted")
    assert (wanted.actor, wanted.text) == ("alice", "became")
    assert wanted.since == datetime(2026, 11, 1, tzinfo=UTC)


def test_a_date_until_covers_its_whole_day_and_times_keep_their_zone():
    assert parse("until=2026-11-01").until == datetime(2026, 11, 2, tzinfo=UTC)
    since = parse("since=2026-11-01T10:30+02:00").since
    assert since == datetime(2026, 11, 1, 8, 30, tzinfo=UTC)


def test_the_filter_round_trips_through_a_url():
    wanted = parse("kind=paired&actor=bob&since=2026-11-01T10:00&q=x")
    assert parse_history_filter(_as_query(wanted), UTC) == wanted


def _as_query(wanted: HistoryFilter) -> QueryDict:
    query = QueryDict(mutable=True)
    for name, value in wanted.as_query():
        query.appendlist(name, value)
    return query


@pytest.mark.parametrize(
    "query,message",
    [
        ("kind=failvoer", "not an event kind"),
        ("since=yesterday", "is not a date"),
        ("until=2026-02-30", "is not a date"),
        ("since=2026-11-02&until=2026-11-01", "since must be before until"),
        ("q=" + "x" * 201, "limited to 200 characters"),
    ],
)
def test_bad_filters_say_why(query, message):
    with pytest.raises(ValueError, match=message):
        parse(query)

"""What a site would lose to its peer's data: only the writes made here since
the peer last held this site's data, and only where the replacement differs."""

import pytest

from failover.domain.divergence import Divergence, lost_rows, lost_writes

SIZES = {"a": 1, "b": 10, "c": 100, "d": 1000}


@pytest.mark.parametrize(
    "local,baseline,incoming,expected",
    [
        # Nothing written here since the peer last had it: nothing is lost,
        # whatever the peer changed since.
        ({"a": "1"}, {"a": "1"}, {"a": "2", "b": "9"}, Divergence()),
        # A write here the peer lacks.
        ({"a": "2"}, {"a": "1"}, {"a": "1"}, Divergence(changed=("a",), bytes=1)),
        # A file made here, one deleted here.
        (
            {"a": "1", "b": "x"},
            {"a": "1", "c": "3"},
            {"a": "1", "c": "3"},
            Divergence(added=("b",), deleted=("c",), bytes=10),
        ),
        # The peer made the very same change: nothing is lost.
        ({"a": "2"}, {"a": "1"}, {"a": "2"}, Divergence()),
        # No baseline (the peer never held this site's data): every difference.
        (
            {"a": "1", "d": "4"},
            None,
            {"a": "2"},
            Divergence(added=("d",), changed=("a",), bytes=1001),
        ),
        ({}, None, {}, Divergence()),
    ],
)
def test_lost_writes(local, baseline, incoming, expected):
    assert lost_writes(local, baseline, incoming, SIZES) == expected


def test_rows_unchanged_since_the_peer_held_them_lose_nothing():
    assert lost_rows({"user#1": "a"}, "d1", "d1", {"user#1": "b"}).empty


def test_rows_changed_here_are_listed_by_model_and_key():
    lost = lost_rows({"user#1": "a", "user#2": "new"}, "d0", "d1", {"user#1": "A", "token#5": "t"})
    assert (lost.added, lost.changed, lost.deleted) == (("user#2",), ("user#1",), ("token#5",))
    assert lost.count == 3

from datetime import datetime, timedelta

import pytest

from failover.domain.health import (
    PeerSnapshot,
    calls_for_announcement,
    check_events,
    silent_since,
    site_problems,
)

UP = {"hostname": "b", "role": "backup", "epoch": 3}


def _kinds(previous, report, error="boom"):
    return [kind for kind, _ in check_events(previous, report, error)]


@pytest.mark.parametrize(
    "previous,report,expected",
    [
        (PeerSnapshot("b", None, "", None), UP, []),  # first check succeeds
        (PeerSnapshot("b", None, "", None), None, ["peer_unreachable"]),  # first check fails
        (PeerSnapshot("b", True, "backup", 3), UP, []),  # nothing changed
        (PeerSnapshot("b", True, "backup", 3), None, ["peer_unreachable"]),
        (PeerSnapshot("b", False, "backup", 3), None, []),  # still down: no repeat
        (PeerSnapshot("b", False, "backup", 3), UP, ["peer_reachable"]),
        (PeerSnapshot("b", True, "primary", 3), UP, ["peer_changed"]),
        (PeerSnapshot("b", True, "backup", 2), UP, ["peer_changed"]),
        (PeerSnapshot("b", False, "primary", 2), UP, ["peer_reachable", "peer_changed"]),
    ],
)
def test_only_changes_make_events(previous, report, expected):
    assert _kinds(previous, report) == expected


def test_messages_name_the_peer_and_the_error():
    [(_, message)] = check_events(PeerSnapshot("site-b", True, "backup", 1), None, "timed out")
    assert message == "Peer site-b became unreachable: timed out"
    [(_, message)] = check_events(PeerSnapshot("b", True, "primary", 1), UP, "")
    assert message == "Peer b is now backup at epoch 3 (was primary at epoch 1)."


def test_site_problems():
    healthy = dict(
        in_relationship=True,
        key_set=True,
        health_worker_alive=True,
        peer_reachable=True,
        conflict=False,
    )
    assert site_problems(**healthy) == []
    assert site_problems(**{**healthy, "peer_reachable": False}) == ["the peer site is unreachable"]
    assert site_problems(**{**healthy, "witness_reachable": True}) == []
    assert site_problems(**{**healthy, "witness_reachable": None}) == []
    assert site_problems(**{**healthy, "witness_reachable": False}) == [
        "the witness is unreachable"
    ]
    assert site_problems(**{**healthy, "stepped_down": True}) == [
        "this primary stepped down: cut off from its peer and its witness"
    ]
    assert (
        site_problems(
            **{**healthy, "in_relationship": False, "key_set": False, "peer_reachable": None}
        )
        == []
    )
    assert (
        len(
            site_problems(
                in_relationship=True,
                key_set=False,
                health_worker_alive=False,
                peer_reachable=False,
                conflict=True,
            )
        )
        == 4
    )


NOW = datetime(2026, 1, 1, 12, 0, 0)


@pytest.mark.parametrize(
    "last_answer_seconds_ago,since_seconds_ago",
    [
        # Checks ran all along: the silence began with the last answer.
        (0.4, 0.4),
        (2.0, 2.0),
        # A gap (this site's worker was down): it began with the failed check.
        (2.1, 0),
        (3600, 0),
        (None, 0),
    ],
)
def test_the_peer_is_silent_since_its_last_answer_if_checks_ran_all_along(
    last_answer_seconds_ago, since_seconds_ago
):
    last = (
        None
        if last_answer_seconds_ago is None
        else NOW - timedelta(seconds=last_answer_seconds_ago)
    )
    since = silent_since(
        last_answer_at=last, failed_check_started_at=NOW, max_gap=timedelta(seconds=2)
    )
    assert since == NOW - timedelta(seconds=since_seconds_ago)


@pytest.mark.parametrize(
    "reachable,role,now_role,announce",
    [
        (False, "backup", "backup", True),  # came back
        (True, "primary", "backup", True),  # gave the primary role up
        (True, "primary", "none", True),
        (True, "backup", "backup", False),
        (True, "primary", "primary", False),
        (None, "", "backup", False),  # the first check after pairing
    ],
)
def test_the_primary_announces_again_when_its_peer_returns_or_steps_down(
    reachable, role, now_role, announce
):
    previous = PeerSnapshot("site-b", reachable, role, 3)
    assert calls_for_announcement(previous, {"role": now_role}) is announce

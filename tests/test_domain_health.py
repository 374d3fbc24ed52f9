import pytest

from failover.domain.health import PeerSnapshot, check_events, site_problems

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

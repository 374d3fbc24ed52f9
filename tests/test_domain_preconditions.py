"""When each action may run: one table, for the services and the page."""

import pytest

from failover.domain.preconditions import Action, PairState, blocked_actions, refusal

PAIR, BREAK, SYNC, BECOME, FIX = (str(a) for a in Action)


def test_a_standalone_site_may_only_pair():
    reasons = blocked_actions(PairState("none"))
    assert reasons[PAIR] == ""
    assert all(reasons[a] == "This site is in no failover relationship." for a in (BREAK, SYNC))


def test_a_swap_blocks_everything_and_names_itself():
    reasons = blocked_actions(PairState("primary", swap_note="Become backup, by alice"))
    assert all(
        "A role swap is in progress (Become backup, by alice)" in r for r in reasons.values()
    )


@pytest.mark.parametrize(
    "role,reachable,running,expected",
    [
        ("primary", True, False, {PAIR: "already", BREAK: "", SYNC: "", BECOME: "", FIX: ""}),
        ("primary", False, False, {SYNC: "unreachable", BECOME: "", FIX: "unreachable"}),
        ("backup", False, False, {BREAK: "", SYNC: "unreachable", BECOME: "unreachable"}),
        ("backup", True, True, {SYNC: "already running", BECOME: ""}),
        ("backup", None, False, {SYNC: "unreachable", BREAK: ""}),
    ],
)
def test_paired_sites(role, reachable, running, expected):
    reasons = blocked_actions(PairState(role, None, reachable, running))
    for action, text in expected.items():
        assert (text in reasons[action]) if text else reasons[action] == ""


def test_the_peer_being_unreachable_is_advice_not_a_refusal():
    """The services still try: a peer seen down a second ago may be back."""
    state = PairState("backup", None, False, False)
    assert refusal(Action.SYNC_NOW, state) is None
    assert blocked_actions(state)[SYNC] == "The peer site is unreachable."

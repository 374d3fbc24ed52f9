"""The witness quorum's rules, case by case: the witness's grant, the
backup's promotion with the witness, the primary's step-down and its
return."""

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from failover.domain.failover_decision import Action, Situation
from failover.domain.witness_grant import GrantRequest, PairRecord, grant
from failover.domain.witness_quorum import (
    STEPPED_DOWN,
    Vote,
    Watch,
    backup_decision,
    epoch_to_ask,
    primary_decision,
    resume_decision,
    witness_demotes,
)

NOW = datetime(2026, 1, 1, 12, 0, 0)


def ago(seconds: float) -> datetime:
    return NOW - timedelta(seconds=seconds)


# The witness's grant ------------------------------------------------------

PAIR = PairRecord(
    granted_epoch=1,
    watching_since=ago(3600),
    other_name="site-a",
    other_last_contact=ago(10),
    other_timeout=3,
)
ASK = GrantRequest(epoch=2, timeout=3)


@pytest.mark.parametrize(
    "request_changes,pair_changes,granted",
    [
        # Silent for longer than the timeout: granted.
        ({}, {}, True),
        ({}, {"other_last_contact": ago(3)}, True),
        # Heard from the other site within the timeout: refused.
        ({}, {"other_last_contact": ago(2.9)}, False),
        ({}, {"other_last_contact": ago(0)}, False),
        # The longer of the two timeouts counts.
        ({"timeout": 30}, {}, False),
        ({}, {"other_timeout": 30}, False),
        ({"timeout": 1}, {"other_timeout": None, "other_last_contact": ago(2)}, True),
        # Never heard from the other site: counted from when it started watching.
        ({}, {"other_last_contact": None}, True),
        ({}, {"other_last_contact": None, "watching_since": ago(1)}, False),
        # An epoch is granted once, and never one below.
        ({"epoch": 1}, {}, False),
        ({"epoch": 0}, {}, False),
        ({"epoch": 5}, {"granted_epoch": 5}, False),
        ({"epoch": 6}, {"granted_epoch": 5}, True),
        ({"epoch": 9}, {"granted_epoch": 0}, True),
    ],
)
def test_grant(request_changes, pair_changes, granted):
    answer = grant(replace(ASK, **request_changes), replace(PAIR, **pair_changes), NOW)
    assert answer.granted is granted
    assert answer.reason


def test_a_refusal_for_a_recent_contact_says_when_to_ask_again():
    answer = grant(ASK, replace(PAIR, other_last_contact=ago(1)), NOW)
    assert answer.retry_in == pytest.approx(2)
    assert answer.reason == "it heard from site-a 1.0 s ago (less than the 3 s timeout)"


def test_a_refusal_for_a_granted_epoch_names_it():
    answer = grant(replace(ASK, epoch=1), PAIR, NOW)
    assert answer.reason == "epoch 1 is not above epoch 1, which it already granted"
    assert answer.retry_in is None


def test_a_grant_names_the_epoch():
    assert grant(ASK, PAIR, NOW).reason == (
        "it has not heard from site-a for 10.0 s; granted epoch 2"
    )


# The backup's promotion with a witness -------------------------------------

DOWN_SINCE = ago(5)
BACKUP = Situation(
    role="backup",
    backup_operations=True,
    auto_failover=True,
    primary_timeout=3,
    test_ips=("192.0.2.1",),
    swap_in_progress=False,
    peer_reachable=False,
    unreachable_since=DOWN_SINCE,
    isolation_noted_for=None,
    now=NOW,
)
GRANTED = Vote(granted=True, epoch=2, reason="granted epoch 2")
REFUSED = Vote(granted=False, epoch=2, reason="heard from site-a 1 s ago", retry_in=2)
UNREACHABLE = Vote(granted=False, epoch=2, reason="is unreachable: connection timed out")


@pytest.mark.parametrize(
    "changes,vote,action",
    [
        # Not a backup, told not to, or in a swap: never.
        ({"role": "primary"}, GRANTED, Action.NOTHING),
        ({"auto_failover": False}, GRANTED, Action.NOTHING),
        ({"backup_operations": False}, GRANTED, Action.NOTHING),
        ({"swap_in_progress": True}, GRANTED, Action.NOTHING),
        # The primary answers, or was silent for less than the timeout.
        ({"peer_reachable": True, "unreachable_since": None}, None, Action.NOTHING),
        ({"unreachable_since": ago(2)}, None, Action.NOTHING),
        # Silent for the timeout: ask the witness, never the test IPs.
        ({}, None, Action.ASK_WITNESS),
        ({"test_ips": ()}, None, Action.ASK_WITNESS),
        ({"probes": (True,)}, None, Action.ASK_WITNESS),
        # Its answer decides.
        ({}, GRANTED, Action.PROMOTE),
        ({}, REFUSED, Action.NOTE_NO_QUORUM),
        ({}, UNREACHABLE, Action.NOTE_NO_QUORUM),
        # A refusal is recorded once per episode.
        ({"isolation_noted_for": DOWN_SINCE}, REFUSED, Action.NOTHING),
        ({"isolation_noted_for": ago(600)}, REFUSED, Action.NOTE_NO_QUORUM),
    ],
)
def test_backup_decision(changes, vote, action):
    assert backup_decision(replace(BACKUP, **changes), vote).action is action


def test_the_backup_checks_again_when_the_timeout_runs_out():
    decision = backup_decision(replace(BACKUP, unreachable_since=ago(2)), None)
    assert decision.recheck_in == pytest.approx(1)


def test_a_refusal_checks_again_when_the_witness_says():
    assert backup_decision(BACKUP, REFUSED).recheck_in == 2
    noted = replace(BACKUP, isolation_noted_for=DOWN_SINCE)
    assert backup_decision(noted, REFUSED).recheck_in == 2


def test_the_reasons_name_the_witness():
    assert backup_decision(BACKUP, GRANTED).reason == (
        "primary unreachable for 5 s; the witness granted epoch 2; became primary"
    )
    assert backup_decision(BACKUP, UNREACHABLE).reason == (
        "primary unreachable for 5 s; not failing over: the witness is unreachable: "
        "connection timed out"
    )


# The primary's step-down ----------------------------------------------------

WATCH = Watch(
    holds_role=True,
    timeout=3,
    peer_heard_at=ago(4),
    witness_heard_at=ago(5),
    watching_since=ago(600),
    now=NOW,
)


@pytest.mark.parametrize(
    "changes,action",
    [
        # Neither answered for the timeout: step down.
        ({}, Action.STEP_DOWN),
        ({"peer_heard_at": ago(3), "witness_heard_at": ago(3)}, Action.STEP_DOWN),
        ({"peer_heard_at": None, "witness_heard_at": None}, Action.STEP_DOWN),
        # Either one within the timeout is enough to stay.
        ({"peer_heard_at": ago(1)}, Action.NOTHING),
        ({"witness_heard_at": ago(1)}, Action.NOTHING),
        ({"peer_heard_at": None, "witness_heard_at": ago(2.9)}, Action.NOTHING),
        ({"witness_heard_at": None, "peer_heard_at": ago(0)}, Action.NOTHING),
        # Watching for less than the timeout (witness just added, role just taken).
        (
            {"peer_heard_at": None, "witness_heard_at": None, "watching_since": ago(2)},
            Action.NOTHING,
        ),
        ({"watching_since": ago(1)}, Action.NOTHING),
        # Already waiting (stepped down, restarted), or not primary.
        ({"holds_role": False}, Action.NOTHING),
    ],
)
def test_primary_decision(changes, action):
    assert primary_decision(replace(WATCH, **changes)).action is action


def test_the_primary_checks_again_when_its_timeout_runs_out():
    decision = primary_decision(replace(WATCH, witness_heard_at=ago(1)))
    assert decision.recheck_in == pytest.approx(2)


def test_the_step_down_says_why():
    assert primary_decision(WATCH).reason.startswith(
        STEPPED_DOWN + " (no answer from either for 4 s)"
    )


# A waiting primary's return through the witness -----------------------------


@pytest.mark.parametrize(
    "heard,granted,action",
    [
        (ago(1), 1, Action.CONFIRM),
        (ago(1), 0, Action.CONFIRM),
        (ago(2), 1, Action.CONFIRM),
        # The witness granted a newer epoch: the peer took over.
        (ago(1), 2, Action.NOTHING),
        # Not heard since it began waiting.
        (ago(3), 1, Action.NOTHING),
        (None, 1, Action.NOTHING),
    ],
)
def test_resume_decision(heard, granted, action):
    decision = resume_decision(
        epoch=1, waiting_since=ago(2), witness_heard_at=heard, granted_epoch=granted
    )
    assert decision.action is action


@pytest.mark.parametrize(
    "role,epoch,granted,demotes",
    [
        ("primary", 1, 2, True),
        ("primary", 2, 2, False),
        ("primary", 3, 2, False),
        ("backup", 1, 2, False),
        ("none", 1, 2, False),
    ],
)
def test_witness_demotes(role, epoch, granted, demotes):
    assert witness_demotes(role, epoch, granted) is demotes


@pytest.mark.parametrize(
    "own,granted,asked", [(1, 0, 2), (1, 1, 2), (4, 2, 5), (1, 2, 3), (0, 7, 8)]
)
def test_the_epoch_asked_is_above_its_own_and_any_granted(own, granted, asked):
    assert epoch_to_ask(own, granted) == asked

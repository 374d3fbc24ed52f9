"""A restarted primary's confirmation of its role, case by case."""

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from failover.domain.failover_decision import Action
from failover.domain.primary_confirmation import Restart, decide

NOW = datetime(2026, 1, 1, 12, 0, 0)
RESTARTED = NOW - timedelta(seconds=10)
BEFORE = RESTARTED - timedelta(minutes=5)
# Restarted 10 s ago at epoch 4; the peer has not answered since.
BASE = Restart(
    epoch=4,
    confirming_since=RESTARTED,
    primary_timeout=60,
    test_ips=("192.0.2.1",),
    peer_reachable=False,
    peer_role="backup",
    peer_epoch=4,
    last_answer_at=BEFORE,
    unreachable_since=RESTARTED + timedelta(seconds=1),
    isolation_noted_for=None,
    now=NOW,
)
ANSWERED = {"peer_reachable": True, "unreachable_since": None, "last_answer_at": NOW}


@pytest.mark.parametrize(
    "changes,action",
    [
        # The peer answered since the restart.
        ({**ANSWERED, "peer_role": "backup"}, Action.CONFIRM),
        ({**ANSWERED, "peer_role": "none", "peer_epoch": 9}, Action.CONFIRM),
        ({**ANSWERED, "peer_role": "primary", "peer_epoch": 3}, Action.CONFIRM),
        # ... that it is primary too: the epoch rule or an administrator decides.
        ({**ANSWERED, "peer_role": "primary", "peer_epoch": 5}, Action.NOTHING),
        ({**ANSWERED, "peer_role": "primary", "peer_epoch": 4}, Action.NOTHING),
        # An answer from before the restart proves nothing.
        ({**ANSWERED, "last_answer_at": BEFORE}, Action.NOTHING),
        # Not checked since the restart.
        ({"peer_reachable": None, "unreachable_since": None}, Action.NOTHING),
        # Silent for less than the timeout since the restart: wait, even when
        # the silence began long before it.
        ({}, Action.NOTHING),
        ({"unreachable_since": BEFORE}, Action.NOTHING),
        # Silent for the timeout since the restart: the test IPs decide.
        ({"now": RESTARTED + timedelta(seconds=61)}, Action.PROBE),
        ({"now": RESTARTED + timedelta(seconds=61), "probes": (True,)}, Action.PROMOTE),
        ({"now": RESTARTED + timedelta(seconds=61), "probes": (False,)}, Action.NOTE_ISOLATION),
        (
            {
                "now": RESTARTED + timedelta(seconds=61),
                "probes": (False,),
                "isolation_noted_for": RESTARTED + timedelta(seconds=1),
            },
            Action.NOTHING,
        ),
        ({"now": RESTARTED + timedelta(seconds=61), "test_ips": ()}, Action.PROMOTE),
    ],
)
def test_decision(changes, action):
    assert decide(replace(BASE, **changes)).action is action


def test_it_checks_again_when_the_timeout_since_the_restart_runs_out():
    decision = decide(replace(BASE, unreachable_since=BEFORE))
    assert decision.recheck_in == pytest.approx(50)


def test_the_reasons_say_what_happened():
    assert decide(replace(BASE, **ANSWERED)).reason == "the peer is backup at epoch 4"
    assert decide(replace(BASE, now=NOW + timedelta(seconds=60), probes=(True,))).reason == (
        "restarted as primary; peer unreachable for 69 s; test IPs reachable; "
        "took the primary role again"
    )

"""The automatic failover decision, case by case."""

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from failover.domain.failover_decision import Action, Situation, decide

NOW = datetime(2026, 1, 1, 12, 0, 0)
DOWN_SINCE = NOW - timedelta(seconds=90)
BASE = Situation(
    role="backup",
    backup_operations=True,
    auto_failover=True,
    primary_timeout=60,
    test_ips=("192.0.2.1", "example.com:443"),
    swap_in_progress=False,
    peer_reachable=False,
    unreachable_since=DOWN_SINCE,
    isolation_noted_for=None,
    now=NOW,
)


@pytest.mark.parametrize(
    "changes,action",
    [
        # Not a backup, or told not to: never fail over.
        ({"role": "primary"}, Action.NOTHING),
        ({"role": "none"}, Action.NOTHING),
        ({"backup_operations": False}, Action.NOTHING),
        ({"auto_failover": False}, Action.NOTHING),
        ({"swap_in_progress": True}, Action.NOTHING),
        # The primary answers, or has not been checked yet.
        ({"peer_reachable": True, "unreachable_since": None}, Action.NOTHING),
        ({"peer_reachable": None, "unreachable_since": None}, Action.NOTHING),
        # A freeze or a blip shorter than the timeout.
        ({"unreachable_since": NOW - timedelta(seconds=59)}, Action.NOTHING),
        ({"unreachable_since": NOW - timedelta(seconds=1)}, Action.NOTHING),
        # Down for the timeout: probe first.
        ({"unreachable_since": NOW - timedelta(seconds=60)}, Action.PROBE),
        ({}, Action.PROBE),
        # Some test IP answers: the primary is down, not us.
        ({"probes": (False, True)}, Action.PROMOTE),
        ({"probes": (True, True)}, Action.PROMOTE),
        # None answers: we are the ones cut off; say so once per episode.
        ({"probes": (False, False)}, Action.NOTE_ISOLATION),
        ({"probes": (False, False), "isolation_noted_for": DOWN_SINCE}, Action.NOTHING),
        (
            {"probes": (False, False), "isolation_noted_for": DOWN_SINCE - timedelta(hours=1)},
            Action.NOTE_ISOLATION,
        ),
        # No test IPs: fail over on the timeout alone.
        ({"test_ips": ()}, Action.PROMOTE),
        ({"test_ips": (), "unreachable_since": NOW - timedelta(seconds=30)}, Action.NOTHING),
        ({"test_ips": (), "auto_failover": False}, Action.NOTHING),
    ],
)
def test_decision(changes, action):
    assert decide(replace(BASE, **changes)).action is action


def test_the_reasons_say_what_happened():
    assert decide(replace(BASE, probes=(True,))).reason == (
        "primary unreachable for 90 s; test IPs reachable; became primary"
    )
    assert decide(replace(BASE, probes=(False, False))).reason == (
        "cut off from the primary and from every test IP; not failing over"
    )
    assert "no test IPs configured" in decide(replace(BASE, test_ips=())).reason


@pytest.mark.parametrize("timeout", [3, 60, 86400])
def test_the_timeout_is_the_boundary(timeout):
    just_before = replace(
        BASE,
        primary_timeout=timeout,
        test_ips=(),
        unreachable_since=NOW - timedelta(seconds=timeout - 0.001),
    )
    at = replace(just_before, unreachable_since=NOW - timedelta(seconds=timeout))
    assert decide(just_before).action is Action.NOTHING
    assert decide(at).action is Action.PROMOTE


def test_a_recheck_is_due_when_the_timeout_runs_out():
    decision = decide(replace(BASE, unreachable_since=NOW - timedelta(seconds=59.75)))
    assert decision.action is Action.NOTHING
    assert decision.recheck_in == pytest.approx(0.25)
    assert decide(replace(BASE, peer_reachable=True, unreachable_since=None)).recheck_in is None

"""The health-check task checks again when the failover timeout runs out."""

from unittest import mock

import pytest

from failover import tasks
from failover.services.health import CheckOutcome


@pytest.fixture
def outcomes():
    with (
        mock.patch.object(tasks.health, "check_peer") as check,
        mock.patch.object(tasks.check_peer, "apply_async") as queued,
        mock.patch.object(tasks.time, "sleep") as slept,
    ):
        yield check, queued, slept


@pytest.mark.django_db
def test_a_recheck_due_at_once_runs_in_the_same_task(outcomes):
    check, queued, slept = outcomes
    check.side_effect = [CheckOutcome("waiting", recheck_in=0.05), CheckOutcome("failed over")]
    assert tasks.check_peer() == "failed over"
    slept.assert_called_once_with(0.05)
    queued.assert_not_called()


@pytest.mark.django_db
def test_a_recheck_due_before_the_next_beat_is_queued_for_then(outcomes, settings):
    settings.FAILOVER_HEALTH_INTERVAL = 2
    check, queued, slept = outcomes
    check.return_value = CheckOutcome("waiting", recheck_in=1.5)
    tasks.check_peer()
    queued.assert_called_once_with(countdown=1.5, queue="health")
    slept.assert_not_called()


@pytest.mark.django_db
def test_a_recheck_after_the_next_beat_is_left_to_it(outcomes, settings):
    settings.FAILOVER_HEALTH_INTERVAL = 2
    check, queued, slept = outcomes
    check.return_value = CheckOutcome("waiting", recheck_in=30)
    tasks.check_peer()
    queued.assert_not_called()

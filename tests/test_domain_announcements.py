"""When the primary announces a failover IP again."""

from datetime import datetime, timedelta

import pytest

from failover.domain.announcements import announcement_due

NOW = datetime(2026, 1, 1, 12, 0, 0)


def ago(seconds):
    return None if seconds is None else NOW - timedelta(seconds=seconds)


@pytest.mark.parametrize(
    "came_up,announced,due",
    [
        (None, None, False),  # not held
        # The seconds after it came up: about once a second.
        (0, 0, False),
        (0.5, 0.5, False),
        (1, 1, True),
        (3, 0.4, False),
        (3, 1.2, True),
        (8, 1, True),
        # Then a slow refresh.
        (9, 1, False),
        (40, 29, False),
        (40, 30, True),
        (3600, 600, True),
    ],
)
def test_announcement_due(came_up, announced, due):
    assert announcement_due(came_up_at=ago(came_up), announced_at=ago(announced), now=NOW) is due

from datetime import datetime, timedelta

import pytest

from failover.domain.sync_schedule import automatic_sync_due

NOW = datetime(2026, 1, 1, 12, 0)
BASE = dict(
    is_backup=True,
    backup_operations=True,
    interval_minutes=15,
    last_success_at=None,
    last_attempt_at=None,
    sync_active=False,
    now=NOW,
)


@pytest.mark.parametrize(
    "changes,due",
    [
        ({}, True),  # never synced: at once
        ({"last_success_at": NOW - timedelta(minutes=14)}, False),
        ({"last_success_at": NOW - timedelta(minutes=15)}, True),
        ({"interval_minutes": 0}, False),  # off
        ({"is_backup": False}, False),
        ({"backup_operations": False}, False),
        ({"sync_active": True}, False),
        ({"last_attempt_at": NOW - timedelta(seconds=30)}, False),  # failed just now
        ({"last_attempt_at": NOW - timedelta(seconds=61)}, True),  # retry after a minute
        (
            {
                "last_success_at": NOW - timedelta(hours=1),
                "last_attempt_at": NOW - timedelta(seconds=10),
            },
            False,
        ),
    ],
)
def test_when_an_automatic_sync_is_due(changes, due):
    assert automatic_sync_due(**{**BASE, **changes}) is due

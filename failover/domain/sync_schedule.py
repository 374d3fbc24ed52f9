"""When the backup starts an automatic data sync: a pure function."""

from datetime import datetime, timedelta

RETRY_AFTER_FAILURE = timedelta(minutes=1)


def automatic_sync_due(
    *,
    is_backup: bool,
    backup_operations: bool,
    interval_minutes: int,
    last_success_at: datetime | None,
    last_attempt_at: datetime | None,
    sync_active: bool,
    now: datetime,
) -> bool:
    """Due when the interval has elapsed since the last successful sync (at
    once if none succeeded yet), with a failed attempt retried after a minute."""
    if not is_backup or not backup_operations or interval_minutes <= 0 or sync_active:
        return False
    if last_attempt_at is not None and now - last_attempt_at < RETRY_AFTER_FAILURE:
        return False
    if last_success_at is None:
        return True
    return now - last_success_at >= timedelta(minutes=interval_minutes)

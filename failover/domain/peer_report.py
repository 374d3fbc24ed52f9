"""Whether a peer's status answer can be used: each field a health check
records and acts on, with the type it must have. Pure functions."""

import uuid

from failover.domain.roles import Role


def _is_uuid(value) -> bool:
    try:
        return isinstance(value, str) and str(uuid.UUID(value)) == value
    except ValueError:
        return False


# The fields a check records and acts on, and what each must be.
_REPORT_FIELDS = {
    "site_id": ("a site id", _is_uuid),
    "hostname": ("a string", lambda v: isinstance(v, str) and len(v) <= 253),
    "role": ("a role", lambda v: v in set(Role)),
    "epoch": ("an epoch", lambda v: type(v) is int and 0 <= v < 2**63),
    "relationship_id": ("a relationship id or null", lambda v: v is None or _is_uuid(v)),
    "version": ("a string", lambda v: isinstance(v, str) and len(v) <= 50),
}


def _count(value) -> bool:
    return type(value) is int and 0 <= value < 2**63


def _text_or_null(limit: int):
    return lambda v: v is None or (isinstance(v, str) and len(v) <= limit)


# A sync's progress as the page shows it (on the primary, the backup's).
_SYNC_FIELDS = {
    **dict.fromkeys(
        ("id", "files_done", "files_total", "bytes_done", "bytes_total", "bytes_transferred"),
        ("a count", _count),
    ),
    "status": ("a sync status", lambda v: v in ("queued", "running", "succeeded", "failed")),
    "trigger": ("a string", _text_or_null(20)),
    "started": ("a time or null", _text_or_null(40)),
    "finished": ("a time or null", _text_or_null(40)),
    "rate": ("a number or null", lambda v: v is None or type(v) in (int, float) and v >= 0),
    "error": ("a string or null", _text_or_null(2000)),
}


def _sync_problem(name: str, progress) -> str | None:
    if progress is None:
        return None
    if not isinstance(progress, dict):
        return f"the status's {name!r} is not an object or null"
    for field, (what, valid) in _SYNC_FIELDS.items():
        if not valid(progress.get(field)):
            return f"the status's {name}.{field} is not {what}"
    return None


def report_problem(report) -> str | None:
    """Why a peer's status answer cannot be used, or None when it can."""
    if not isinstance(report, dict):
        return "the status is not a JSON object"
    for name, (what, valid) in _REPORT_FIELDS.items():
        if name not in report:
            return f"the status lacks {name!r}"
        if not valid(report[name]):
            return f"the status's {name!r} is not {what}"
    if not _text_or_null(300)(report.get("swap_in_progress")):
        return "the status's 'swap_in_progress' is not a string or null"
    lag = report.get("sync_lag_seconds")
    if not (lag is None or (type(lag) in (int, float) and 0 <= lag < 2**63)):
        return "the status's 'sync_lag_seconds' is not a number of seconds or null"
    if not _text_or_null(120)(report.get("data_version")):
        return "the status's 'data_version' is not a string or null"
    for name in ("running_sync", "last_sync"):
        problem = _sync_problem(name, report.get(name))
        if problem:
            return problem
    return None

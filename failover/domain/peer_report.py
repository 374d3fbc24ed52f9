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


def report_problem(report) -> str | None:
    """Why a peer's status answer cannot be used, or None when it can."""
    if not isinstance(report, dict):
        return "the status is not a JSON object"
    for name, (what, valid) in _REPORT_FIELDS.items():
        if name not in report:
            return f"the status lacks {name!r}"
        if not valid(report[name]):
            return f"the status's {name!r} is not {what}"
    return None

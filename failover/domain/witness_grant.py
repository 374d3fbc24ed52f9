"""The witness's side of the quorum (two out of three): whether it grants a
backup the next epoch. Pure function of what the witness recorded.

The witness grants epoch N to a site only when it, too, has not heard from
the other site of the pair for the primary timeout (the longer of the one
asked with and the one that site last reported, so a primary that counts a
longer timeout has stepped down before the grant), and only when N is above
every epoch it granted before: an epoch is granted once.
"""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class GrantRequest:
    epoch: int
    # The asking site's primary timeout (seconds).
    timeout: float


@dataclass(frozen=True)
class PairRecord:
    """What the witness holds about one pair."""

    granted_epoch: int
    # When the witness first heard of the pair: silence before proves nothing.
    watching_since: datetime
    # The other site (the one the asker wants to replace).
    other_name: str
    other_last_contact: datetime | None
    other_timeout: float | None


@dataclass(frozen=True)
class Grant:
    granted: bool
    reason: str
    # Seconds until the other site will have been silent long enough.
    retry_in: float | None = None


def grant(request: GrantRequest, pair: PairRecord, now: datetime) -> Grant:
    if request.epoch <= pair.granted_epoch:
        return Grant(
            False,
            f"epoch {request.epoch} is not above epoch {pair.granted_epoch}, "
            "which it already granted",
        )
    timeout = max(request.timeout, pair.other_timeout or 0)
    heard = pair.other_last_contact or pair.watching_since
    silent_for = (now - heard).total_seconds()
    if silent_for < timeout:
        when = "heard from" if pair.other_last_contact else "started watching"
        return Grant(
            False,
            f"it {when} {pair.other_name} {max(silent_for, 0):.1f} s ago "
            f"(less than the {timeout:g} s timeout)",
            retry_in=timeout - silent_for,
        )
    return Grant(
        True,
        f"it has not heard from {pair.other_name} for {silent_for:.1f} s; "
        f"granted epoch {request.epoch}",
    )

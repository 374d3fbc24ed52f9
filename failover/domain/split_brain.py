"""Exactly one primary: what a site does when it sees its peer's role, and the
documented rule that settles a conflict. Pure functions."""

from dataclasses import dataclass
from enum import Enum

from failover.domain.roles import Role


class Verdict(Enum):
    FINE = "fine"
    DEMOTE_SELF = "demote this site"
    CONFLICT = "conflict"


def judge(own_role: str, own_epoch: int, peer_role: str | None, peer_epoch: int | None) -> Verdict:
    """Two primaries: the lower epoch demotes itself, at once and on its own;
    equal epochs, or two backups, are a conflict for an administrator."""
    if own_role == Role.NONE or peer_role != own_role:
        return Verdict.FINE
    if own_role == Role.PRIMARY and peer_epoch is not None and peer_epoch > own_epoch:
        return Verdict.DEMOTE_SELF
    if own_role == Role.PRIMARY and peer_epoch is not None and peer_epoch < own_epoch:
        return Verdict.FINE  # the peer demotes itself
    return Verdict.CONFLICT


@dataclass(frozen=True)
class Contender:
    """What decides a conflict: whose data is newest, who holds the shared IPs."""

    site_id: str
    data_changed_at: float  # newest modification time in the data directory
    holds_shared_ips: bool


def conflict_winner(a: Contender, b: Contender) -> Contender:
    """Fix this error: the site whose data is newest becomes primary; on a tie,
    the one holding the shared IPs; then the lower site id (so both sites
    reach the same answer)."""

    def rank(c: Contender):
        return (c.data_changed_at, c.holds_shared_ips, _negated(c.site_id))

    return a if rank(a) >= rank(b) else b


def _negated(site_id: str) -> tuple:
    return tuple(-ord(ch) for ch in site_id)

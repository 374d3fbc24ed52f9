"""Which failover actions the page offers right now, and why not when not."""

from failover.domain.roles import Role

NOT_YET = {
    "sync_now": "Data sync is not available in this version.",
    "become": "Role swaps are not available in this version.",
}


def blocked_actions(*, role: str) -> dict[str, str]:
    """Each action mapped to the reason it cannot be used ("" when it can)."""
    paired = role != Role.NONE
    return {
        "pair": "This site is already in a failover relationship." if paired else "",
        "break": "" if paired else "This site is in no failover relationship.",
        **NOT_YET,
    }

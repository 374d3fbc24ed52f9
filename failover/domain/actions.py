"""Which failover actions the page offers right now, and why not when not."""

from failover.domain.roles import Role

NOT_YET = {
    "become": "Role swaps are not available in this version.",
}


def blocked_actions(
    *, role: str, peer_reachable: bool | None, sync_running: bool
) -> dict[str, str]:
    """Each action mapped to the reason it cannot be used ("" when it can)."""
    paired = role != Role.NONE
    if not paired:
        sync = "This site is in no failover relationship."
    elif not peer_reachable:
        sync = "The peer site is unreachable."
    elif sync_running:
        sync = "A sync is already running."
    else:
        sync = ""
    return {
        "pair": "This site is already in a failover relationship." if paired else "",
        "break": "" if paired else "This site is in no failover relationship.",
        "sync_now": sync,
        **NOT_YET,
    }

"""Which failover actions the page offers right now, and why not when not."""

from failover.domain.roles import Role

SWAP_IN_PROGRESS = "A role swap is in progress."


def blocked_actions(
    *, role: str, peer_reachable: bool | None, sync_running: bool, swap_in_progress: bool
) -> dict[str, str]:
    """Each action mapped to the reason it cannot be used ("" when it can)."""
    paired = role != Role.NONE
    if not paired:
        alone = "This site is in no failover relationship."
        return {
            "pair": "",
            "break": alone,
            "sync_now": alone,
            "become": alone,
            "fix_conflict": alone,
        }
    if swap_in_progress:
        return dict.fromkeys(
            ("pair", "break", "sync_now", "become", "fix_conflict"), SWAP_IN_PROGRESS
        )
    unreachable = "" if peer_reachable else "The peer site is unreachable."
    return {
        "pair": "This site is already in a failover relationship.",
        "break": "",
        "sync_now": unreachable or ("A sync is already running." if sync_running else ""),
        # The primary may still demote itself alone (the force option).
        "become": "" if role == Role.PRIMARY else unreachable,
        "fix_conflict": unreachable,
    }

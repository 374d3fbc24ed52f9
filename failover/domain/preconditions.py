"""When each failover action may run, and why not: stated once, enforced by
the services (page, command line and API alike) and shown by the page as the
reason next to a disabled button."""

from dataclasses import dataclass
from enum import StrEnum

from failover.domain.roles import Role


class Action(StrEnum):
    PAIR = "pair"
    BREAK = "break"
    SYNC_NOW = "sync_now"
    BECOME = "become"
    FIX_CONFLICT = "fix_conflict"


@dataclass(frozen=True)
class Refusal:
    message: str
    # Machine-readable, for the peer protocol and the JSON API.
    code: str


NOT_PAIRED = Refusal("This site is in no failover relationship.", "not_in_relationship")
ALREADY_PAIRED = Refusal("This site is already in a failover relationship.", "already_paired")
SYNC_RUNNING = Refusal("A sync is already running.", "busy")
PEER_UNREACHABLE = Refusal("The peer site is unreachable.", "unreachable")
STEPPED_DOWN = Refusal(
    "This site stepped down, cut off from its peer and its witness: primary-only work is "
    "refused until it hears from either.",
    "stepped_down",
)


def swap_in_progress(note: str) -> Refusal:
    return Refusal(
        f"A role swap is in progress ({note}): other failover operations are refused "
        "until it has finished.",
        "swap_in_progress",
    )


@dataclass(frozen=True)
class PairState:
    role: str
    # The swap lock's note while a swap holds it, else None.
    swap_note: str | None = None
    # As the last health check found (None: not checked yet).
    peer_reachable: bool | None = None
    sync_running: bool = False
    # A primary that stepped down (domain.witness_quorum).
    stepped_down: bool = False


def refusal(action: Action, state: PairState) -> Refusal | None:
    """Why ``action`` is refused in ``state``; None when it may run."""
    if state.swap_note is not None:
        return swap_in_progress(state.swap_note)
    if action is Action.PAIR:
        return ALREADY_PAIRED if state.role != Role.NONE else None
    if state.role == Role.NONE:
        return NOT_PAIRED
    if state.stepped_down and action in (Action.SYNC_NOW, Action.BECOME):
        return STEPPED_DOWN
    if action is Action.SYNC_NOW and state.sync_running:
        return SYNC_RUNNING
    return None


def advice(action: Action, state: PairState) -> Refusal | None:
    """Why the page disables ``action`` although the services would try it:
    it needs the peer, which the last health check did not reach. (A primary
    may still demote itself alone with the force option.)"""
    needs_peer = action in (Action.SYNC_NOW, Action.FIX_CONFLICT) or (
        action is Action.BECOME and state.role != Role.PRIMARY
    )
    return PEER_UNREACHABLE if needs_peer and not state.peer_reachable else None


def blocked_actions(state: PairState) -> dict[str, str]:
    """Each action mapped to the reason the page disables it ("" when it can run)."""
    reasons = {}
    for action in Action:
        why = refusal(action, state) or advice(action, state)
        reasons[str(action)] = why.message if why else ""
    return reasons

"""Both sites' roles and reachability over time, as this site's status history
tells them: which events change what, and which are marked on the timeline.

This site's role comes from its own role changes. The peer's is inferred: the
opposite of this site's while paired, the same during a conflict. The peer is
out of reach from "peer unreachable" to "peer reachable" (or unpairing); this
site counts as out of reach while it was isolated (cut off from the peer and
every test IP)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from failover.domain.availability import BACKUP, NONE, PRIMARY, STEPPED_DOWN, Change
from failover.domain.event_kinds import EventKind as K

# Role changes that carry the new role in their details.
ROLE_IN_DETAILS = {K.FAILOVER, K.DEMOTED, K.ROLE_SWAPPED, K.CONFLICT_FIXED, K.PAIRED}
ROLE_KINDS = ROLE_IN_DETAILS | {K.UNPAIRED, K.CONFIRMING_PRIMARY, K.PRIMARY_CONFIRMED}
CONFLICT_KINDS = {K.CONFLICT_DETECTED, K.CONFLICT_RESOLVED, K.CONFLICT_FIXED}
REACH_KINDS = {K.PEER_UNREACHABLE, K.PEER_REACHABLE, K.ISOLATED}
SWAP_KINDS = {K.SWAP_REQUESTED, K.SWAP_SUCCEEDED, K.SWAP_FAILED}
TIMELINE_KINDS = frozenset(ROLE_KINDS | CONFLICT_KINDS | REACH_KINDS | SWAP_KINDS)

# What a mark on the timeline stands for, by kind (the rest are role changes).
MARK_CATEGORY = {
    K.FAILOVER: "failover",
    K.ROLE_SWAPPED: "swap",
    **dict.fromkeys(SWAP_KINDS, "swap"),
    **dict.fromkeys(CONFLICT_KINDS, "conflict"),
    **dict.fromkeys(REACH_KINDS, "outage"),
}
LABELS = {kind.value: kind.label for kind in K}
# Marks drawn on the peer's band; the others are this site's.
PEER_MARKS = {K.PEER_UNREACHABLE, K.PEER_REACHABLE}


@dataclass(frozen=True)
class Recorded:
    """A status-history event, as much of it as the timeline needs."""

    time: datetime
    kind: str
    details: dict
    message: str = ""
    actor: str = "system"


@dataclass(frozen=True)
class Mark:
    time: datetime
    kind: str
    label: str
    category: str
    on_peer: bool
    message: str
    actor: str


@dataclass(frozen=True)
class PairChanges:
    peer_initial: str  # the peer's state before the first change
    here: list[Change]
    peer: list[Change]
    marks: list[Mark]


def role_after(event: Recorded) -> str | None:
    """This site's role once ``event`` happened (None: the event does not change it)."""
    kind = event.kind
    if kind == K.UNPAIRED:
        return NONE
    if kind == K.CONFIRMING_PRIMARY:
        return STEPPED_DOWN
    if kind == K.PRIMARY_CONFIRMED:
        return PRIMARY
    if kind in ROLE_IN_DETAILS:
        role = event.details.get("role")
        if role in (PRIMARY, BACKUP, NONE):
            return role
        if kind == K.PAIRED:
            # Recorded before pairing events carried the role.
            return BACKUP if "this site is the backup" in event.message else PRIMARY
    return None


def peer_role(here: str, conflict: bool) -> str:
    if here == NONE:
        return NONE
    if conflict:
        return here
    return PRIMARY if here == BACKUP else BACKUP


def pair_changes(
    events: Iterable[Recorded], window_start: datetime, *, initial: str = NONE
) -> PairChanges:
    """Replay ``events`` (in any order; with the last one of each kind before
    the window, so the state at its start is known) from this site's
    ``initial`` role into both sites' changes, and the marks of those inside
    the window."""
    here, conflict = initial, False
    changes_here: list[Change] = []
    changes_peer: list[Change] = []
    marks: list[Mark] = []
    for event in sorted(events, key=lambda e: e.time):
        kind = event.kind
        role = role_after(event)
        if kind == K.CONFLICT_DETECTED:
            conflict = True
        elif kind in CONFLICT_KINDS or (role is not None and kind != K.CONFIRMING_PRIMARY):
            conflict = False
        here = role or here
        reachable_here = reachable_peer = None
        if kind == K.ISOLATED:
            reachable_here = False
        elif kind == K.PEER_UNREACHABLE:
            reachable_peer = False
        elif kind in (K.PEER_REACHABLE, K.UNPAIRED, K.PAIRED):
            reachable_here = reachable_peer = True
        changes_here.append(Change(event.time, role, reachable_here))
        changes_peer.append(Change(event.time, peer_role(here, conflict), reachable_peer))
        if event.time >= window_start:
            marks.append(
                Mark(
                    time=event.time,
                    kind=kind,
                    label=LABELS[kind],
                    category=MARK_CATEGORY.get(kind, "role"),
                    on_peer=kind in PEER_MARKS,
                    message=event.message,
                    actor=event.actor,
                )
            )
    return PairChanges(peer_role(initial, False), changes_here, changes_peer, marks)

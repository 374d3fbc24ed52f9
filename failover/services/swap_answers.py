"""The peer's side of a planned swap or a conflict fix: the ``role/lock``,
``role/unlock`` and ``role/change`` endpoints."""

import uuid

from failover.domain.event_kinds import EventKind
from failover.domain.roles import Role
from failover.errors import Refused
from failover.models import SiteState
from failover.services import roles


def swap_id_of(payload) -> uuid.UUID:
    try:
        return uuid.UUID(str(payload.get("swap_id")))
    except (AttributeError, ValueError):
        raise Refused("A valid swap_id is required.", 400) from None


def accept_lock(payload, peer_name: str) -> SiteState:
    """The peer starts a swap: take this site's lock."""
    swap_id = swap_id_of(payload)
    site = SiteState.load()
    note = f"{str(payload.get('note') or 'role swap')[:200]}, on {peer_name}"
    renewing = site.swap_lock == swap_id
    if not site.lock_for_swap(swap_id, note, roles.SWAP_LOCK_TTL):
        raise roles.lock_refused()
    if payload.get("sign_out") and site.is_primary and not renewing:
        roles.sign_out_everyone(site, f"role swap {note}")
    return site


def accept_unlock(payload) -> None:
    SiteState.load().unlock_swap(swap_id_of(payload))


def accept_role_change(payload, peer_name: str) -> SiteState:
    """The peer tells this site its new role in a swap or a conflict fix that
    holds this site's lock."""
    swap_id = swap_id_of(payload)
    site = SiteState.load()
    if site.swap_lock != swap_id or not site.swap_in_progress:
        raise Refused("This site is not locked for that role change.")
    try:
        role, epoch = Role(payload["role"]), int(payload["epoch"])
    except (KeyError, TypeError, ValueError):
        raise Refused("role/change needs a role (primary or backup) and an epoch.", 400) from None
    if role == Role.NONE:
        raise Refused("role/change cannot leave the relationship.", 400)
    if site.role == role and site.epoch == epoch:
        return site  # a retry of a change already made
    actor = f"{payload.get('actor') or 'someone'} on {peer_name}"
    if not roles.change_role(
        site,
        role,
        epoch,
        kind=EventKind.ROLE_SWAPPED,
        actor=actor[:150],
        message=f"{payload.get('reason') or 'Role change'}: this site "
        f"is now the {role} at epoch {epoch}.",
    ):
        raise Refused(
            f"This site could not become {role} at epoch {epoch} (it is "
            f"{site.role} at epoch {site.epoch})."
        )
    return site

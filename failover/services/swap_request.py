"""Asking for a planned role swap: Become backup (on the primary) and Become
primary (on the backup), SPEC section 3. The swap itself runs in a worker
(``swap_run``)."""

from django.db import transaction

from failover import dispatch
from failover.domain.event_kinds import EventKind
from failover.domain.preconditions import Action
from failover.domain.roles import Role
from failover.errors import Refused
from failover.models import RoleSwap, StatusEvent
from failover.models.events import actor_name
from failover.services import roles


def request_swap(target_role: str, *, sync_first: bool, force: bool, actor) -> RoleSwap:
    """Validate, take this site's swap lock and queue the swap. Raises Refused."""
    site = roles.require(Action.BECOME)
    if target_role not in (Role.PRIMARY, Role.BACKUP):
        raise Refused("The role must be primary or backup.", 400)
    if site.role == target_role:
        raise Refused(f"This site is already the {target_role}.")
    if force and target_role != Role.BACKUP:
        raise Refused("Only the primary can become backup without the peer.", 400)
    swap = RoleSwap(
        target_role=target_role, sync_first=sync_first, force=force, actor=actor_name(actor)
    )
    if not site.lock_for_swap(swap.id, swap.describe(), roles.SWAP_LOCK_TTL):
        raise roles.lock_refused()
    with transaction.atomic():
        swap.save()
        dispatch.enqueue_on_commit("run_swap", str(swap.id))
    StatusEvent.record(
        EventKind.SWAP_REQUESTED,
        f"Role swap requested: {swap.describe()}.",
        actor=swap.actor,
        swap=str(swap.id),
    )
    return swap

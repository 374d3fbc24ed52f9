"""Every role change goes through here: the compare-and-set on the site's role
and epoch, then the failover IPs (inline, so a demoted site has its addresses
down before it answers), then the status-history event."""

from datetime import timedelta

from django.contrib.sessions.models import Session

from failover.domain.roles import Role
from failover.models import SiteState, StatusEvent
from failover.netif.reconcile import reconcile
from failover.services import Refused

# A swap renews its locks while it runs; a crashed swap's lock lapses after this.
SWAP_LOCK_TTL = timedelta(seconds=60)


class SwapInProgress(Refused):
    def __init__(self, site: SiteState):
        super().__init__(
            f"A role swap is in progress ({site.swap_lock_note}): other failover "
            "operations are refused until it has finished."
        )


def refuse_during_swap(site: SiteState | None = None) -> SiteState:
    site = site or SiteState.load()
    if site.swap_in_progress:
        raise SwapInProgress(site)
    return site


def change_role(
    site: SiteState, role: Role, epoch: int, *, kind: str, message: str, actor=None, **details
) -> bool:
    """Become ``role`` at ``epoch`` if ``site`` is still as it was read."""
    if not site.change_role(role, epoch):
        return False
    problems = reconcile(role)
    if problems:
        message += f" Failover IPs: {'; '.join(problems)}."
    StatusEvent.record(kind, message, actor=actor, role=str(role), epoch=epoch, **details)
    return True


def leave_relationship(site: SiteState) -> bool:
    """Standalone now: failover IPs go down with the role."""
    if not site.leave():
        return False
    reconcile(Role.NONE)
    return True


def sign_out_everyone(site: SiteState, reason: str) -> int:
    """End every session on this site and pause sign-in until the swap lock is
    released (the primary, before a sync-first swap copies its data away)."""
    SiteState.objects.filter(pk=site.pk).update(sign_in_paused=True)
    count, _ = Session.objects.all().delete()

    StatusEvent.record("signed_out", f"Signed out {count} session(s): {reason}.")
    return count

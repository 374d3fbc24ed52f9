"""Every role change goes through here: the compare-and-set on the site's role
and epoch, then the failover IPs (inline, so a demoted site has its addresses
down before it answers), then the status-history event. And the guard every
operation passes first."""

from datetime import timedelta

from django.contrib.sessions.models import Session

from failover.domain.event_kinds import EventKind
from failover.domain.preconditions import Action, Refusal, refusal, swap_in_progress
from failover.domain.roles import Role
from failover.errors import Refused
from failover.models import DataChange, SiteState, StatusEvent
from failover.netif.reconcile import reconcile
from failover.sync import changes

# A swap renews its locks while it runs; a crashed swap's lock lapses after this.
SWAP_LOCK_TTL = timedelta(seconds=60)


def refused(why: Refusal, status: int = 409) -> Refused:
    return Refused(why.message, status, why.code)


def require(action: Action, site: SiteState | None = None, *, sync_running=False) -> SiteState:
    """This site, if ``action`` may run now; raises Refused with the reason if not."""
    site = site or SiteState.load()
    why = refusal(action, site.pair_state(sync_running=sync_running))
    if why:
        raise refused(why)
    return site


def lock_refused() -> Refused:
    """Another swap took the lock first."""
    return refused(swap_in_progress(SiteState.load().swap_lock_note))


def change_role(
    site: SiteState,
    role: Role,
    epoch: int,
    *,
    kind: EventKind,
    message: str,
    actor=None,
    **details,
) -> bool:
    """Become ``role`` at ``epoch`` if ``site`` is still as it was read."""
    if not site.change_role(role, epoch, reason=message):
        return False
    if role == Role.PRIMARY:
        changes.record(DataChange.Source.PROMOTED)
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
    StatusEvent.record(EventKind.SIGNED_OUT, f"Signed out {count} session(s): {reason}.")
    return count

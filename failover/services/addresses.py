"""The failover IPs follow the role (netif.reconcile), and while this site
holds them it announces them again, as keepalived does: a few times over the
seconds after they came up (a neighbour may have missed the first
announcement, or the old holder's last packet may have arrived after it), and
whenever the peer comes back or gives the primary role up, so that no client
stays on the peer's MAC address. A slow periodic refresh is on the beat
schedule (settings)."""

from django.db import transaction

from failover import dispatch
from failover.models import SiteState
from failover.netif.reconcile import announce_held, reconcile

# Seconds after the first announcement.
ANNOUNCE_AGAIN_AFTER = (1, 2, 4, 8)


def follow_role(role: str | None = None) -> list[str]:
    """Bring the failover IPs in line with the role; returns the problems."""
    problems = reconcile(role)
    if SiteState.load().holds_failover_ips:
        announce_again_later()
    return problems


def announce_now_and_later() -> None:
    if announce_held():
        announce_again_later()


def announce_again_later() -> None:
    # Queued as tasks, on commit: the announcements never wait in the way of
    # whatever changed the role, and see its outcome.
    for delay in ANNOUNCE_AGAIN_AFTER:
        transaction.on_commit(
            lambda delay=delay: dispatch.enqueue_quietly("announce_shared_ips", countdown=delay)
        )

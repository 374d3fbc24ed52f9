"""When the primary announces a failover IP it holds again (a gratuitous ARP
or an unsolicited neighbour advertisement), as keepalived does: a few times
over the seconds after the address came up (a neighbour may have missed the
first announcement, or the old holder's last packet may have crossed it), then
on a slow refresh (keepalived's garp_master_refresh), so no client stays on a
stale MAC address until its cache entry expires. The health checks run it;
the peer coming back or giving the primary role up calls for one at once
(domain.health.calls_for_announcement). Pure."""

from datetime import datetime, timedelta

FOLLOW_UP_FOR = timedelta(seconds=8)
FOLLOW_UP_EVERY = timedelta(seconds=1)
REFRESH_EVERY = timedelta(seconds=30)


def announcement_due(*, came_up_at: datetime | None, announced_at: datetime | None, now) -> bool:
    if came_up_at is None:
        return False
    since = now - (announced_at or came_up_at)
    if now - came_up_at <= FOLLOW_UP_FOR:
        return since >= FOLLOW_UP_EVERY
    return since >= REFRESH_EVERY

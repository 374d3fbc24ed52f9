"""Making this host's failover IPs match its role: up on a primary that has
confirmed its role, down otherwise. Every change and every failure is
recorded, never ignored; what the kernel already has is left alone, so
reconciling twice changes nothing the second time."""

from django.utils import timezone

from failover.domain.announcements import announcement_due
from failover.domain.event_kinds import EventKind
from failover.domain.roles import Role
from failover.models import SharedIP, SiteState, StatusEvent
from failover.netif.backends import AddressError, backend


def reconcile(role: str | None = None) -> list[str]:
    """Bring each failover IP to the state the role wants; returns the problems.
    An address brought up is announced at once."""
    site = SiteState.load()
    role = role or site.role
    hold = role == Role.PRIMARY and site.confirming_since is None
    want = SharedIP.State.UP if hold else SharedIP.State.DOWN
    driver = backend()
    problems = []
    for ip in SharedIP.objects.filter(is_failover=True):
        try:
            changed = driver.up(ip) if hold else driver.down(ip)
        except AddressError as e:
            problems.append(f"{ip.cidr} on {ip.interface}: {e}")
            if ip.state != SharedIP.State.ERROR or ip.last_error != str(e):
                StatusEvent.record(
                    EventKind.SHARED_IP_FAILED,
                    f"Could not bring {ip.cidr} {want} on {ip.interface}: {e}",
                    address=ip.address,
                )
            SharedIP.objects.filter(pk=ip.pk).update(state=SharedIP.State.ERROR, last_error=str(e))
            continue
        now = timezone.now()
        coming_up = hold and (changed or ip.state != SharedIP.State.UP)
        if coming_up:
            driver.announce(ip)
        # A change on the host, going up, or down from up is news; settling an
        # unknown state down is not.
        if changed or (ip.state != want and SharedIP.State.UP in (ip.state, want)):
            StatusEvent.record(
                EventKind.SHARED_IP_CHANGED,
                f"Failover IP {ip.cidr} is {want} on {ip.interface} ({driver.name} backend).",
                address=ip.address,
            )
        if coming_up:
            times = {"came_up_at": now, "announced_at": now}
        elif not hold:
            times = {"came_up_at": None, "announced_at": None}
        else:
            times = {}  # held already: its announcement schedule goes on
        SharedIP.objects.filter(pk=ip.pk).update(state=want, last_error="", **times)
    # Addresses this site brought up and that are no longer failover IPs must
    # not stay up here, or a later backup role would leave them on two hosts.
    for ip in SharedIP.objects.filter(is_failover=False, state=SharedIP.State.UP):
        problems.extend(take_down(ip, driver))
    return problems


def take_down(ip: SharedIP, driver=None) -> list[str]:
    try:
        (driver or backend()).down(ip)
    except AddressError as e:
        SharedIP.objects.filter(pk=ip.pk).update(state=SharedIP.State.ERROR, last_error=str(e))
        return [f"{ip.cidr} on {ip.interface}: {e}"]
    SharedIP.objects.filter(pk=ip.pk).update(state=SharedIP.State.DOWN, last_error="")
    return []


def announce(*, now: bool = False) -> int:
    """Announce again the failover IPs this site holds whose announcement is
    due (domain.announcements), or all of them ``now``; returns how many."""
    if not SiteState.load().holds_failover_ips:
        return 0
    driver = backend()
    announced = 0
    for ip in SharedIP.objects.filter(is_failover=True, state=SharedIP.State.UP):
        moment = timezone.now()
        if not now and not announcement_due(
            came_up_at=ip.came_up_at, announced_at=ip.announced_at, now=moment
        ):
            continue
        try:
            # Asked of the kernel just before: never announce an address
            # that a demotion took away meanwhile.
            if not driver.holds(ip):
                continue
        except AddressError:
            continue  # the next reconcile reports it
        driver.announce(ip)
        SharedIP.objects.filter(pk=ip.pk).update(announced_at=moment)
        announced += 1
    return announced

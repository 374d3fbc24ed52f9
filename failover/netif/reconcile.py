"""Making this host's failover IPs match its role: up on the primary, down
otherwise. Every change and every failure is recorded, never ignored."""

from failover.domain.event_kinds import EventKind
from failover.domain.roles import Role
from failover.models import SharedIP, SiteState, StatusEvent
from failover.netif.backends import AddressError, backend


def reconcile(role: str | None = None) -> list[str]:
    """Bring each failover IP to the state the role wants; returns the problems."""
    role = role or SiteState.load().role
    want = SharedIP.State.UP if role == Role.PRIMARY else SharedIP.State.DOWN
    driver = backend()
    problems = []
    for ip in SharedIP.objects.filter(is_failover=True):
        try:
            (driver.up if want == SharedIP.State.UP else driver.down)(ip)
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
        # Going up, or down from up, is news; settling an unknown state down is not.
        if ip.state != want and SharedIP.State.UP in (ip.state, want):
            StatusEvent.record(
                EventKind.SHARED_IP_CHANGED,
                f"Failover IP {ip.cidr} is {want} on {ip.interface} ({driver.name} backend).",
                address=ip.address,
            )
        SharedIP.objects.filter(pk=ip.pk).update(state=want, last_error="")
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

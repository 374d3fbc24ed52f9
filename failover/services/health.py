"""The periodic health check of the peer (run by the health-queue task)."""

from django.utils import timezone

from failover.models import PeerStatus, SiteState
from failover.peer.client import PeerClient, PeerError


def check_peer() -> str:
    """Ask the peer for its status and record the outcome. Returns a summary."""
    site = SiteState.load()
    if not site.in_relationship:
        return "standalone: nothing to check"
    started_at = timezone.now()
    try:
        report = PeerClient.for_peer(site).status()
    except PeerError as e:
        PeerStatus.record_check(started_at, None, str(e))
        return f"peer unreachable: {e}"
    PeerStatus.record_check(started_at, report)
    return f"peer {report.get('hostname')} is {report.get('role')} at epoch {report.get('epoch')}"

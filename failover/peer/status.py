"""What this site tells its peer about itself (the ``status`` endpoint)."""

import time

from django.conf import settings

from failover import __version__
from failover.models import SiteState


def status_report(site: SiteState | None = None) -> dict:
    site = site or SiteState.load()
    return {
        "site_id": str(site.site_id),
        "hostname": settings.FAILOVER_SITE_NAME,
        "role": site.role,
        "epoch": site.epoch,
        "relationship_id": str(site.relationship_id) if site.relationship_id else None,
        "version": __version__,
        "server_time": time.time(),
    }

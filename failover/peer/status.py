"""What this site tells its peer about itself (the ``status`` endpoint)."""

import time

from django.conf import settings

from failover import __version__
from failover.models import SiteState, SyncRun
from failover.status import sync_progress


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
        "swap_in_progress": site.swap_lock_note if site.swap_in_progress else None,
        "running_sync": sync_progress(SyncRun.objects.filter(active=True).first()),
        "last_sync": sync_progress(SyncRun.objects.filter(active=None).first()),
    }

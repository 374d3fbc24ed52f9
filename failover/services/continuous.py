"""Continuous data sync: the primary numbers each change it sees (files by
the watcher, replicated rows by their signals) and tells the backup, which
pulls an incremental sync at once. The interval sync stays as the safety net.

Nothing here runs on the health queue: telling the backup never delays a
health check or a failover decision.
"""

import logging

from django.core.cache import cache

from failover import dispatch
from failover.models import BackupSettings, DataChange, SiteState, SyncRun
from failover.peer.client import PeerClient, PeerError
from failover.services import syncing
from failover.sync import changes

log = logging.getLogger(__name__)

# Rows saved in a burst (a form, a sync of settings) make one announcement.
ROWS_DEBOUNCE = 0.3
ANNOUNCE_TIMEOUT = 3.0
_PENDING_KEY = "failover:changes-announcement-pending"


def _watching(site: SiteState) -> bool:
    return site.is_primary and BackupSettings.load().continuous_sync


def files_changed(source: str = DataChange.Source.FILES) -> str:
    """The watcher saw changes (or may have missed some: ``RESCAN``)."""
    site = SiteState.load()
    if not _watching(site):
        return "not a primary with continuous sync"
    changes.record(source)
    return announce(site)


def rows_changed() -> None:
    """A replicated row was saved or deleted here (signal handler): number it
    now, tell the backup a moment later, once per burst."""
    site = SiteState.load()
    if not _watching(site):
        return
    changes.record(DataChange.Source.ROWS)
    if cache.add(_PENDING_KEY, 1, timeout=10):
        dispatch.enqueue_on_commit("announce_changes", countdown=ROWS_DEBOUNCE)


def announce(site: SiteState | None = None) -> str:
    """Tell the backup this site's data version (peer call ``sync/pending``)."""
    cache.delete(_PENDING_KEY)
    site = site or SiteState.load()
    if not _watching(site):
        return "not a primary with continuous sync"
    version = changes.current_version(site)
    try:
        PeerClient.for_peer(site, timeout=ANNOUNCE_TIMEOUT).call(
            "POST", "sync/pending", payload={"version": version}
        )
    except PeerError as e:
        # The backup learns of it from the next announcement or interval sync.
        log.info("could not tell the backup of changes: %s", e)
        return f"backup not told: {e}"
    return f"backup told of {version}"


def accept_pending(payload) -> dict:
    """On the backup (peer endpoint ``sync/pending``): the primary has
    changes; queue a continuous sync unless one is queued already."""
    site = SiteState.load()
    backup = BackupSettings.load()
    if not (site.is_backup and backup.continuous_sync and backup.backup_operations_enabled):
        return {"queued": False}
    version = payload.get("version") if isinstance(payload, dict) else None
    last = SyncRun.objects.last_succeeded()
    if isinstance(version, str) and last and last.data_version == version:
        return {"queued": False}
    run = syncing.queue_continuous()
    return {"queued": run is not None}

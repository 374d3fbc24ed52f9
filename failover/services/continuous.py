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


def _announcing(site: SiteState) -> bool:
    return site.is_primary and BackupSettings.load().continuous_sync


def files_changed(source: str = DataChange.Source.FILES, *, peer=None) -> str:
    """The watcher saw changes (or may have missed some: ``RESCAN``). A
    primary numbers them even with continuous sync off, so that its data
    version never says "unchanged" about data that changed."""
    site = SiteState.load()
    if not site.is_primary:
        return "not the primary"
    changes.record(source)
    return announce(site, peer=peer)


def rows_changed() -> None:
    """A replicated row was saved or deleted here (signal handler): number it
    now, tell the backup a moment later, once per burst."""
    site = SiteState.load()
    if not site.is_primary:
        return
    changes.record(DataChange.Source.ROWS)
    if _announcing(site) and cache.add(_PENDING_KEY, 1, timeout=10):
        dispatch.enqueue_on_commit("announce_changes", countdown=ROWS_DEBOUNCE)


def announce(site: SiteState | None = None, *, peer=None) -> str:
    """Tell the backup this site's data version (peer call ``sync/pending``)."""
    cache.delete(_PENDING_KEY)
    site = site or SiteState.load()
    if not _announcing(site):
        return "not a primary with continuous sync"
    version = changes.current_version(site)
    try:
        (peer or PeerClient.for_peer(site, timeout=ANNOUNCE_TIMEOUT)).call(
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
    version = payload.get("version") if isinstance(payload, dict) else None
    return {"queued": _pull(SiteState.load(), version)}


def catch_up(site: SiteState, report: dict) -> bool:
    """On the backup, after a health check: an announcement that never came
    (this site was down, the link was cut) is made up for here, at once,
    rather than at the next interval sync."""
    if SyncRun.objects.active().exists():
        return False
    return _pull(site, report.get("data_version"))


def _pull(site: SiteState, version) -> bool:
    backup = BackupSettings.load()
    if not (site.is_backup and backup.continuous_sync and backup.backup_operations_enabled):
        return False
    last = SyncRun.objects.last_succeeded()
    if not isinstance(version, str) or (last and last.data_version == version):
        return False
    return syncing.queue_continuous() is not None

"""The primary's numbered changes and what the backup holds of them.

A data version names what a manifest showed: ``site_id:epoch:change``. The
backup sends back the version it last took; if nothing changed since, the
primary answers "unchanged" without listing its data again. The epoch in it
makes a version from another time this site was primary (or from the other
site) never match.
"""

import time

from django.core.cache import cache
from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone

from failover.models import DataChange, Delivery, PeerStatus, SiteState

# After each of its reads the watcher says how far it has seen: every change
# made before that read began is numbered. Gone when the watch stops (a dead
# worker's watch sees nothing).
WATCHING_KEY = "failover:data-watcher-seen-until"
WATCHING_TTL = 2
# How long the primary waits for its watch to see past a question before it
# lists everything instead: a read and its debounce (sync/watcher.py).
CATCH_UP_WAIT = 1.0


def watching(seen_until: float) -> None:
    """Every change made before ``seen_until`` (a time.time()) is numbered
    (the watcher, after each read)."""
    cache.set(WATCHING_KEY, seen_until, timeout=WATCHING_TTL)


def watched_since(moment: float, wait: float | None = None) -> bool:
    """Whether every change made before ``moment`` is numbered, waiting up to
    ``wait`` seconds for the watch to get there: a write just before a Sync
    now must not be answered "unchanged"."""
    deadline = time.monotonic() + (CATCH_UP_WAIT if wait is None else wait)
    while True:
        seen = cache.get(WATCHING_KEY)
        if seen is not None and seen >= moment:
            return True
        if seen is None or time.monotonic() >= deadline:
            return False
        time.sleep(0.01)


def record(source: str) -> int:
    """Number a change seen on this site (the caller knows it is primary)."""
    return DataChange.objects.create(source=source).pk


def _last_change() -> int:
    return DataChange.objects.aggregate(last=Max("id"))["last"] or 0


def current_version(site: SiteState | None = None) -> str:
    site = site or SiteState.load()
    return f"{site.site_id}:{site.epoch}:{_last_change()}"


def parse_version(version, site: SiteState) -> int | None:
    """The change number in ``version`` if it is one of this site's, in its
    current epoch; None otherwise (another site's, an older epoch's, junk)."""
    if not isinstance(version, str) or len(version) > 100:
        return None
    site_id, _, rest = version.partition(":")
    epoch, _, change = rest.partition(":")
    if site_id != str(site.site_id) or epoch != str(site.epoch) or not change.isdigit():
        return None
    return int(change)


def mark_delivered(version) -> bool:
    """The backup now holds ``version``: forget the changes it covers (but
    the last, which keeps the numbering going). False for a version that is
    not this site's current one, or older than what is known."""
    site = SiteState.load()
    change = parse_version(version, site)
    if change is None or change > _last_change():
        return False
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=Delivery.load().pk)
        if delivery.epoch == site.epoch and delivery.change >= change:
            return False
        delivery.epoch, delivery.change, delivery.at = site.epoch, change, timezone.now()
        delivery.save()
        DataChange.objects.filter(id__lt=change).delete()
    return True


def delivered_change(site: SiteState) -> int:
    delivery = Delivery.load()
    return delivery.change if delivery.epoch == site.epoch else 0


def lag_seconds(site: SiteState | None = None) -> float | None:
    """On the primary: the age of the oldest change the backup does not hold
    yet (0 when it holds everything); None when this site is not a primary
    in a relationship."""
    site = site or SiteState.load()
    if not site.is_primary:
        return None
    oldest = DataChange.objects.filter(id__gt=delivered_change(site)).aggregate(at=Min("at"))["at"]
    return max(0.0, (timezone.now() - oldest).total_seconds()) if oldest else 0.0


def backup_lag_seconds(site: SiteState) -> float | None:
    """How far behind the backup is, on either site: the primary knows; the
    backup repeats what its last health check heard (None while the primary
    is unreachable, or outside a relationship)."""
    if site.is_primary:
        return lag_seconds(site)
    peer = PeerStatus.load()
    if not site.is_backup or not peer.reachable:
        return None
    return peer.report.get("sync_lag_seconds")

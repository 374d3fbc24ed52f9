"""Single-use nonces: in Redis (Django's cache) when configured, else the database."""

from datetime import timedelta

from django.conf import settings
from django.core.cache import cache

from failover.models import SeenNonce
from failover.peer.signing import MAX_CLOCK_SKEW

# A nonce must be remembered for as long as its timestamp would be accepted:
# the skew window on either side of now.
WINDOW = timedelta(seconds=2 * MAX_CLOCK_SKEW + 5)


def remember(nonce: str) -> bool:
    """True the first time ``nonce`` is seen within the window, False for a replay."""
    if settings.FAILOVER_NONCE_STORE == "cache":
        return cache.add(f"failover:nonce:{nonce}", 1, timeout=WINDOW.total_seconds())
    return SeenNonce.remember(nonce)


def forget_expired() -> int:
    if settings.FAILOVER_NONCE_STORE == "cache":
        return 0  # Redis expires them itself
    return SeenNonce.forget_older_than(WINDOW)

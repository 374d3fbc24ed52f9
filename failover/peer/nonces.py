"""Single-use nonces, kept in Redis (Django's cache) for the replay window."""

from django.core.cache import cache

from failover.peer.signing import MAX_CLOCK_SKEW

# A nonce must be remembered for as long as its timestamp would be accepted:
# the skew window on either side of now. Redis forgets it afterwards.
WINDOW_SECONDS = 2 * MAX_CLOCK_SKEW + 5


def remember(nonce: str) -> bool:
    """True the first time ``nonce`` is seen within the window, False for a replay."""
    return cache.add(f"failover:nonce:{nonce}", 1, timeout=WINDOW_SECONDS)

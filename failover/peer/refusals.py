"""Refused peer requests, counted in the cache (Redis): a flood of bad
requests costs no database write, and the history gets at most one event per
cause per minute."""

from django.core.cache import cache

# Why a request is refused (SignatureError codes from signing.py and server.py).
CAUSES = (
    "unsigned",
    "malformed",
    "bad_signature",
    "stale",
    "replayed",
    "unknown_site",
    "plaintext",
    "no_key",
    "protocol",
    "wrong_receiver",
)
EVENT_EVERY = 60


def _count_key(cause: str) -> str:
    return f"failover:refused:{cause}"


def count(cause: str) -> bool:
    """Count one refusal; True when it is due a history event (the first for
    this cause in EVENT_EVERY seconds, whichever process sees it)."""
    if not cache.add(_count_key(cause), 1, timeout=None):
        cache.incr(_count_key(cause))
    return cache.add(f"failover:refused-event:{cause}", 1, timeout=EVENT_EVERY)


def counts() -> dict[str, int]:
    found = cache.get_many([_count_key(cause) for cause in CAUSES])
    return {cause: int(found.get(_count_key(cause), 0)) for cause in CAUSES}

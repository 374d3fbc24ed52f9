"""The availability of the pair in words ("site-a primary 23 h 58 min, 2
failovers, longest outage 3.4 s"), for screen readers and the status JSON."""

from collections import Counter
from collections.abc import Iterable

from failover.domain.availability import STATES, Band
from failover.domain.event_kinds import EventKind as K

STATE_WORDS = {
    "primary": "primary",
    "backup": "backup",
    "none": "standalone",
    "stepped_down": "stepped down",
}


def duration_words(seconds: float) -> str:
    """3.4 s, 12 min 5 s, 23 h 58 min, 6 d 23 h: two units at most."""
    if seconds < 60:
        return f"{seconds:.1f} s" if seconds < 10 else f"{round(seconds)} s"
    whole = round(seconds)
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min {secs} s" if secs else f"{minutes} min"


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def event_counts(kinds: Iterable[str]) -> dict[str, int]:
    """Failovers, planned swaps (each leaves one role swap on this site) and
    conflicts detected, among the kinds of the window's events."""
    counted = Counter(kinds)
    return {
        "failovers": counted[K.FAILOVER],
        "swaps": counted[K.ROLE_SWAPPED],
        "conflicts": counted[K.CONFLICT_DETECTED],
    }


def site_words(name: str, band: Band, *, outage_word: str) -> str:
    roles = [
        f"{STATE_WORDS[state]} {duration_words(band.seconds[state])}"
        for state in STATES
        if band.seconds.get(state)
    ]
    text = f"{name} {', '.join(roles) or 'no data'}"
    if band.outages:
        text += (
            f", {plural(band.outage_count, outage_word)}, "
            f"longest {duration_words(band.longest_outage)}"
        )
    return text


def summary(here: tuple[str, Band], peer: tuple[str, Band] | None, counts: dict) -> str:
    parts = [site_words(*here, outage_word="isolation")]
    if peer is not None:
        parts.append(site_words(*peer, outage_word="outage"))
    parts.append(
        f"{plural(counts['failovers'], 'failover')}, {plural(counts['swaps'], 'swap')}, "
        f"{plural(counts['conflicts'], 'conflict')}"
    )
    return "; ".join(parts) + "."

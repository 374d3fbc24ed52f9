"""How long a site spent in each role, and when it was out of reach, over a
window: the availability timeline's bands and the ``availability`` key of the
status. Plain data in, plain data out."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

# Band states: the three roles, and a primary that is not serving as one (a
# restarted primary waiting to confirm its role, its failover IPs down).
PRIMARY, BACKUP, NONE, STEPPED_DOWN = "primary", "backup", "none", "stepped_down"
STATES = (PRIMARY, BACKUP, NONE, STEPPED_DOWN)


@dataclass(frozen=True)
class Change:
    """What became true at ``time``: a state, reachability, or both (None: unchanged)."""

    time: datetime
    state: str | None = None
    reachable: bool | None = None


@dataclass(frozen=True)
class Span:
    start: datetime
    end: datetime
    state: str = ""

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


@dataclass(frozen=True)
class Band:
    """One site over the window: its states, end to end, and its outages."""

    spans: list[Span]
    outages: list[Span]
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def outage_count(self) -> int:
        return len(self.outages)

    @property
    def longest_outage(self) -> float:
        return max((outage.seconds for outage in self.outages), default=0.0)


def band(
    changes: Iterable[Change],
    start: datetime,
    end: datetime,
    *,
    state: str = NONE,
    reachable: bool = True,
) -> Band:
    """The band over [start, end) given the state and reachability at ``start``
    and the changes after it (in any order; those outside the window only
    move the initial values forward, or are ignored).

    The spans cover the window without gap or overlap, so the seconds per
    state add up to the window. An outage still open at ``end`` is cut there.
    """
    if end < start:
        raise ValueError("the window ends before it starts")
    if state not in STATES:
        raise ValueError(f"unknown state {state!r}")
    spans: list[Span] = []
    outages: list[Span] = []
    since, down_since = start, None if reachable else start
    for change in sorted(changes, key=lambda c: c.time):
        if change.state is not None and change.state not in STATES:
            raise ValueError(f"unknown state {change.state!r}")
        if change.time >= end:
            break
        at = max(change.time, start)
        if change.state is not None and change.state != state:
            if at > since:
                spans.append(Span(since, at, state))
                since = at
            elif spans and spans[-1].state == change.state:
                # Changed back at the same instant: the earlier span goes on.
                since = spans.pop().start
            state = change.state
        if change.reachable is False and down_since is None:
            down_since = at
        elif change.reachable is True and down_since is not None:
            if at > down_since:
                outages.append(Span(down_since, at))
            down_since = None
    if end > since or not spans:
        spans.append(Span(since, end, state))
    if down_since is not None and end > down_since:
        outages.append(Span(down_since, end))
    seconds = dict.fromkeys(STATES, 0.0)
    for span in spans:
        seconds[span.state] += span.seconds
    return Band(spans=spans, outages=outages, seconds=seconds)

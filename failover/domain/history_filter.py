"""Which status-history events an administrator asks for: by kind (several),
actor, time range and free text. The same filter, spelled the same way in a
URL's query string, serves the page, its exports, the API and the command
line. Pure functions."""

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo

from django.utils.dateparse import parse_date, parse_datetime

from failover.domain.event_kinds import EventKind

MAX_TEXT = 200
_PLUS_AS_SPACE = re.compile(r" (\d{2}(?::?\d{2})?)$")


@dataclass(frozen=True)
class HistoryFilter:
    kinds: tuple[str, ...] = ()
    actor: str = ""
    # Events at or after ``since`` and strictly before ``until``.
    since: datetime | None = None
    until: datetime | None = None
    text: str = ""

    @property
    def active(self) -> bool:
        return bool(self.kinds or self.actor or self.since or self.until or self.text)

    def as_query(self) -> list[tuple[str, str]]:
        """The filter as query parameters, for links that must keep it."""
        pairs = [("kind", kind) for kind in self.kinds]
        pairs += [("actor", self.actor)] if self.actor else []
        pairs += [("since", self.since.isoformat())] if self.since else []
        pairs += [("until", self.until.isoformat())] if self.until else []
        pairs += [("q", self.text)] if self.text else []
        return pairs


def _moment(name: str, value: str, zone: tzinfo, *, end_of_day: bool) -> datetime | None:
    """An ISO 8601 date or date and time; a date alone means its whole day."""
    # An unencoded "+" in a query string arrives as a space.
    value = _PLUS_AS_SPACE.sub(r"+\1", value.strip())
    if not value:
        return None
    try:
        day = parse_date(value)
        moment = None if day else parse_datetime(value)
    except ValueError:
        moment = day = None
    if moment is None and day is None:
        raise ValueError(
            f"{name}: {value[:40]!r} is not a date (YYYY-MM-DD) or a date and time "
            "(YYYY-MM-DDTHH:MM[:SS][+HH:MM])."
        )
    if moment is None:
        moment = datetime.combine(day + timedelta(days=1 if end_of_day else 0), time())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment


def parse_history_filter(params, zone: tzinfo) -> HistoryFilter:
    """Read a filter from query parameters (anything with ``get`` and
    ``getlist``, such as a QueryDict); raises ValueError with a message fit to
    show. Times without a zone are in ``zone``."""
    kinds = tuple(dict.fromkeys(k.strip() for k in params.getlist("kind") if k.strip()))
    unknown = [kind for kind in kinds if kind not in EventKind._value2member_map_]
    if unknown:
        raise ValueError(
            f"kind: {unknown[0][:40]!r} is not an event kind (see the list of event kinds)."
        )
    text = (params.get("q") or "").strip()
    if len(text) > MAX_TEXT:
        raise ValueError(f"q: search text is limited to {MAX_TEXT} characters.")
    since = _moment("since", params.get("since") or "", zone, end_of_day=False)
    until = _moment("until", params.get("until") or "", zone, end_of_day=True)
    if since and until and since >= until:
        raise ValueError("since must be before until.")
    actor = (params.get("actor") or "").strip()[:150]
    return HistoryFilter(kinds, actor, since, until, text)

"""The status history as CSV or JSON Lines, for the page's export links, the
API and ``failover history``: streamed in chunks, with constant memory
whatever the number of rows."""

import csv
import io
import json

from failover.domain.history_filter import HistoryFilter
from failover.models import StatusEvent
from failover.shapes import event_json

FORMATS = ("csv", "jsonl")
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}
COLUMNS = ("id", "time", "kind", "actor", "message", "details")
# Rows fetched per database round trip, and written per chunk.
BATCH = 2000


def _rows(wanted: HistoryFilter):
    """Oldest first, read in batches through a server-side cursor."""
    return StatusEvent.objects.matching(wanted).order_by("id").iterator(chunk_size=BATCH)


def _csv_chunks(wanted: HistoryFilter):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for count, event in enumerate(_rows(wanted), start=1):
        row = event_json(event)
        row["details"] = json.dumps(row["details"], sort_keys=True)
        writer.writerow([row[column] for column in COLUMNS])
        if count % BATCH == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _jsonl_chunks(wanted: HistoryFilter):
    lines = []
    for event in _rows(wanted):
        lines.append(json.dumps(event_json(event)))
        if len(lines) == BATCH:
            yield "\n".join(lines) + "\n"
            lines = []
    if lines:
        yield "\n".join(lines) + "\n"


def export(wanted: HistoryFilter, fmt: str):
    """The matching events in ``fmt`` ("csv" or "jsonl"), as text chunks."""
    return _csv_chunks(wanted) if fmt == "csv" else _jsonl_chunks(wanted)

"""Delta transfer on the backup: a changed file is built from the chunks its
likely bases in the current copy already hold (its previous version, or a
file it was renamed from) and only the other chunks are fetched. Every chunk
is checked against its digest before it is written, and the whole file
against the manifest's hash at the end, as a fetched file is."""

import os
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path

from failover.sync import chunking
from failover.sync.chunking import Chunk, ChunkListError
from failover.sync.outcome import SyncFailed

# Smaller files are fetched whole: a chunk list would save next to nothing.
DELTA_MIN_BYTES = 64 * 1024
BASES_PER_FILE = 2


class Bases:
    """Picks, for each file to fetch, files of the current copy likely to
    share its chunks: its previous version; else files the new manifest no
    longer lists (renamed, perhaps edited) of the same name or of a similar
    size, same name first, then closest in size."""

    def __init__(self, current: Path | None, previous: dict[str, dict], entries: list[dict]):
        self.current = current
        self.previous = previous
        listed = {e["path"] for e in entries}
        self.gone = [
            e
            for e in previous.values()
            if e["type"] == "file" and e["size"] >= DELTA_MIN_BYTES and e["path"] not in listed
        ]

    def __call__(self, entry: dict) -> list[Path]:
        size = entry["size"]
        if self.current is None or size < DELTA_MIN_BYTES:
            return []
        same = self.previous.get(entry["path"])
        if same and same["type"] == "file" and same["size"]:
            return [self.current / entry["path"]]
        name = _name(entry)
        alike = [e for e in self.gone if _name(e) == name or size / 2 <= e["size"] <= size * 2]
        alike.sort(key=lambda e: (_name(e) != name, abs(e["size"] - size)))
        return [self.current / e["path"] for e in alike[:BASES_PER_FILE]]


def _name(entry: dict) -> str:
    return entry["path"].rsplit("/", 1)[-1]


def build(fetcher, entry: dict, bases: list[Path], part: Path, digest) -> None:
    """Append the rest of ``entry``'s content to ``part`` (which holds a
    verified prefix, or nothing), updating ``digest`` with every byte."""
    path = entry["path"]
    try:
        average, chunks = chunking.decode(fetcher.source.chunks(entry), entry["size"])
    except ChunkListError as e:
        raise SyncFailed(f"refused the primary's chunk list of {path}: {e}") from None
    done = _resume(part, chunks, digest)
    todo = chunks[done:]
    local = _index(bases, average, {c.digest for c in todo})
    missing = [c for c in todo if c.digest not in local]
    incoming = _fetched(fetcher.source, entry, missing)
    with ExitStack() as stack, open(part, "ab") as out:
        stack.callback(incoming.close)
        read_local = stack.enter_context(_Reader())
        for chunk in todo:
            if fetcher.stop.is_set():
                raise SyncFailed("stopped")
            if chunk.digest in local:
                data = read_local(*local[chunk.digest])
                if chunking.chunk_digest(data) != chunk.digest:
                    raise SyncFailed(f"{path}: the backup's own copy changed during the sync")
            else:
                data, wire_bytes = next(incoming)
                fetcher.on_wire(wire_bytes)
                if chunking.chunk_digest(data) != chunk.digest:
                    raise SyncFailed(
                        f"{path}: a chunk the primary sent does not match its digest; "
                        "the previous copy is kept"
                    )
            out.write(data)
            digest.update(data)


def _resume(part: Path, chunks: list[Chunk], digest) -> int:
    """Keep the whole chunks an earlier sync already wrote to ``part`` (hashing
    them into ``digest``); the number of chunks kept."""
    have = part.stat().st_size if part.exists() else 0
    done, boundary = 0, 0
    while done < len(chunks) and boundary + chunks[done].length <= have:
        boundary += chunks[done].length
        done += 1
    with open(part, "ab") as f:
        f.truncate(boundary)
    with open(part, "rb") as f:
        left = boundary
        while left:
            block = f.read(min(left, 1024 * 1024))
            digest.update(block)
            left -= len(block)
    return done


def _index(bases: list[Path], average: int, wanted: set[bytes]) -> dict:
    """digest -> (file, offset, length) of the wanted chunks the bases hold."""
    found = {}
    for base in bases:
        try:
            for chunk in chunking.chunks_of(base, average):
                if chunk.digest in wanted:
                    found.setdefault(chunk.digest, (base, chunk.offset, chunk.length))
        except OSError:
            continue  # a base that vanished is just no help
    return found


def _fetched(source, entry: dict, missing: list[Chunk]):
    """Each missing chunk's (bytes, wire bytes), in order: one ranges request
    per MAX_RANGES ranges (the primary refuses more), each range whole chunks."""
    spans, at = _spans(missing), 0
    for first in range(0, len(spans), chunking.MAX_RANGES):
        batch = spans[first : first + chunking.MAX_RANGES]
        left = sum(length for _, length in batch)
        with source.read_ranges(entry, batch) as stream:
            while left:
                chunk, at = missing[at], at + 1
                left -= chunk.length
                yield stream.read(chunk.length, entry["path"])


def _spans(chunks: list[Chunk]) -> list[tuple[int, int]]:
    """The chunks' byte ranges, adjacent ones merged."""
    spans: list[list[int]] = []
    for chunk in chunks:
        if spans and spans[-1][0] + spans[-1][1] == chunk.offset:
            spans[-1][1] += chunk.length
        else:
            spans.append([chunk.offset, chunk.length])
    return [(start, length) for start, length in spans]


class _Reader:
    """Reads chunks of the bases, each base opened once."""

    def __init__(self):
        self.open: dict[Path, int] = {}

    def __enter__(self) -> Callable[[Path, int, int], bytes]:
        return self

    def __exit__(self, *exc) -> None:
        for fd in self.open.values():
            os.close(fd)

    def __call__(self, base: Path, offset: int, length: int) -> bytes:
        if base not in self.open:
            self.open[base] = os.open(base, os.O_RDONLY)
        return os.pread(self.open[base], length, offset)

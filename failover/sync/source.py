"""The backup's view of the primary during a sync: the signed peer endpoints."""

import threading
from collections.abc import Iterator

import requests
import urllib3
from django.conf import settings

from failover.peer.client import PeerClient, PeerError
from failover.sync import chunking, wire

CHUNK = 1024 * 1024
# Listing and hashing a large tree the first time takes the primary a while;
# file transfers use the normal peer timeout between chunks.
MANIFEST_TIMEOUT = 120.0
# Asked of every file transfer: zstd frames where the data compresses.
ENCODED = {"encoding": wire.ENCODING}


class SourceError(Exception):
    pass


class PeerSource:
    """Reads from the primary; one HTTP session per thread."""

    def __init__(self, make_client):
        self._make_client = make_client
        self._local = threading.local()

    @classmethod
    def for_peer(cls, site) -> "PeerSource":
        return cls(lambda: PeerClient.for_peer(site))

    @property
    def client(self) -> PeerClient:
        if not hasattr(self._local, "client"):
            self._local.client = self._make_client()
        return self._local.client

    def manifest(self, known_version: str = "") -> dict:
        """The primary's listing, or ``{"unchanged": true}`` if its data is
        still at ``known_version``."""
        try:
            return self.client.call(
                "GET",
                "sync/manifest",
                params={"known": known_version} if known_version else None,
                timeout=MANIFEST_TIMEOUT,
                max_bytes=settings.FAILOVER_SYNC_MAX_MANIFEST_BYTES,
            )
        except PeerError as e:
            raise SourceError(f"could not get the primary's manifest: {e}") from None

    def database(self) -> str:
        try:
            return self.client.request("GET", "sync/database", timeout=MANIFEST_TIMEOUT).text
        except PeerError as e:
            raise SourceError(f"could not get the primary's database rows: {e}") from None

    def read_many(self, items: list[tuple[dict, int]]) -> Iterator[Iterator[tuple[bytes, int]]]:
        """Several files in one streamed request: for each (entry, offset) in
        order, an iterator over that file's (bytes, wire bytes) from ``offset``.
        Each must be read to its end before the next."""
        payload = {"files": [{**_identity(e), "offset": offset} for e, offset in items]}
        try:
            response = self.client.request(
                "POST", "sync/files", payload=payload, params=ENCODED, stream=True
            )
        except PeerError as e:
            raise SourceError(f"could not fetch {len(items)} files: {e}") from None
        with Stream(response) as stream:
            for entry, offset in items:
                yield stream.take(entry["size"] - offset, entry["path"])

    def read(self, entry: dict, offset: int) -> Iterator[tuple[bytes, int]]:
        """The file's (bytes, wire bytes) from ``offset``, in chunks; never the
        whole file at once."""
        try:
            response = self.client.request(
                "GET",
                "sync/file",
                params={**_identity(entry), **ENCODED},
                stream=True,
                headers={"Range": f"bytes={offset}-"},
            )
        except PeerError as e:
            raise SourceError(f"could not fetch {entry['path']}: {e}") from None
        with Stream(response) as stream:
            expected = 206 if offset else 200
            if response.status_code != expected:
                raise SourceError(
                    f"could not fetch {entry['path']}: unexpected HTTP {response.status_code}"
                )
            yield from stream.take(entry["size"] - offset, entry["path"])

    def chunks(self, entry: dict) -> dict:
        """The file's chunk list (``chunking.decode`` checks it)."""
        try:
            return self.client.call(
                "GET",
                "sync/chunks",
                params=_identity(entry),
                timeout=MANIFEST_TIMEOUT,
                max_bytes=chunking.max_encoded_bytes(entry["size"]),
            )
        except PeerError as e:
            raise SourceError(f"could not get the chunks of {entry['path']}: {e}") from None

    def read_ranges(self, entry: dict, spans: list[tuple[int, int]]) -> "Stream":
        """A stream of the file's byte ranges (offset, length), in order."""
        payload = {**_identity(entry), "ranges": [list(span) for span in spans]}
        try:
            response = self.client.request(
                "POST", "sync/ranges", payload=payload, params=ENCODED, stream=True
            )
        except PeerError as e:
            raise SourceError(f"could not fetch parts of {entry['path']}: {e}") from None
        return Stream(response)


def _identity(entry: dict) -> dict:
    """What the primary checks a file against: still as its manifest listed it."""
    return {"path": entry["path"], "size": entry["size"], "mtime_ns": entry["mtime_ns"]}


class Stream:
    """The file bytes of one streamed answer, plain or in zstd frames, taken
    file by file (or chunk by chunk) in order. A context manager: closing it
    closes the answer."""

    def __init__(self, response):
        self.response = response
        read = response.raw.read
        if response.headers.get(wire.ENCODING_HEADER) == wire.ENCODING:
            self._pieces = wire.unframe(read)
        else:
            self._pieces = _plain(read)
        # What is left of the last piece: taken from an offset, not re-sliced,
        # so taking small chunks of a large frame copies each byte once.
        self._buffer, self._at = b"", 0

    def __enter__(self) -> "Stream":
        return self

    def __exit__(self, *exc) -> None:
        self.response.close()

    def take(self, count: int, path: str) -> Iterator[tuple[bytes, int]]:
        """``count`` bytes as (bytes, wire bytes) pieces; a short stream is an
        error. Wire bytes are counted with the piece their frame arrived in."""
        while count:
            wire_bytes = 0
            if self._at == len(self._buffer):
                (self._buffer, wire_bytes), self._at = self._next(path), 0
            piece = self._buffer[self._at : self._at + count]
            self._at += len(piece)
            count -= len(piece)
            yield piece, wire_bytes

    def read(self, count: int, path: str) -> tuple[bytes, int]:
        """``count`` bytes at once (a chunk), and the wire bytes they cost."""
        pieces = list(self.take(count, path))
        return b"".join(p for p, _ in pieces), sum(w for _, w in pieces)

    def _next(self, path: str) -> tuple[bytes, int]:
        try:
            return next(self._pieces)
        except StopIteration:
            raise SourceError(f"the primary's stream ended inside {path}") from None
        except wire.WireError as e:
            raise SourceError(f"refused the primary's stream of {path}: {e}") from None
        except (urllib3.exceptions.HTTPError, requests.RequestException, OSError) as e:
            raise SourceError(f"lost the primary while fetching {path}: {_short(e)}") from None


def _plain(read) -> Iterator[tuple[bytes, int]]:
    while chunk := read(CHUNK):
        yield chunk, len(chunk)


def _short(error: Exception) -> str:
    text = str(error)
    if "Read timed out" in text:
        return "no data within the peer timeout"
    return text.split(": ", 1)[-1][:200]

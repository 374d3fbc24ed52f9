"""The backup's view of the primary during a sync: the signed peer endpoints."""

import threading
from collections.abc import Iterator

import requests
import urllib3
from django.conf import settings

from failover.peer.client import PeerClient, PeerError

CHUNK = 1024 * 1024
# Listing and hashing a large tree the first time takes the primary a while;
# file transfers use the normal peer timeout between chunks.
MANIFEST_TIMEOUT = 120.0


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

    def read_many(self, items: list[tuple[dict, int]]) -> Iterator[Iterator[bytes]]:
        """Several files in one streamed request: for each (entry, offset) in
        order, an iterator over that file's bytes from ``offset``. Each must be
        read to its end before the next."""
        payload = {
            "files": [
                {"path": e["path"], "size": e["size"], "mtime_ns": e["mtime_ns"], "offset": offset}
                for e, offset in items
            ]
        }
        try:
            response = self.client.request("POST", "sync/files", payload=payload, stream=True)
        except PeerError as e:
            raise SourceError(f"could not fetch {len(items)} files: {e}") from None
        try:
            for entry, offset in items:
                yield _exactly(response.raw, entry["size"] - offset, entry["path"])
        finally:
            response.close()

    def read(self, entry: dict, offset: int) -> Iterator[bytes]:
        """The file's bytes from ``offset``, in chunks; never the whole file at once."""
        params = {"path": entry["path"], "size": entry["size"], "mtime_ns": entry["mtime_ns"]}
        try:
            response = self.client.request(
                "GET",
                "sync/file",
                params=params,
                stream=True,
                headers={"Range": f"bytes={offset}-"},
            )
        except PeerError as e:
            raise SourceError(f"could not fetch {entry['path']}: {e}") from None
        expected = 206 if offset else 200
        try:
            if response.status_code != expected:
                raise SourceError(
                    f"could not fetch {entry['path']}: unexpected HTTP {response.status_code}"
                )
            yield from response.iter_content(CHUNK)
        except requests.RequestException as e:
            raise SourceError(
                f"lost the primary while fetching {entry['path']}: {_short(e)}"
            ) from None
        finally:
            response.close()


def _exactly(raw, count: int, path: str) -> Iterator[bytes]:
    """``count`` bytes of a batch stream, in chunks; a short stream is an error."""
    while count:
        try:
            chunk = raw.read(min(CHUNK, count))
        except (urllib3.exceptions.HTTPError, OSError) as e:
            raise SourceError(f"lost the primary while fetching {path}: {_short(e)}") from None
        if not chunk:
            raise SourceError(f"the primary's stream ended inside {path}")
        count -= len(chunk)
        yield chunk


def _short(error: Exception) -> str:
    text = str(error)
    if "Read timed out" in text:
        return "no data within the peer timeout"
    return text.split(": ", 1)[-1][:200]

"""The primary's side of a sync: the peer endpoints the backup pulls from."""

import json
import re
import time
from pathlib import Path

from django.conf import settings
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET, require_POST

from failover import __version__
from failover.errors import Refused
from failover.peer.server import peer_endpoint, peer_error
from failover.sync import baseline, changes, chunking, database, wire
from failover.sync.manifest import build_manifest
from failover.sync.paths import ManifestError, safe_relative_path

_RANGE = re.compile(r"^bytes=(\d+)-$")


def data_root() -> Path:
    """The data directory as served: on a site that was a backup it is a
    symlink to the current copy; resolve it once per request."""
    return settings.FAILOVER_DATA_DIR.resolve()


def _not_primary(request):
    if request.peer.local.is_primary:
        return None
    return peer_error("not_primary", "This site is not the primary: it serves no data.")


@require_GET
@peer_endpoint
def manifest(request):
    refused = _not_primary(request)
    if refused:
        return refused
    site = request.peer.local
    known = request.GET.get("known")
    if known and changes.watched_since(time.time()) and known == changes.current_version(site):
        return JsonResponse({"version": __version__, "unchanged": True, "data_version": known})
    # Read before listing: a change made while listing gets a later number,
    # so the backup comes back for it.
    version = changes.current_version(site)
    entries = build_manifest(data_root())
    baseline.remember_served(changes.parse_version(version, site), entries)
    return JsonResponse({"version": __version__, "data_version": version, "files": entries})


@require_POST
@peer_endpoint
def delivered(request):
    """The backup took a sync of this primary's data: it holds ``version``."""
    try:
        payload = json.loads(request.body)
        version, digest = payload["version"], payload.get("database_digest", "")
    except (KeyError, TypeError, ValueError):
        return peer_error("invalid", 'Bad delivery: expected {"version": ...}.', 400)
    site = request.peer.local
    change = changes.parse_version(version, site)
    if change is None:
        return JsonResponse({"recorded": False})
    recorded = changes.mark_delivered(version)
    if recorded:
        baseline.confirm(change, digest)
    return JsonResponse({"recorded": recorded})


@require_GET
@peer_endpoint
def file(request):
    """A file's bytes from ``Range: bytes=N-`` on, if it is still as listed."""
    refused = _not_primary(request)
    if refused:
        return refused
    match = _RANGE.match(request.headers.get("Range", "bytes=0-"))
    asked = {**request.GET.dict(), "offset": int(match.group(1)) if match else 0}
    path, offset, size = _checked_file(data_root(), asked)
    if offset and offset >= size:
        return peer_error("invalid", "Range starts beyond the end of the file.", 416)
    response = _respond(request, _stream([(path, offset, size)]), size - offset)
    if offset:
        response.status_code = 206
        response["Content-Range"] = f"bytes {offset}-{size - 1}/{size}"
    return response


@require_GET
@peer_endpoint
def database_rows(request):
    refused = _not_primary(request)
    if refused:
        return refused
    return HttpResponse(database.dump(), content_type="application/json")


def _checked_file(root: Path, item) -> tuple[Path, int, int]:
    """The requested file if it is still as the manifest listed it, the offset
    to send from, and its size. Raises Refused."""
    try:
        relative = safe_relative_path(item.get("path"))
        size, mtime_ns = int(item["size"]), int(item["mtime_ns"])
        offset = int(item.get("offset", 0))
    except (ManifestError, AttributeError, KeyError, TypeError, ValueError) as e:
        raise Refused(f"Bad file request: {e}", 400, "invalid") from None
    path = root / relative
    if path.is_symlink() or not path.is_file() or not path.resolve().is_relative_to(root):
        raise Refused(f"{relative} is not a file of the data directory.", 404, "not_found")
    info = path.stat()
    if (info.st_size, info.st_mtime_ns) != (size, mtime_ns):
        raise Refused(f"{relative} changed since the manifest was made.", 409, "changed")
    if not 0 <= offset <= size:
        raise Refused(f"Offset {offset} is outside {relative}.", 400, "invalid")
    return path, offset, size


def _stream(files):
    """The files' bytes in 1 MiB chunks, each read as it is sent (under ASGI
    by failover.streaming.AsyncStreamingMiddleware): memory use does not
    depend on file size."""
    for path, offset, size in files:
        with open(path, "rb") as f:
            f.seek(offset)
            left = size - offset
            while left:
                chunk = f.read(min(1024 * 1024, left))
                if not chunk:
                    return  # shrank meanwhile: the backup sees a short stream
                left -= len(chunk)
                yield chunk


def _stream_ranges(path: Path, spans: list[tuple[int, int]]):
    """The ranges' bytes in chunks of at most 1 MiB, from one open file."""
    with open(path, "rb") as f:
        for start, length in spans:
            f.seek(start)
            while length:
                chunk = f.read(min(1024 * 1024, length))
                if not chunk:
                    return  # shrank meanwhile: the backup sees a short stream
                length -= len(chunk)
                yield chunk


@require_POST
@peer_endpoint
def files(request):
    """Several small files in one stream, each from its offset to its end, in
    the order asked; everything is checked before the first byte is sent."""
    refused = _not_primary(request)
    if refused:
        return refused
    try:
        asked = json.loads(request.body)["files"]
    except (KeyError, TypeError, ValueError):
        return peer_error("invalid", 'Bad files request: expected {"files": [...]}.', 400)
    root = data_root()
    checked = [_checked_file(root, item) for item in asked]
    return _respond(request, _stream(checked), sum(size - offset for _, offset, size in checked))


@require_GET
@peer_endpoint
def chunk_list(request):
    """A file's content-defined chunks (lengths and digests), if it is still as
    listed: the backup builds the file from the chunks it already holds and
    asks ``sync/ranges`` for the others."""
    refused = _not_primary(request)
    if refused:
        return refused
    path, _, size = _checked_file(data_root(), request.GET.dict())
    average = chunking.average_for(size)
    chunks = list(chunking.chunks_of(path, average))
    info = path.stat()
    if (info.st_size, info.st_mtime_ns) != (size, int(request.GET["mtime_ns"])):
        raise Refused(f"{path.name} changed while it was being chunked.", 409, "changed")
    return JsonResponse(chunking.encode(average, chunks))


@require_POST
@peer_endpoint
def ranges(request):
    """Byte ranges of one file in one stream, in the order asked (sorted and
    disjoint); everything is checked before the first byte is sent."""
    refused = _not_primary(request)
    if refused:
        return refused
    try:
        asked = json.loads(request.body)
        spans = asked["ranges"]
    except (KeyError, TypeError, ValueError):
        return peer_error("invalid", 'Bad ranges request: expected {"ranges": [...]}.', 400)
    path, _, size = _checked_file(data_root(), asked)
    checked = _checked_ranges(spans, size)
    return _respond(request, _stream_ranges(path, checked), sum(n for _, n in checked))


def _checked_ranges(spans, size: int) -> list[tuple[int, int]]:
    """[offset, length] pairs inside the file, sorted and disjoint. Raises Refused."""
    if not isinstance(spans, list) or not 0 < len(spans) <= chunking.MAX_RANGES:
        raise Refused(
            f"Bad ranges request: 1 to {chunking.MAX_RANGES} ranges expected.", 400, "invalid"
        )
    checked, end = [], 0
    for span in spans:
        if (
            not isinstance(span, list)
            or len(span) != 2
            or not all(type(n) is int for n in span)
            or span[0] < end
            or span[1] <= 0
            or span[0] + span[1] > size
        ):
            raise Refused(
                f"Bad range {str(span)[:60]}: ranges must be sorted, disjoint and inside the file.",
                400,
                "invalid",
            )
        checked.append((span[0], span[1]))
        end = span[0] + span[1]
    return checked


def _respond(request, pieces, length: int) -> StreamingHttpResponse:
    """Stream ``pieces`` (``length`` bytes) plain, or in zstd frames when the
    backup asked for them in its signed query."""
    if request.GET.get("encoding") == wire.ENCODING:
        response = StreamingHttpResponse(
            wire.frames(pieces), content_type="application/octet-stream"
        )
        response[wire.ENCODING_HEADER] = wire.ENCODING
        return response
    response = StreamingHttpResponse(pieces, content_type="application/octet-stream")
    response["Content-Length"] = str(length)
    return response

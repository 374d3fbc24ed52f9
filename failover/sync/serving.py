"""The primary's side of a sync: the peer endpoints the backup pulls from."""

import re
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from failover import __version__
from failover.models import SiteState
from failover.peer.server import peer_endpoint, peer_error
from failover.sync import database
from failover.sync.manifest import build_manifest
from failover.sync.paths import ManifestError, safe_relative_path

_RANGE = re.compile(r"^bytes=(\d+)-$")


def data_root() -> Path:
    """The data directory as served: on a site that was a backup it is a
    symlink to the current copy; resolve it once per request."""
    return settings.FAILOVER_DATA_DIR.resolve()


def _not_primary():
    if SiteState.load().is_primary:
        return None
    return peer_error("not_primary", "This site is not the primary: it serves no data.")


@require_GET
@peer_endpoint
def manifest(request):
    refused = _not_primary()
    if refused:
        return refused
    return JsonResponse({"version": __version__, "files": build_manifest(data_root())})


@require_GET
@peer_endpoint
def file(request):
    """A file's bytes from ``Range: bytes=N-`` on, if it is still as listed."""
    refused = _not_primary()
    if refused:
        return refused
    try:
        relative = safe_relative_path(request.GET.get("path"))
        size, mtime_ns = int(request.GET["size"]), int(request.GET["mtime_ns"])
    except (ManifestError, KeyError, ValueError) as e:
        return peer_error("invalid", f"Bad file request: {e}", 400)
    root = data_root()
    path = root / relative
    if path.is_symlink() or not path.is_file() or not path.resolve().is_relative_to(root):
        return peer_error("not_found", f"{relative} is not a file of the data directory.", 404)
    info = path.stat()
    if (info.st_size, info.st_mtime_ns) != (size, mtime_ns):
        return peer_error("changed", f"{relative} changed since the manifest was made.")
    match = _RANGE.match(request.headers.get("Range", "bytes=0-"))
    offset = int(match.group(1)) if match else 0
    if offset and offset >= size:
        return peer_error("invalid", "Range starts beyond the end of the file.", 416)
    handle = open(path, "rb")  # noqa: SIM115 - FileResponse closes it
    handle.seek(offset)
    response = FileResponse(handle, content_type="application/octet-stream")
    if offset:
        response.status_code = 206
        response["Content-Range"] = f"bytes {offset}-{size - 1}/{size}"
    return response


@require_GET
@peer_endpoint
def database_rows(request):
    refused = _not_primary()
    if refused:
        return refused
    return HttpResponse(database.dump(), content_type="application/json")

"""What the backup is known to hold, kept on the primary: the listing of the
manifest it last confirmed taking, and the digest of the rows it applied.

It is the baseline a former primary compares against before its data is
replaced (services/diverged.py): what it wrote after the baseline is what the
peer never received. Listings are path -> a file's digest or "link:" and a
symlink's target; folders are implied by their files.
"""

import json
import os
from pathlib import Path

from django.conf import settings

KEEP_SERVED = 3


def listing(entries: list[dict]) -> dict[str, str]:
    out = {}
    for entry in entries:
        if entry["type"] == "file":
            out[entry["path"]] = entry["digest"]
        elif entry["type"] == "link":
            out[entry["path"]] = "link:" + entry["target"]
    return out


def _folder() -> Path:
    folder = settings.VAR_DIR / "replication"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _served(change: int) -> Path:
    return _folder() / f"served-{change}.json"


def _write(path: Path, content: dict) -> None:
    scratch = path.with_name(path.name + ".tmp")
    scratch.write_text(json.dumps(content))
    os.replace(scratch, path)


def remember_served(change: int, entries: list[dict]) -> None:
    """The listing a manifest showed at ``change``, until the backup confirms
    it (only the newest few are kept)."""
    _write(_served(change), listing(entries))
    served = sorted(_folder().glob("served-*.json"), key=lambda p: int(p.stem.split("-")[1]))
    for old in served[:-KEEP_SERVED]:
        old.unlink(missing_ok=True)


def confirm(change: int, database_digest: str) -> None:
    """The backup took the manifest served at ``change`` and applied rows
    with this digest: that is the baseline now."""
    served = _served(change)
    if served.exists():
        os.replace(served, _folder() / "baseline.json")
    if isinstance(database_digest, str) and len(database_digest) == 64:
        _write(_folder() / "baseline-rows.json", {"digest": database_digest})


def load() -> tuple[dict[str, str] | None, str | None]:
    """(listing, rows digest) of the baseline; None for what is not known."""
    folder = _folder()
    try:
        files = json.loads((folder / "baseline.json").read_text())
    except (OSError, ValueError):
        files = None
    try:
        digest = json.loads((folder / "baseline-rows.json").read_text())["digest"]
    except (OSError, ValueError, KeyError, TypeError):
        digest = None
    return files, digest

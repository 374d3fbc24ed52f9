"""The backup's copies of the data directory.

``FAILOVER_DATA_DIR`` is a symlink to the current complete copy, which lives in
``<data dir>.copies/``. A sync builds the next copy in a staging folder beside
it and repoints the symlink with one atomic rename, so the path always shows a
complete copy, on both sites and after a failover. Fetched files wait in
``partial/`` (named by their digest) until verified, so an interrupted file
resumes.
"""

import json
import os
import shutil
import time
from pathlib import Path

from failover.sync.hashing import file_digest


class CopyStore:
    def __init__(self, data_dir: Path):
        self.data_dir = Path(os.path.abspath(data_dir))
        self.copies = self.data_dir.with_name(self.data_dir.name + ".copies")
        self.partial = self.copies / "partial"

    def current(self) -> Path | None:
        if self.data_dir.is_symlink() or self.data_dir.is_dir():
            return self.data_dir.resolve()
        return None

    def _manifest_path(self, copy: Path) -> Path:
        return self.copies / f"{copy.name}.manifest.json"

    def current_manifest(self) -> dict[str, dict]:
        """What the current copy holds, by path. A copy this store did not make
        (a former primary's own folder) is listed by hashing it."""
        current = self.current()
        if current is None:
            return {}
        listed = self._manifest_path(current)
        if current.parent == self.copies and listed.exists():
            entries = json.loads(listed.read_text())
        else:
            entries = scan(current)
        for entry in entries:
            # A copy listed before BLAKE3 (its files' SHA-256): reused by path
            # as delta-transfer bases only, never by digest.
            if entry["type"] == "file" and "digest" not in entry:
                entry["digest"] = ""
        return {entry["path"]: entry for entry in entries}

    def new_staging(self, run_id: int) -> Path:
        self.partial.mkdir(parents=True, exist_ok=True)
        staging = self.copies / f"staging-{run_id}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir()
        return staging

    def publish(self, staging: Path, entries: list[dict], run_id: int) -> Path:
        """Make ``staging`` the current copy: one atomic rename of the symlink."""
        final = self.copies / f"copy-{time.strftime('%Y%m%d-%H%M%S')}-{run_id}"
        os.rename(staging, final)
        manifest = self._manifest_path(final)
        scratch = manifest.with_suffix(".tmp")
        scratch.write_text(json.dumps(entries))
        os.replace(scratch, manifest)
        if self.data_dir.exists() and not self.data_dir.is_symlink():
            # First sync on a site whose data directory is a real folder: keep
            # it aside (cleaned up below) and put the symlink in its place.
            os.rename(self.data_dir, self.copies / f"replaced-{final.name}")
        link = self.data_dir.with_name(f".{self.data_dir.name}.switch")
        link.unlink(missing_ok=True)
        os.symlink(os.path.relpath(final, self.data_dir.parent), link)
        os.replace(link, self.data_dir)
        _fsync_dir(self.data_dir.parent)
        return final

    def clean_up(self) -> None:
        """Remove every copy but the current one, and leftover staging folders.
        Partial files are kept: the next sync resumes them."""
        if not self.copies.exists():
            return
        keep = {self.partial}
        current = self.current()
        if current is not None:
            keep |= {current, self._manifest_path(current)}
        for child in self.copies.iterdir():
            if child in keep:
                continue

            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)


def scan(root: Path) -> list[dict]:
    """List and hash a folder (no cache): the manifest of a copy made elsewhere."""
    entries = []
    for folder, dirs, files in os.walk(root):
        relative = os.path.relpath(folder, root)
        for name in sorted(files):
            path = Path(folder) / name
            if path.is_symlink() or not path.is_file():
                continue
            info = path.stat()
            entries.append(
                {
                    "path": name if relative == "." else f"{relative}/{name}",
                    "type": "file",
                    "size": info.st_size,
                    "mtime_ns": info.st_mtime_ns,
                    "digest": file_digest(path),
                }
            )
        dirs.sort()
    return entries


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

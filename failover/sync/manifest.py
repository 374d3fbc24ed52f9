"""The primary's manifest of its data directory."""

import contextlib
import os
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from django.db import transaction

from failover.models import FileDigest
from failover.sync.hashing import file_digest

HASHING_THREADS = max(2, os.cpu_count() or 2)


def _walk(root: Path, relative: str = ""):
    """(relative path, DirEntry) for everything under root, parents first."""
    with os.scandir(root / relative if relative else root) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            path = f"{relative}/{entry.name}" if relative else entry.name
            yield path, entry
            if entry.is_dir(follow_symlinks=False):
                yield from _walk(root, path)


def build_manifest(root: Path) -> list[dict]:
    """Every file, folder and symlink under ``root``, with each file's size,
    mtime and digest (``hashing.py``). Hashes are cached by (path, size, mtime); new ones are
    computed in parallel (blake3 releases the GIL)."""
    root.mkdir(parents=True, exist_ok=True)
    cached = {d.path: d for d in FileDigest.objects.all()}
    entries, unhashed = [], []
    for path, entry in _walk(root):
        info = entry.stat(follow_symlinks=False)
        if stat.S_ISLNK(info.st_mode):
            entries.append({"path": path, "type": "link", "target": os.readlink(entry.path)})
        elif stat.S_ISDIR(info.st_mode):
            entries.append({"path": path, "type": "dir", "mode": stat.S_IMODE(info.st_mode)})
        elif stat.S_ISREG(info.st_mode):
            record = {
                "path": path,
                "type": "file",
                "size": info.st_size,
                "mtime_ns": info.st_mtime_ns,
                "mode": stat.S_IMODE(info.st_mode),
            }
            known = cached.pop(path, None)
            if known and (known.size, known.mtime_ns) == (info.st_size, info.st_mtime_ns):
                record["digest"] = known.digest
            else:
                unhashed.append((record, entry.path))
            entries.append(record)
        # Sockets, devices and pipes are not data: left out.
    fresh = []
    with ThreadPoolExecutor(HASHING_THREADS) as pool:
        hashes = pool.map(file_digest, [Path(full) for _, full in unhashed])
        for (record, full), digest in zip(unhashed, hashes, strict=True):
            record["digest"] = digest
            after = os.stat(full, follow_symlinks=False)
            if (after.st_size, after.st_mtime_ns) == (record["size"], record["mtime_ns"]):
                # Only a hash of a file that held still while read is worth keeping.
                fresh.append(
                    FileDigest(
                        path=record["path"],
                        size=record["size"],
                        mtime_ns=record["mtime_ns"],
                        digest=digest,
                    )
                )
    _save_digests(fresh, gone=list(cached))
    return entries


def newest_change(root: Path) -> float:
    """The latest modification time in a tree (0 if empty): whose data is newest."""
    newest = 0.0
    for folder, _, files in os.walk(root):
        for name in files:
            with contextlib.suppress(OSError):
                newest = max(newest, os.stat(Path(folder) / name, follow_symlinks=False).st_mtime)
    return newest


@transaction.atomic
def _save_digests(fresh: list[FileDigest], gone: list[str]) -> None:
    paths = [d.path for d in fresh] + gone
    for start in range(0, len(paths), 500):
        FileDigest.objects.filter(path__in=paths[start : start + 500]).delete()
    FileDigest.objects.bulk_create(fresh, batch_size=500, ignore_conflicts=True)

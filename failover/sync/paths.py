"""Checking the primary's manifest before anything is written: pure functions."""

import posixpath
import re

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
TYPES = ("file", "dir", "link")


class ManifestError(ValueError):
    pass


def safe_relative_path(path) -> str:
    """A manifest path must be relative, normalised and stay inside the tree."""
    if not isinstance(path, str) or not path:
        raise ManifestError("a manifest entry has no path")
    if "\x00" in path or "\\" in path:
        raise ManifestError(f"manifest path {path!r} contains a forbidden character")
    if path.startswith("/"):
        raise ManifestError(f"manifest path {path!r} is absolute")
    parts = path.split("/")
    if ".." in parts:
        raise ManifestError(f"manifest path {path!r} contains '..'")
    if "." in parts or "" in parts or posixpath.normpath(path) != path:
        raise ManifestError(f"manifest path {path!r} is not normalised")
    return path


def link_stays_inside(path: str, target) -> str:
    """A symlink's target, resolved from its own folder, must stay in the tree."""
    if not isinstance(target, str) or not target or target.startswith("/"):
        raise ManifestError(
            f"symlink {path!r} leads outside the data directory (target {target!r})"
        )
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
    if resolved == ".." or resolved.startswith("../"):
        raise ManifestError(
            f"symlink {path!r} leads outside the data directory (target {target!r})"
        )
    return target


def check_entry(entry) -> dict:
    """Validate one manifest entry; returns it. Raises ManifestError."""
    if not isinstance(entry, dict):
        raise ManifestError("a manifest entry is not an object")
    path = safe_relative_path(entry.get("path"))
    kind = entry.get("type")
    if kind not in TYPES:
        raise ManifestError(f"manifest entry {path!r} has unknown type {kind!r}")
    if kind == "file":
        size, sha = entry.get("size"), entry.get("sha256")
        if not isinstance(size, int) or size < 0:
            raise ManifestError(f"manifest entry {path!r} has an invalid size")
        if not isinstance(sha, str) or not _SHA256.match(sha):
            raise ManifestError(f"manifest entry {path!r} has an invalid sha256")
        if not isinstance(entry.get("mtime_ns"), int):
            raise ManifestError(f"manifest entry {path!r} has an invalid mtime")
    if kind == "link":
        link_stays_inside(path, entry.get("target"))
    return entry


def check_manifest(entries) -> list[dict]:
    if not isinstance(entries, list):
        raise ManifestError("the manifest's file list is not a list")
    seen, not_folders = set(), set()
    for entry in entries:
        check_entry(entry)
        if entry["path"] in seen:
            raise ManifestError(f"manifest path {entry['path']!r} is listed twice")
        seen.add(entry["path"])
        if entry["type"] != "dir":
            not_folders.add(entry["path"])
    for path in seen:
        # Writing below a file or a symlink could land outside the tree.
        parts = path.split("/")
        for depth in range(1, len(parts)):
            if "/".join(parts[:depth]) in not_folders:
                raise ManifestError(f"manifest path {path!r} lies below a file or symlink")
    return entries

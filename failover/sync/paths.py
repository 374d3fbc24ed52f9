"""Checking the primary's manifest before anything is written: pure functions.

A primary holds the inter-site key, but the backup still trusts nothing it
sends: every path must stay inside the tree, every symlink must resolve inside
it (following the manifest's other links, as the kernel would on disk), and
the manifest's size must stay within limits, so that checking it costs time
and memory in proportion to what is sane.
"""

import posixpath
import re
from dataclasses import dataclass

_DIGEST = re.compile(r"^[0-9a-f]{64}$")
TYPES = ("file", "dir", "link")
# Links followed while resolving one symlink, as the kernel's ELOOP limit.
MAX_LINK_HOPS = 40


class ManifestError(ValueError):
    pass


@dataclass(frozen=True)
class Limits:
    entries: int = 1_000_000
    depth: int = 64
    name_bytes: int = 255


DEFAULT_LIMITS = Limits()


def safe_relative_path(path, limits: Limits = DEFAULT_LIMITS) -> str:
    """A manifest path must be relative, normalised and stay inside the tree."""
    if not isinstance(path, str) or not path:
        raise ManifestError("a manifest entry has no path")
    if "\x00" in path or "\\" in path:
        raise ManifestError(f"manifest path {path[:100]!r} contains a forbidden character")
    if path.startswith("/"):
        raise ManifestError(f"manifest path {path[:100]!r} is absolute")
    parts = path.split("/")
    if len(parts) > limits.depth:
        raise ManifestError(
            f"manifest path {path[:100]!r}... is deeper than {limits.depth} folders"
        )
    if any(len(part.encode("utf-8", "surrogatepass")) > limits.name_bytes for part in parts):
        raise ManifestError(
            f"manifest path {path[:100]!r} has a name over {limits.name_bytes} bytes"
        )
    if ".." in parts:
        raise ManifestError(f"manifest path {path!r} contains '..'")
    if "." in parts or "" in parts or posixpath.normpath(path) != path:
        raise ManifestError(f"manifest path {path!r} is not normalised")
    return path


def _outside(path: str, target) -> ManifestError:
    return ManifestError(f"symlink {path!r} leads outside the data directory (target {target!r})")


def resolve_link(path: str, links: dict[str, str]) -> str:
    """Where the symlink at ``path`` leads once every symlink on the way (in
    ``links``: path -> target) is followed, as a path inside the tree ("" for
    its root). Raises ManifestError when it leaves the tree or loops."""
    here = path.split("/")[:-1]
    pending = links[path].split("/")
    hops = 0
    while pending:
        part = pending.pop(0)
        if part in ("", "."):
            continue
        if part == "..":
            if not here:
                raise _outside(path, links[path])
            here.pop()
            continue
        step = "/".join([*here, part])
        if step not in links:
            here.append(part)
            continue
        hops += 1
        target = links[step]
        if hops > MAX_LINK_HOPS:
            raise ManifestError(f"symlink {path!r} loops (more than {MAX_LINK_HOPS} links)")
        if not isinstance(target, str) or not target or target.startswith("/"):
            raise _outside(path, links[path])
        pending = target.split("/") + pending
    return "/".join(here)


def check_entry(entry, limits: Limits = DEFAULT_LIMITS) -> dict:
    """Validate one manifest entry on its own; returns it. Raises ManifestError."""
    if not isinstance(entry, dict):
        raise ManifestError("a manifest entry is not an object")
    path = safe_relative_path(entry.get("path"), limits)
    kind = entry.get("type")
    if kind not in TYPES:
        raise ManifestError(f"manifest entry {path!r} has unknown type {kind!r}")
    mode = entry.get("mode", 0)
    if not isinstance(mode, int) or isinstance(mode, bool) or not 0 <= mode <= 0o7777:
        raise ManifestError(f"manifest entry {path!r} has an invalid mode")
    if kind == "file":
        size, digest = entry.get("size"), entry.get("digest")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise ManifestError(f"manifest entry {path!r} has an invalid size")
        if not isinstance(digest, str) or not _DIGEST.match(digest):
            raise ManifestError(f"manifest entry {path!r} has an invalid digest")
        if not isinstance(entry.get("mtime_ns"), int):
            raise ManifestError(f"manifest entry {path!r} has an invalid mtime")
    if kind == "link":
        target = entry.get("target")
        if not isinstance(target, str) or not target or target.startswith("/"):
            raise _outside(path, target)
        if len(target) > 4096:
            raise ManifestError(f"symlink {path!r} has a target over 4096 characters")
    return entry


def check_manifest(entries, limits: Limits = DEFAULT_LIMITS) -> list[dict]:
    if not isinstance(entries, list):
        raise ManifestError("the manifest's file list is not a list")
    if len(entries) > limits.entries:
        raise ManifestError(f"the manifest lists more than {limits.entries} entries")
    seen, not_folders, links = set(), set(), {}
    for entry in entries:
        check_entry(entry, limits)
        if entry["path"] in seen:
            raise ManifestError(f"manifest path {entry['path']!r} is listed twice")
        seen.add(entry["path"])
        if entry["type"] != "dir":
            not_folders.add(entry["path"])
        if entry["type"] == "link":
            links[entry["path"]] = entry["target"]
    for path in seen:
        # Writing below a file or a symlink could land outside the tree.
        prefix = ""
        for part in path.split("/")[:-1]:
            prefix = f"{prefix}/{part}" if prefix else part
            if prefix in not_folders:
                raise ManifestError(f"manifest path {path!r} lies below a file or symlink")
    for path in links:
        resolve_link(path, links)
    return entries

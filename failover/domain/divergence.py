"""What a site would lose if its data were replaced by its peer's: the writes
it made since the last state the peer is known to hold. Pure functions over
listings (path -> what is there: a file's hash, a symlink's target)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Divergence:
    """Writes made here that the replacement lacks, as the replacement sees them."""

    added: tuple[str, ...] = ()  # here, not in the replacement
    changed: tuple[str, ...] = ()  # in both, different here
    deleted: tuple[str, ...] = ()  # removed here, brought back by the replacement
    bytes: int = 0  # of the added and changed files here

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.deleted)


def lost_writes(
    local: dict[str, str],
    baseline: dict[str, str] | None,
    incoming: dict[str, str],
    sizes: dict[str, int],
) -> Divergence:
    """Paths written here since ``baseline`` (the last listing the peer is known
    to hold; None when there is none: then every difference counts) whose
    state ``incoming`` would replace. ``sizes``: of this site's files."""
    added, changed, deleted = [], [], []
    for path in sorted(set(local) | set(incoming) | set(baseline or ())):
        here, there = local.get(path), incoming.get(path)
        written_here = baseline is None or here != baseline.get(path)
        if not written_here or here == there:
            continue
        if there is None:
            added.append(path)
        elif here is None:
            deleted.append(path)
        else:
            changed.append(path)
    kept = sum(sizes.get(path, 0) for path in added + changed)
    return Divergence(tuple(added), tuple(changed), tuple(deleted), kept)


@dataclass(frozen=True)
class RowDivergence:
    """Replicated rows (by "model#pk") written here that the replacement lacks."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.deleted)

    @property
    def count(self) -> int:
        return len(self.added) + len(self.changed) + len(self.deleted)


def lost_rows(
    local: dict[str, str], baseline_digest: str | None, local_digest: str, incoming: dict[str, str]
) -> RowDivergence:
    """Rows (key -> serialized row) that differ from ``incoming``, when this
    site's rows changed since the peer last held them (``baseline_digest``;
    None when unknown: then every difference counts)."""
    if baseline_digest is not None and baseline_digest == local_digest:
        return RowDivergence()
    keys = sorted(set(local) | set(incoming))
    return RowDivergence(
        tuple(k for k in keys if k in local and k not in incoming),
        tuple(k for k in keys if k in local and k in incoming and local[k] != incoming[k]),
        tuple(k for k in keys if k not in local and k in incoming),
    )

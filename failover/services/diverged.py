"""Diverged copies: before a former primary's data is replaced by its peer's,
what it wrote that the peer never received is kept (the whole data directory
as hard links, and its replicated rows), never silently destroyed."""

import json
import os
import shutil
from pathlib import Path

from django.conf import settings
from django.db import transaction

from failover.domain.divergence import Divergence, RowDivergence, lost_rows, lost_writes
from failover.domain.event_kinds import EventKind
from failover.domain.validation import parse_row_id
from failover.errors import Refused
from failover.models import BackupSettings, DivergedCopy, SiteState, StatusEvent
from failover.sync import baseline, database
from failover.sync.manifest import build_manifest
from failover.sync.outcome import SyncFailed, disk_error


def folder(copy_id: int) -> Path:
    return settings.VAR_DIR / "diverged" / str(copy_id)


def _local_files() -> tuple[dict[str, str], dict[str, int]]:
    entries = build_manifest(settings.FAILOVER_DATA_DIR.resolve())
    sizes = {e["path"]: e["size"] for e in entries if e["type"] == "file"}
    return baseline.listing(entries), sizes


def _rows_by_key(text: str) -> dict[str, str]:
    """Each row's fields by "model#pk", bookkeeping left out."""

    def written(row) -> dict:
        skip = database.BOOKKEEPING_FIELDS.get(row["model"], set())
        return {k: v for k, v in row["fields"].items() if k not in skip}

    try:
        return {
            f"{row['model']}#{row['pk']}": json.dumps(written(row), sort_keys=True)
            for row in json.loads(text)
        }
    except (KeyError, TypeError, ValueError):
        raise SyncFailed("the primary's database dump is invalid") from None


def keep_if_lost(entries: list[dict], rows: str) -> DivergedCopy | None:
    """The sync's hook before it replaces this site's data: on a site that
    left the primary role since its last check, keep what would be lost."""
    site = SiteState.load()
    if site.left_primary_epoch is None:
        return None
    files, baseline_digest = baseline.load()
    local, sizes = _local_files()
    lost = lost_writes(local, files, baseline.listing(entries), sizes)
    local_rows = database.dump()
    lost_row_keys = lost_rows(
        _rows_by_key(local_rows), baseline_digest, database.digest(local_rows), _rows_by_key(rows)
    )
    copy = None
    if not (lost.empty and lost_row_keys.empty):
        copy = _keep(site, lost, lost_row_keys, local_rows)
    site.divergence_checked()
    return copy


def _keep(site: SiteState, lost: Divergence, rows: RowDivergence, rows_text: str) -> DivergedCopy:
    copy = DivergedCopy.objects.create(
        epoch=site.left_primary_epoch,
        reason=site.left_primary_reason or "this site left the primary role",
        files_added=list(lost.added),
        files_changed=list(lost.changed),
        files_deleted=list(lost.deleted),
        bytes=lost.bytes,
        rows=list(rows.added + rows.changed + rows.deleted),
    )
    target = folder(copy.pk)
    try:
        _link_tree(settings.FAILOVER_DATA_DIR.resolve(), target / "files")
        (target / "rows.json").write_text(rows_text)
    except OSError as e:
        shutil.rmtree(target, ignore_errors=True)
        copy.delete()
        raise disk_error(e, "keeping a diverged copy") from None
    StatusEvent.record(
        EventKind.DIVERGED_COPY_KEPT,
        f"Kept diverged copy #{copy.pk} of the data this site had as primary in epoch "
        f"{copy.epoch} ({copy.reason.rstrip('.')}): {len(lost.added)} files added, "
        f"{len(lost.changed)} changed, {len(lost.deleted)} deleted, "
        f"{len(copy.rows)} rows differ.",
        copy=copy.pk,
        epoch=copy.epoch,
    )
    _drop_beyond(BackupSettings.load().keep_diverged)
    return copy


def _link_tree(source: Path, target: Path) -> None:
    """A copy of ``source`` made of hard links: no file's bytes are copied."""
    shutil.copytree(source, target, symlinks=True, copy_function=os.link)


def _drop_beyond(keep: int) -> None:
    for old in DivergedCopy.objects.all()[keep:]:
        copy_id = old.pk
        _remove(old)
        StatusEvent.record(
            EventKind.DIVERGED_COPY_DROPPED,
            f"Dropped diverged copy #{copy_id} (epoch {old.epoch}): only the newest {keep} "
            "are kept.",
            copy=copy_id,
        )


def _remove(copy: DivergedCopy) -> None:
    shutil.rmtree(folder(copy.pk), ignore_errors=True)
    copy.delete()


@transaction.atomic
def delete(copy_id, actor) -> None:
    copy = get(copy_id)
    _remove(copy)
    StatusEvent.record(
        EventKind.DIVERGED_COPY_DELETED, f"Diverged copy #{copy.pk} deleted.", actor=actor
    )


def get(copy_id) -> DivergedCopy:
    """The copy, or Refused (404) for an id that names none."""
    try:
        return DivergedCopy.objects.get(pk=parse_row_id(copy_id))
    except (DivergedCopy.DoesNotExist, ValueError):
        raise Refused(f"No diverged copy {str(copy_id)[:20]}.", 404, "not_found") from None


def left_behind() -> Divergence | None:
    """On the primary: what it wrote since the backup last took its data,
    which a swap without a sync first leaves here as a diverged copy. None
    when the backup never confirmed a sync (then it is everything)."""
    files, _ = baseline.load()
    if files is None:
        return None
    local, sizes = _local_files()
    return lost_writes(local, files, files, sizes)


def left_behind_note() -> str:
    lost = left_behind()
    if lost is None:
        return (
            "The backup has not confirmed a sync yet: this site's data will be kept as a "
            "diverged copy, not moved."
        )
    if lost.empty:
        return "Nothing changed since the last sync: nothing will be left behind."
    count = len(lost.added) + len(lost.changed) + len(lost.deleted)
    return (
        f"{count} files, {lost.bytes} bytes changed since the last sync will be kept as a "
        "diverged copy, not moved."
    )

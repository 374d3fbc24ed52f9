"""Delta transfer against a fake primary: only changed chunks travel, a
renamed file reuses its chunks, and a hostile chunk list or chunk is refused
with nothing applied."""

import json
import os
import random

import pytest
from pyfastcdc import FastCDC

from failover.sync import chunking
from failover.sync.delta import Bases
from failover.sync.outcome import SyncFailed
from failover.sync.source import SourceError
from failover.sync.store import CopyStore
from tests.test_sync_engine import FakePrimary, sync, tree

pytestmark = pytest.mark.django_db
MB = 1024 * 1024


@pytest.fixture
def store(tmp_path):
    return CopyStore(tmp_path / "site" / "data")


def noise(size: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(size)


class FakeStream:
    def __init__(self, data: bytes, fail_after: int | None):
        self.data, self.at, self.fail_after = data, 0, fail_after

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass

    def read(self, count, path):
        if self.fail_after is not None and self.at + count > self.fail_after:
            raise SourceError("lost the primary")
        piece = self.data[self.at : self.at + count]
        self.at += count
        if len(piece) < count:
            raise SourceError(f"the primary's stream ended inside {path}")
        return piece, len(piece)


class DeltaPrimary(FakePrimary):
    """Also serves chunk lists and byte ranges; counts what the ranges moved."""

    def __init__(self, files, **kwargs):
        super().__init__(files, **kwargs)
        self.ranged = 0
        self.range_requests = []
        self.chunk_lists = {}  # path -> a chunk list to send instead
        self.range_lie = {}  # path -> bytes to send instead of the ranges
        self.ranges_fail_after = None

    def chunks(self, entry):
        if entry["path"] in self.chunk_lists:
            return self.chunk_lists[entry["path"]]
        data = self.files[entry["path"]]
        average = chunking.average_for(len(data))
        cuts = [
            chunking.Chunk(c.offset, c.length, chunking.chunk_digest(c.data))
            for c in FastCDC(average).cut_buf(data)
        ]
        return chunking.encode(average, cuts)

    def read_ranges(self, entry, spans):
        self.range_requests.append(spans)
        data = self.files[entry["path"]]
        sent = b"".join(data[start : start + length] for start, length in spans)
        sent = self.range_lie.get(entry["path"], sent)
        self.ranged += len(sent)
        return FakeStream(sent, self.ranges_fail_after)


def test_an_edit_inside_a_file_moves_about_one_chunk(store):
    original = noise(MB, 1)
    sync(store, DeltaPrimary({"db": original}))
    edited = original[: MB // 2] + os.urandom(4096) + original[MB // 2 + 4096 :]
    source = DeltaPrimary({"db": edited})
    result = sync(store, source, run_id=2)
    assert tree(store.data_dir) == {"db": edited}
    assert 4096 <= source.ranged <= 4096 + 4 * chunking.limits_of(8192)[1]
    assert result.counters.bytes_transferred == source.ranged
    assert "db" not in source.served  # never fetched whole


def test_an_append_moves_the_new_bytes_and_one_chunk(store):
    log = noise(4 * MB, 2)
    sync(store, DeltaPrimary({"app.log": log}))
    grown = log + noise(256 * 1024, 3)
    source = DeltaPrimary({"app.log": grown})
    sync(store, source, run_id=2)
    assert tree(store.data_dir) == {"app.log": grown}
    largest = chunking.limits_of(chunking.average_for(len(grown)))[1]
    assert 256 * 1024 <= source.ranged <= 256 * 1024 + largest


def test_a_renamed_and_edited_file_reuses_its_unchanged_chunks(store):
    report = noise(MB, 4)
    sync(store, DeltaPrimary({"reports/q1-draft.doc": report, "other": b"x"}))
    edited = report[:1000] + b"final version" + report[1000:]
    source = DeltaPrimary({"reports/q1-final.doc": edited, "other": b"x"})
    sync(store, source, run_id=2)
    assert tree(store.data_dir) == {"reports/q1-final.doc": edited, "other": b"x"}
    assert source.ranged < 64 * 1024


def test_an_interrupted_delta_resumes_from_its_last_whole_chunk(store):
    base = noise(2 * MB, 5)
    sync(store, DeltaPrimary({"f": base}))
    changed = noise(MB, 6) + base[MB:]
    broken = DeltaPrimary({"f": changed})
    broken.ranges_fail_after = MB // 2
    with pytest.raises(SyncFailed, match="lost the primary"):
        sync(store, broken, run_id=2)
    assert tree(store.data_dir) == {"f": base}
    resumed = DeltaPrimary({"f": changed})
    sync(store, resumed, run_id=3)
    assert tree(store.data_dir) == {"f": changed}
    assert broken.ranged + resumed.ranged < 2 * MB  # the kept chunks were not fetched again
    assert resumed.ranged <= MB - MB // 2 + 4 * chunking.limits_of(8192)[1] * 4


def _hostile(store, chunk_list=None, range_bytes=None):
    """A second sync whose primary lies about one changed file; the first copy stays."""
    original = noise(MB, 7)
    sync(store, DeltaPrimary({"f": original}))
    current = store.data_dir.resolve()
    source = DeltaPrimary({"f": original[:-10] + b"0123456789"})
    if chunk_list is not None:
        source.chunk_lists["f"] = chunk_list(source.chunks(source.entries[0]))
    if range_bytes is not None:
        source.range_lie["f"] = range_bytes
    with pytest.raises(SyncFailed) as failed:
        sync(store, source, run_id=2)
    assert store.data_dir.resolve() == current
    assert tree(store.data_dir) == {"f": original}
    assert not list(store.copies.glob("staging-*"))
    return str(failed.value)


def test_a_chunk_that_does_not_match_its_digest_is_refused(store):
    reason = _hostile(store, range_bytes=os.urandom(64 * 1024))
    assert "does not match its digest" in reason


@pytest.mark.parametrize(
    "lie,reason",
    [
        (lambda c: {**c, "lengths": [*c["lengths"][:-1], c["lengths"][-1] - 1]}, "covers"),
        (lambda c: {**c, "lengths": c["lengths"][:-1] + [1] * 10**6}, "too many chunks"),
        (lambda c: {**c, "lengths": [0] + c["lengths"]}, "chunk length outside"),
        (lambda c: {**c, "average": 3000}, "invalid average"),
        (lambda c: {**c, "digests": c["digests"][:-8]}, "digests do not match"),
        (lambda c: {**c, "digests": "not base64!"}, "digests do not match"),
        (lambda c: [c], "not a JSON object"),
    ],
)
def test_a_hostile_chunk_list_is_refused_and_nothing_applied(store, lie, reason):
    failure = _hostile(store, chunk_list=lie)
    assert "refused the primary's chunk list of f" in failure
    assert reason in failure


def test_a_file_changed_on_this_site_is_still_built_right(store):
    original = noise(MB, 8)
    sync(store, DeltaPrimary({"f": original}))
    with open(store.data_dir / "f", "r+b") as f:  # written while this site was primary
        f.write(b"local scribble")
    edited = original[:-1] + b"!"
    sync(store, DeltaPrimary({"f": edited}), run_id=2)
    assert (store.data_dir / "f").read_bytes() == edited


def test_a_copy_listed_before_blake3_is_reused_through_chunks(store):
    files = {"big": noise(MB, 9), "small": b"tiny"}
    sync(store, DeltaPrimary(files))
    listed = next(store.copies.glob("copy-*.manifest.json"))
    entries = json.loads(listed.read_text())
    for entry in entries:  # as an earlier version wrote it
        entry["sha256"] = "0" * 64
        del entry["digest"]
    listed.write_text(json.dumps(entries))
    source = DeltaPrimary(files)
    sync(store, source, run_id=2)
    assert tree(store.data_dir) == files
    assert source.ranged == 0  # the big file's chunks all came from the old copy
    assert source.served == {"small": 4}


def test_scattered_changes_are_asked_for_in_batches_of_ranges(store, monkeypatch):
    monkeypatch.setattr(chunking, "MAX_RANGES", 2)
    original = noise(MB, 10)
    sync(store, DeltaPrimary({"f": original}))
    edited = bytearray(original)
    for at in range(50_000, MB, 200_000):  # five edits far apart
        edited[at : at + 100] = os.urandom(100)
    source = DeltaPrimary({"f": bytes(edited)})
    sync(store, source, run_id=2)
    assert tree(store.data_dir) == {"f": bytes(edited)}
    assert [len(spans) for spans in source.range_requests] == [2, 2, 1]


def _file(path, size):
    return {"path": path, "type": "file", "size": size}


@pytest.mark.parametrize(
    "wanted,bases",
    [
        (_file("logs/app.log", MB), ["logs/app.log"]),  # its previous version
        (_file("moved/report.doc", MB), ["old/report.doc", "old/big.iso"]),  # same name first
        (_file("report-final.doc", 900_000), ["old/report.doc", "old/big.iso"]),
        (_file("video.mp4", 100 * MB), []),  # nothing gone of a similar size
        (_file("tiny.txt", 1000), []),  # too small for a chunk list
    ],
)
def test_bases_are_the_previous_version_or_files_gone_from_the_manifest(tmp_path, wanted, bases):
    previous = {
        e["path"]: e
        for e in [
            _file("logs/app.log", MB // 2),
            _file("old/report.doc", MB),
            _file("old/big.iso", 1_500_000),
            _file("old/small.txt", 5000),
            _file("kept.bin", MB),
        ]
    }
    entries = [_file("logs/app.log", MB), _file("kept.bin", MB), wanted]
    chosen = Bases(tmp_path, previous, entries)(wanted)
    assert chosen == [tmp_path / path for path in bases]

"""The sync engine against a fake primary: what it builds, reuses, refuses."""

import os
from pathlib import Path

import pytest

from failover import __version__
from failover.models import ApiToken
from failover.sync import database, hashing
from failover.sync.engine import Sync
from failover.sync.outcome import SyncFailed
from failover.sync.paths import Limits
from failover.sync.source import SourceError
from failover.sync.store import CopyStore
from failover.sync.throttle import Throttle

pytestmark = pytest.mark.django_db
ROWS = "[]"


def entry(path, content: bytes, mtime_ns=1_700_000_000_000_000_000):
    return {
        "path": path,
        "type": "file",
        "size": len(content),
        "mtime_ns": mtime_ns,
        "mode": 0o644,
        "digest": hashing.new().update(content).hexdigest(),
    }


class FakePrimary:
    """Serves a manifest and file bytes from memory; can lie or break on purpose."""

    def __init__(self, files: dict[str, bytes], extra=(), fail_after: int | None = None):
        self.files = files
        self.entries = [entry(path, data) for path, data in files.items()] + list(extra)
        self.served = {}  # path -> bytes actually sent
        self.offsets = []
        self.fail_after = fail_after
        self.lie = {}
        self.data_version = ""
        self.manifests_listed = 0

    def manifest(self, known_version=""):
        if known_version and known_version == self.data_version:
            return {"version": __version__, "unchanged": True, "data_version": known_version}
        self.manifests_listed += 1
        return {"version": __version__, "files": self.entries, "data_version": self.data_version}

    def database(self):
        return ROWS

    def read_many(self, items):
        for item, offset in items:
            yield self.read(item, offset)

    def read(self, item, offset):
        self.offsets.append((item["path"], offset))
        data = self.lie.get(item["path"], self.files[item["path"]])[offset:]
        for start in range(0, len(data), 4):
            if self.fail_after is not None and start >= self.fail_after:
                raise SourceError("lost the primary")
            chunk = data[start : start + 4]
            self.served[item["path"]] = self.served.get(item["path"], 0) + len(chunk)
            yield chunk, len(chunk)


@pytest.fixture
def store(tmp_path):
    return CopyStore(tmp_path / "site" / "data")


def sync(store, source, run_id=1, **options):
    return Sync(
        source,
        store,
        run_id=run_id,
        throttle=Throttle(0),
        report_progress=lambda counters: None,
        parallel=2,
        last_database_digest=database.digest(ROWS),
        **options,
    ).run()


def tree(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


def test_a_first_sync_builds_a_complete_copy(store):
    files = {"a.txt": b"alpha", "d/e/f.bin": os.urandom(1000), "empty": b""}
    result = sync(store, FakePrimary(files))
    assert store.data_dir.is_symlink()
    assert tree(store.data_dir) == files
    assert result.counters.files_fetched == 3
    assert (store.data_dir / "a.txt").stat().st_mtime_ns == 1_700_000_000_000_000_000


def test_unchanged_files_are_hard_linked_and_renames_fetch_nothing(store):
    sync(store, FakePrimary({"keep": b"same", "old-name": b"moved content"}))
    before = (store.data_dir / "keep").stat().st_ino
    source = FakePrimary({"keep": b"same", "new-name": b"moved content", "add": b"new"})
    result = sync(store, source, run_id=2)
    assert tree(store.data_dir) == source.files
    assert (store.data_dir / "keep").stat().st_ino == before
    assert source.served == {"add": 3}
    assert result.counters.bytes_transferred == 3
    assert (
        len([p for p in store.copies.iterdir() if p.name.startswith("copy-") and p.is_dir()]) == 1
    )


def test_a_file_changed_on_this_site_since_its_sync_is_fetched_again(store):
    sync(store, FakePrimary({"f": b"original"}))
    (store.data_dir / "f").write_bytes(b"tampered")  # written while this site was primary
    source = FakePrimary({"f": b"original"})
    sync(store, source, run_id=2)
    assert tree(store.data_dir) == {"f": b"original"}
    assert source.served == {"f": 8}


@pytest.mark.parametrize(
    "bad,reason",
    [
        (
            {"path": "/etc/evil", "type": "file", "size": 1, "mtime_ns": 1, "digest": "0" * 64},
            "is absolute",
        ),
        (
            {"path": "../evil", "type": "file", "size": 1, "mtime_ns": 1, "digest": "0" * 64},
            "contains '..'",
        ),
        ({"path": "escape", "type": "link", "target": "../../outside"}, "leads outside"),
    ],
)
def test_unsafe_manifests_fail_and_write_nothing_outside(store, tmp_path, bad, reason):
    sync(store, FakePrimary({"f": b"previous"}))
    current = store.data_dir.resolve()
    before = sorted(str(p) for p in tmp_path.rglob("*"))
    with pytest.raises(SyncFailed, match=reason):
        sync(store, FakePrimary({"f": b"next"}, extra=[bad]), run_id=2)
    assert sorted(str(p) for p in tmp_path.rglob("*") if "partial" not in str(p)) == [
        p for p in before if "partial" not in p
    ]
    assert store.data_dir.resolve() == current
    assert tree(store.data_dir) == {"f": b"previous"}


def test_bytes_that_do_not_match_the_manifest_fail_the_sync(store):
    sync(store, FakePrimary({"f": b"previous"}))
    source = FakePrimary({"f": b"expected"})
    source.lie["f"] = b"tampered"
    with pytest.raises(SyncFailed, match="does not match the primary's manifest"):
        sync(store, source, run_id=2)
    assert tree(store.data_dir) == {"f": b"previous"}
    assert not list(store.partial.iterdir())
    assert not list(store.copies.glob("staging-*"))


def test_a_short_file_fails_the_sync(store):
    source = FakePrimary({"f": b"twelve bytes"})
    source.lie["f"] = b"twelve"
    with pytest.raises(SyncFailed, match="size or BLAKE3 digest differs"):
        sync(store, source)
    assert not store.data_dir.exists()


def test_an_interrupted_file_resumes_where_it_stopped(store):
    sync(store, FakePrimary({"small": b"x"}))
    data = os.urandom(40)
    broken = FakePrimary({"small": b"x", "big": data}, fail_after=16)
    with pytest.raises(SyncFailed, match="lost the primary"):
        sync(store, broken, run_id=2)
    assert tree(store.data_dir) == {"small": b"x"}  # previous copy still in use
    resumed = FakePrimary({"small": b"x", "big": data})
    result = sync(store, resumed, run_id=3)
    assert resumed.offsets == [("big", 16)]
    assert result.counters.bytes_transferred == 24
    assert tree(store.data_dir) == {"small": b"x", "big": data}


def test_a_real_data_folder_is_replaced_by_the_first_copy(store):
    store.data_dir.mkdir(parents=True)
    (store.data_dir / "local-only").write_bytes(b"from when this site was primary")
    sync(store, FakePrimary({"f": b"primary's"}))
    assert store.data_dir.is_symlink()
    assert tree(store.data_dir) == {"f": b"primary's"}
    assert not list(store.copies.glob("replaced-*"))


def test_a_version_mismatch_fails(store):
    source = FakePrimary({"f": b"x"})
    source.manifest = lambda known_version="": {"version": "0.0.1", "files": []}
    with pytest.raises(SyncFailed, match="Product version mismatch"):
        sync(store, source)


def test_database_rows_are_replaced_in_one_transaction(django_user_model):
    django_user_model.objects.create_user("primary-user", password="pw-123456789")
    rows = database.dump()
    django_user_model.objects.all().delete()
    django_user_model.objects.create_user("backup-only", password="pw-123456789")
    assert database.apply(rows) == 1
    assert list(django_user_model.objects.values_list("username", flat=True)) == ["primary-user"]


def test_a_broken_dump_changes_nothing(django_user_model):
    django_user_model.objects.create_user("kept", password="pw-123456789")
    with pytest.raises(database.DatabaseSyncError):
        database.apply('[{"model": "auth.user", "pk": 1, "fields": {"username": null}}]')
    assert django_user_model.objects.filter(username="kept").exists()


def test_a_file_longer_than_declared_stops_being_written_at_once(store):
    source = FakePrimary({"f": b"eight by"})
    source.lie["f"] = b"eight bytes, then a great deal more than declared" * 1000
    with pytest.raises(SyncFailed, match="more than the 8 bytes its manifest declares"):
        sync(store, source)
    assert source.served["f"] <= 12  # one chunk past the declared size, no more
    assert not store.data_dir.exists()


def test_setuid_and_setgid_bits_are_not_copied(store):
    source = FakePrimary({"tool": b"#!/bin/sh\n"})
    source.entries[0]["mode"] = 0o6777
    sync(store, source)
    assert (store.data_dir / "tool").stat().st_mode & 0o7777 == 0o777


@pytest.mark.parametrize(
    "limits,entry,reason",
    [
        (Limits(depth=3), "a/b/c/d", "deeper than 3 folders"),
        (Limits(name_bytes=10), "a-name-of-eleven", "a name over 10 bytes"),
        (Limits(entries=1), "second", "more than 1 entries"),
    ],
)
def test_manifests_beyond_the_limits_are_refused(store, limits, entry, reason):
    source = FakePrimary({"first": b"1", entry: b"2"})
    with pytest.raises(SyncFailed, match=reason):
        Sync(
            source,
            store,
            run_id=1,
            throttle=Throttle(0),
            report_progress=lambda counters: None,
            limits=limits,
        ).run()
    assert not store.data_dir.exists()


def test_an_api_token_follows_its_user_by_the_primarys_ids(django_user_model):
    alice = django_user_model.objects.create_user("alice", password="pw-123456789", is_staff=True)
    bob = django_user_model.objects.create_user("bob", password="pw-123456789", is_staff=True)
    _, plain = ApiToken.issue(bob, "bob's")
    rows = database.dump()
    # The backup's own "bob" holds the id the primary gave alice.
    django_user_model.objects.all().delete()
    django_user_model.objects.create_user("bob", password="pw-123456789", id=alice.id)
    assert database.apply(rows) == 3
    assert ApiToken.authenticate(plain).username == "bob"


def test_an_api_token_whose_user_the_backup_lacks_is_applied(django_user_model):
    admin = django_user_model.objects.create_user("admin", password="pw-123456789", is_staff=True)
    _, plain = ApiToken.issue(admin, "smoke")
    rows = database.dump()
    django_user_model.objects.all().delete()
    assert database.apply(rows) == 2
    assert ApiToken.authenticate(plain).username == "admin"


def test_an_unchanged_version_is_one_round_trip_and_touches_nothing(store):
    primary = FakePrimary({"a.txt": b"alpha"})
    primary.data_version = "site:1:7"
    first = sync(store, primary)
    assert first.data_version == "site:1:7" and first.copy_changed
    primary.files["a.txt"] = b"changed behind the version's back"
    again = sync(store, primary, run_id=2, known_version="site:1:7", check_copy=False)
    assert not again.copy_changed and again.data_version == "site:1:7"
    assert primary.manifests_listed == 1
    assert tree(store.current()) == {"a.txt": b"alpha"}


def test_files_of_the_same_content_keep_their_own_times_and_the_next_sync_moves_nothing(store):
    same = b"the same content"
    extra = [
        {**entry("a.txt", same), "mtime_ns": 1_600_000_000_000_000_000},
        {**entry("b.txt", same), "mtime_ns": 1_650_000_000_000_000_000, "mode": 0o600},
        {**entry("c.txt", same), "mtime_ns": 1_650_000_000_000_000_000, "mode": 0o600},
    ]
    primary = FakePrimary({}, extra=extra)
    primary.files = dict.fromkeys(("a.txt", "b.txt", "c.txt"), same)
    first = sync(store, primary)
    assert first.counters.files_fetched == 3 and sum(primary.served.values()) == len(same)
    stats = {p: (store.data_dir / p).stat() for p in ("a.txt", "b.txt", "c.txt")}
    assert stats["a.txt"].st_mtime_ns == 1_600_000_000_000_000_000
    assert stats["b.txt"].st_mtime_ns == stats["c.txt"].st_mtime_ns == 1_650_000_000_000_000_000
    assert stats["a.txt"].st_ino != stats["b.txt"].st_ino  # not one inode: they differ
    assert stats["b.txt"].st_ino == stats["c.txt"].st_ino  # alike: one will do
    assert (stats["a.txt"].st_mode & 0o777, stats["b.txt"].st_mode & 0o777) == (0o644, 0o600)

    again = sync(store, primary, run_id=2)
    assert not again.copy_changed and again.counters.files_fetched == 0


def test_an_unchanged_answer_counts_the_files_held(store):
    primary = FakePrimary({"a.txt": b"alpha", "b.txt": b"beta!"})
    primary.data_version = "site:1:7"
    sync(store, primary)
    again = sync(store, primary, run_id=2, known_version="site:1:7", check_copy=True)
    assert (again.counters.files_total, again.counters.bytes_total) == (2, 10)
    assert (again.counters.files_done, again.counters.files_fetched) == (2, 0)


def test_an_unchanged_version_with_a_copy_changed_here_lists_everything_and_mends_it(store):
    primary = FakePrimary({"a.txt": b"alpha"})
    primary.data_version = "site:1:7"
    sync(store, primary)
    (store.current() / "a.txt").write_bytes(b"written on the backup")
    again = sync(store, primary, run_id=2, known_version="site:1:7", check_copy=True)
    assert again.copy_changed and primary.manifests_listed == 2
    assert tree(store.current()) == {"a.txt": b"alpha"}


def test_an_unchanged_version_with_the_copy_as_synced_is_still_one_round_trip(store):
    primary = FakePrimary({"a.txt": b"alpha"})
    primary.data_version = "site:1:7"
    sync(store, primary)
    again = sync(store, primary, run_id=2, known_version="site:1:7", check_copy=True)
    assert not again.copy_changed and primary.manifests_listed == 1


def test_the_hook_sees_the_current_data_before_it_is_replaced(store):
    sync(store, FakePrimary({"a.txt": b"old"}))
    seen = []

    def before_replacing(entries, rows):
        seen.append((tree(store.current()), [e["path"] for e in entries], rows))

    sync(store, FakePrimary({"a.txt": b"new"}), run_id=2, before_replacing=before_replacing)
    assert seen == [({"a.txt": b"old"}, ["a.txt"], ROWS)]
    assert tree(store.current()) == {"a.txt": b"new"}


def test_a_failing_hook_fails_the_sync_and_keeps_the_current_copy(store):
    sync(store, FakePrimary({"a.txt": b"old"}))

    def before_replacing(entries, rows):
        raise SyncFailed("disk full on the backup while keeping a diverged copy")

    with pytest.raises(SyncFailed, match="diverged copy"):
        sync(store, FakePrimary({"a.txt": b"new"}), run_id=2, before_replacing=before_replacing)
    assert tree(store.current()) == {"a.txt": b"old"}
    assert not list(store.copies.glob("staging-*"))

"""The primary's manifest: BLAKE3 digests, cached by path, size and mtime."""

import os

import blake3
import pytest

from failover.models import FileDigest
from failover.sync import manifest

pytestmark = pytest.mark.django_db


@pytest.fixture
def hashed(monkeypatch):
    """The files the manifest hashes (rather than taking from the cache)."""
    seen = []
    real = manifest.file_digest

    def counting(path):
        seen.append(path.name)
        return real(path)

    monkeypatch.setattr(manifest, "file_digest", counting)
    return seen


def _digests(root):
    return {e["path"]: e["digest"] for e in manifest.build_manifest(root) if e["type"] == "file"}


def test_digests_are_blake3_and_cached_until_a_file_changes(tmp_path, hashed):
    (tmp_path / "a.txt").write_bytes(b"alpha")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.bin").write_bytes(os.urandom(3 * 1024 * 1024))
    first = _digests(tmp_path)
    assert first["a.txt"] == blake3.blake3(b"alpha").hexdigest()
    assert (
        first["sub/b.bin"] == blake3.blake3((tmp_path / "sub" / "b.bin").read_bytes()).hexdigest()
    )
    assert sorted(hashed) == ["a.txt", "b.bin"]

    hashed.clear()
    assert _digests(tmp_path) == first
    assert hashed == []  # all from the cache

    (tmp_path / "a.txt").write_bytes(b"alpha, longer")
    (tmp_path / "sub" / "b.bin").unlink()
    again = _digests(tmp_path)
    assert hashed == ["a.txt"]
    assert again == {"a.txt": blake3.blake3(b"alpha, longer").hexdigest()}
    assert set(FileDigest.objects.values_list("path", flat=True)) == {"a.txt"}

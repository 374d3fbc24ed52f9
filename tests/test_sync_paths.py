import pytest

from failover.sync.paths import ManifestError, check_manifest

SHA = "a" * 64


def _file(path, **extra):
    return {"path": path, "type": "file", "size": 1, "mtime_ns": 1, "digest": SHA, **extra}


def test_a_sound_manifest_passes():
    entries = [
        {"path": "d", "type": "dir"},
        _file("d/x"),
        _file("y"),
        {"path": "d/link", "type": "link", "target": "../y"},
    ]
    assert check_manifest(entries) == entries


@pytest.mark.parametrize(
    "entries,message",
    [
        ([_file("/etc/passwd")], "is absolute"),
        ([_file("../escape")], "contains '..'"),
        ([_file("a/../../escape")], "contains '..'"),
        ([_file("a/./b")], "not normalised"),
        ([_file("a//b")], "not normalised"),
        ([_file("a\\b")], "forbidden character"),
        ([_file("")], "has no path"),
        ([{"path": "l", "type": "link", "target": "/etc"}], "leads outside the data directory"),
        ([{"path": "a/l", "type": "link", "target": "../../etc"}], "leads outside"),
        (
            [{"path": "l", "type": "link", "target": "x"}, _file("l/inside")],
            "below a file or symlink",
        ),
        ([_file("f"), _file("f/g")], "below a file or symlink"),
        ([_file("x"), _file("x")], "listed twice"),
        ([_file("x", digest="nothex")], "invalid digest"),
        ([_file("x", size=-1)], "invalid size"),
        ([{"path": "x", "type": "device"}], "unknown type"),
        ("not a list", "not a list"),
    ],
)
def test_unsafe_manifests_are_refused(entries, message):
    with pytest.raises(ManifestError, match=message):
        check_manifest(entries)

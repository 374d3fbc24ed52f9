"""Property: whatever links a (hostile) primary lists, a manifest that passes
the check builds a tree whose every link resolves inside it."""

import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from failover.sync.paths import ManifestError, check_manifest

NAMES = ["a", "b", "l1", "l2", "l3"]
PARTS = st.sampled_from([*NAMES, "..", ".", ""])


@st.composite
def trees(draw):
    folders = draw(st.sets(st.sampled_from(["a", "b", "a/b", "b/a"]), max_size=4))
    folders |= {path.rsplit("/", 1)[0] for path in folders if "/" in path}
    entries = [{"path": folder, "type": "dir"} for folder in sorted(folders)]
    places = [""] + sorted(folders)
    for name in ("l1", "l2", "l3"):
        where = draw(st.sampled_from(places))
        target = "/".join(draw(st.lists(PARTS, min_size=1, max_size=6)))
        path = f"{where}/{name}" if where else name
        entries.append({"path": path, "type": "link", "target": target})
    return entries


def _build(root: Path, entries: list[dict]) -> None:
    for entry in entries:
        target = root / entry["path"]
        if entry["type"] == "dir":
            target.mkdir(parents=True, exist_ok=True)
        else:
            os.symlink(entry["target"], target)


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(entries=trees())
def test_accepted_links_resolve_inside_the_tree(tmp_path_factory, entries):
    try:
        check_manifest(entries)
    except ManifestError:
        return
    root = tmp_path_factory.mktemp("copy").resolve()
    _build(root, entries)
    for entry in entries:
        if entry["type"] == "link":
            resolved = Path(os.path.realpath(root / entry["path"]))
            assert resolved == root or resolved.is_relative_to(root), entry


def test_the_review_s_chain_of_links_is_refused():
    """dd -> ., up1 -> dd/.., up2 -> up1/.., ... climbs out one level a link."""
    entries = [{"path": "dd", "type": "link", "target": "."}]
    entries.append({"path": "up1", "type": "link", "target": "dd/.."})
    for level in range(2, 11):
        entries.append({"path": f"up{level}", "type": "link", "target": f"up{level - 1}/.."})
    entries.append({"path": "etc-passwd", "type": "link", "target": "up10/etc/passwd"})
    try:
        check_manifest(entries)
    except ManifestError as e:
        assert "leads outside the data directory" in str(e)
    else:
        raise AssertionError("the chain was accepted")

"""Event kinds: one enum, and nothing records a kind it does not know."""

import ast
from pathlib import Path

import pytest

from failover.domain.event_kinds import EventKind, Topic
from failover.models import StatusEvent

APP = Path(__file__).resolve().parent.parent / "failover"


def test_an_unknown_kind_is_refused_and_nothing_is_saved(db):
    with pytest.raises(ValueError, match="'failvoer' is not a valid EventKind"):
        StatusEvent.record("failvoer", "a typo")
    assert not StatusEvent.objects.exists()


def test_the_code_names_kinds_through_the_enum():
    """A kind typed as a bare string would be a typo waiting to happen."""
    bare = []
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            named = [k.value for k in node.keywords if k.arg == "kind"]
            recorded = node.args[:1] if getattr(node.func, "attr", "") == "record" else []
            for value in named + recorded:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    bare.append(f"{path.relative_to(APP)}:{node.lineno} {value.value!r}")
    assert bare == []


def test_every_topic_has_kinds_and_every_kind_a_label():
    assert all(EventKind.of_topic(topic) for topic in Topic)
    assert all(kind.label for kind in EventKind)


def test_role_changes_carry_the_metrics_causes():
    causes = {kind: kind.cause for kind in EventKind.with_cause()}
    assert causes == {
        EventKind.FAILOVER: "automatic",
        EventKind.ROLE_SWAPPED: "planned",
        EventKind.DEMOTED: "demoted",
        EventKind.CONFLICT_FIXED: "conflict_fix",
    }

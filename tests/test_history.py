"""Searching and exporting the status history: the page (its URL keeps the
filter), "load more", the live partial, the API and the exports."""

import csv
import io
import json
import tracemalloc

import pytest

from failover import exports
from failover.domain.history_filter import HistoryFilter
from failover.models import StatusEvent
from tests.fixtures.processes import run_command

pytestmark = pytest.mark.django_db


@pytest.fixture
def history():
    StatusEvent.record("paired", "Relationship set up", actor="alice")
    StatusEvent.record("failover", "primary unreachable for 61 s; became primary")
    StatusEvent.record("settings_changed", "Backup settings changed", actor="bob")
    StatusEvent.record("sync_failed", "Data sync #3 failed: disk full", details_note="x")


def test_the_page_filters_by_kind_and_keeps_the_filter_in_its_links(staff_client, history):
    page = staff_client.get("/management/failover/?kind=failover&kind=sync_failed").content.decode()
    rows = page[page.index('id="history"') :]  # the timeline above marks every role change
    assert "became primary" in rows and "disk full" in rows
    assert "Relationship set up" not in rows
    assert 'href="/management/failover/history.csv?kind=failover&amp;kind=sync_failed"' in page
    assert '<option value="failover" selected>' in page


def test_actor_and_text_filters(staff_client, history):
    page = staff_client.get("/management/failover/?actor=bob").content.decode()
    rows = page[page.index('id="history"') :]  # the timeline above marks every role change
    assert "Backup settings changed" in rows and "became primary" not in rows
    page = staff_client.get("/management/failover/?q=DISK").content.decode()
    assert "disk full" in page and "Backup settings changed" not in page


def test_a_bad_filter_is_said_and_ignored(staff_client, history):
    response = staff_client.get("/management/failover/?since=soon")
    assert response.status_code == 200
    body = response.content.decode()
    assert "The filter was ignored: since" in body
    assert "became primary" in body


def test_load_more_and_the_live_partial_keep_the_filter(staff_client, history):
    for number in range(30):
        StatusEvent.record("failover", f"failover {number}")
    page = staff_client.get("/management/failover/?kind=failover").content.decode()
    assert "?before=" in page and "&amp;kind=failover" in page
    newest = StatusEvent.objects.latest("id").pk
    StatusEvent.record("paired", "not wanted")
    StatusEvent.record("failover", "wanted")
    live = staff_client.get(
        "/management/failover/",
        {"after": newest, "kind": "failover", "rendered_role": "none"},
        headers={"HX-Request": "true", "HX-Target": "failover-live"},
    ).content.decode()
    rows = live[: live.index('id="timeline"')]  # the timeline marks every role change
    assert "wanted" in rows and "not wanted" not in rows


def test_the_api_filters_the_same_way(staff_client, history):
    body = staff_client.get(
        "/api/v1/events", {"kind": ["paired", "settings_changed"], "actor": "alice"}
    ).json()
    assert [e["message"] for e in body["events"]] == ["Relationship set up"]
    refused = staff_client.get("/api/v1/events", {"kind": "nope"})
    assert refused.status_code == 400
    assert "not an event kind" in refused.json()["error"]


def test_a_csv_export_round_trips(staff_client, history):
    response = staff_client.get("/management/failover/history.csv?q=e")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    expected = StatusEvent.objects.filter(message__icontains="e").order_by("id")
    assert [int(r["id"]) for r in rows] == [e.pk for e in expected]
    assert [r["message"] for r in rows] == [e.message for e in expected]
    assert json.loads(rows[-1]["details"]) == {"details_note": "x"}


def test_a_json_lines_export(staff_client, history):
    response = staff_client.get("/management/failover/history.jsonl?kind=failover")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert [json.loads(line)["kind"] for line in lines] == ["failover"]


def test_a_bad_export_filter_is_a_400(staff_client):
    response = staff_client.get("/management/failover/history.csv?until=never")
    assert response.status_code == 400
    assert "until" in response.content.decode()


def test_exports_stream_with_bounded_memory(db):
    """Peak memory while exporting does not grow with the number of rows."""

    def peak(count: int) -> int:
        StatusEvent.objects.bulk_create(
            StatusEvent(kind="paired", message="m" * 200) for _ in range(count)
        )
        tracemalloc.start()
        for _ in exports.export(HistoryFilter(), "csv"):
            pass
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    small = peak(exports.BATCH)
    large = peak(4 * exports.BATCH)  # five times the rows in all
    assert large < small * 1.5


def test_the_command_line_exports(history):
    done = run_command("failover", "history", "--kind", "failover", "--format", "jsonl")
    assert done.returncode == 0
    [line] = done.stdout.splitlines()
    assert json.loads(line)["message"].endswith("became primary")
    csv_done = run_command("failover", "history", "--since", "2000-01-01")
    assert csv_done.stdout.splitlines()[0] == "id,time,kind,actor,message,details"
    assert len(csv_done.stdout.splitlines()) == 5
    bad = run_command("failover", "history", "--since", "whenever")
    assert bad.returncode == 1 and "since" in bad.stderr

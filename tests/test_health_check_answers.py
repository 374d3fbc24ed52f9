"""Whatever answers at the peer's address, however badly, a health check ends
as a recorded failed check (reachable false, a short reason) and the failover
decision still runs on it; pairing with such an address says why it failed."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from failover import __version__
from failover.models import PeerStatus, SiteState, StatusEvent
from failover.peer import signing
from failover.services import health, pairing
from failover.services.configuration import set_inter_site_key
from tests.fixtures.scripted_server import SITE_ID, http_answer, signed_answer

KEY = "k" * 40
RELATIONSHIP = "6f1c1d1e-0000-4000-8000-0000000000bb"


def _status(**changes) -> bytes:
    """The peer's status answer (made in the fake peer's thread: no queries)."""
    report = {
        "site_id": SITE_ID,
        "hostname": "primary.example",
        "role": "primary",
        "epoch": 3,
        "relationship_id": RELATIONSHIP,
        "version": __version__,
        **changes,
    }
    return json.dumps(report).encode()


# A sync's progress as a site reports it.
SYNC = {
    "id": 4,
    "status": "running",
    "trigger": "peer",
    "started": "2026-11-25T10:00:00+00:00",
    "finished": None,
    "files_done": 1,
    "files_total": 2,
    "bytes_done": 10,
    "bytes_total": 20,
    "bytes_transferred": 10,
    "files_fetched": 1,
    "rate": 5.0,
    "error": None,
}


@pytest.fixture
def backup(db, scripted_server, settings):
    """This site, the backup of the fake peer (automatic failover on)."""
    settings.FAILOVER_ALLOW_INSECURE_PEER = True
    settings.FAILOVER_PEER_TIMEOUT = 2
    set_inter_site_key(KEY, "test")
    site = SiteState.load()
    assert site.join(
        role="backup",
        relationship_id=RELATIONSHIP,
        epoch=3,
        peer_site_id=SITE_ID,
        peer_host="127.0.0.1",
        peer_port=scripted_server.port,
        reverse_host="127.0.0.1",
        reverse_port=1,
    )
    PeerStatus.start_watching({"hostname": "primary.example", "role": "primary", "epoch": 3})
    return scripted_server


def test_a_well_formed_answer_is_a_successful_check(backup):
    backup.answer_with(
        lambda head: signed_answer(KEY, head, 200, _status(running_sync=SYNC, last_sync=None))
    )
    health.check_peer()
    peer = PeerStatus.load()
    assert peer.last_error == ""
    assert peer.reachable is True


MALFORMED = {
    "non-ASCII signature": (
        lambda head: signed_answer(
            KEY, head, 200, _status(), X_Failover_Signature="é".encode() * 64
        ),
        "Malformed X-Failover-Signature header",
    ),
    "signature not hex": (
        lambda head: signed_answer(KEY, head, 200, _status(), X_Failover_Signature="z" * 64),
        "Malformed X-Failover-Signature header",
    ),
    "NaN timestamp": (
        lambda head: signed_answer(KEY, head, 200, _status(), X_Failover_Timestamp="nan"),
        "Malformed X-Failover-Timestamp header",
    ),
    "infinite timestamp": (
        lambda head: signed_answer(KEY, head, 200, _status(), X_Failover_Timestamp="inf"),
        "Malformed X-Failover-Timestamp header",
    ),
    "site id not a UUID": (
        lambda head: signed_answer(KEY, head, 200, _status(), X_Failover_Site="peer"),
        "Malformed X-Failover-Site header",
    ),
    "unsigned answer": (
        lambda head: http_answer(200, {"Content-Type": "application/json"}, _status()),
        "Missing peer authentication headers",
    ),
    "signed with another key": (
        lambda head: signed_answer("x" * 40, head, 200, _status()),
        "not signed with this site's inter-site key",
    ),
    "body not JSON": (
        lambda head: signed_answer(KEY, head, 200, b"<html>hello</html>"),
        "not JSON",
    ),
    "body nested too deep to parse": (
        lambda head: signed_answer(KEY, head, 200, b"[" * 100_000 + b"]" * 100_000),
        "not JSON",
    ),
    "body a JSON list": (
        lambda head: signed_answer(KEY, head, 200, b"[1, 2]"),
        "not a JSON object",
    ),
    "epoch a string": (
        lambda head: signed_answer(KEY, head, 200, _status(epoch="three")),
        "'epoch' is not an epoch",
    ),
    "epoch a boolean": (
        lambda head: signed_answer(KEY, head, 200, _status(epoch=True)),
        "'epoch' is not an epoch",
    ),
    "unknown role": (
        lambda head: signed_answer(KEY, head, 200, _status(role="boss")),
        "'role' is not a role",
    ),
    "hostname a list": (
        lambda head: signed_answer(KEY, head, 200, _status(hostname=["a"])),
        "'hostname' is not a string",
    ),
    "sync progress of the wrong type": (
        lambda head: signed_answer(
            KEY, head, 200, _status(running_sync={**SYNC, "bytes_done": "A"})
        ),
        "running_sync.bytes_done is not a count",
    ),
    "sync progress not an object": (
        lambda head: signed_answer(KEY, head, 200, _status(last_sync=[1])),
        "'last_sync' is not an object or null",
    ),
    "field missing": (
        lambda head: signed_answer(KEY, head, 200, b'{"role": "primary"}'),
        "lacks 'site_id'",
    ),
    "refusal with a JSON list": (
        lambda head: http_answer(403, {}, b"[]"),
        "refused the request (HTTP 403): no reason given",
    ),
    "signed error with a list body": (
        lambda head: signed_answer(KEY, head, 500, b'["boom"]'),
        "HTTP 500",
    ),
    "header line without a colon": (
        lambda head: http_answer(200, {"Garbage line without colon\r\nX-A": "b"}, _status()),
        "Missing peer authentication headers",
    ),
    "not HTTP at all": (
        lambda head: b"SSH-2.0-OpenSSH_9.2\r\n",
        "Cannot reach 127.0.0.1",
    ),
    "connection closed without an answer": (
        lambda head: b"",
        "could not connect",
    ),
}


@pytest.mark.parametrize("answer,reason", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_malformed_answer_is_a_failed_check_and_the_decision_runs(backup, answer, reason):
    backup.answer_with(answer)
    outcome = health.check_peer()
    peer = PeerStatus.load()
    assert peer.reachable is False
    assert reason in peer.last_error
    assert len(peer.last_error) <= 300
    assert StatusEvent.objects.filter(kind="peer_unreachable").count() == 1
    # The failover decision ran: the timeout has not run out, check again then.
    assert outcome.recheck_in is not None


def test_a_tls_failure_is_a_failed_check(backup, settings):
    settings.FAILOVER_ALLOW_INSECURE_PEER = False  # https to a plain HTTP server
    backup.answer_with(lambda head: signed_answer(KEY, head, 200, _status()))
    health.check_peer()
    peer = PeerStatus.load()
    assert peer.reachable is False
    assert "TLS failure talking to 127.0.0.1" in peer.last_error


def test_a_malformed_answer_from_a_primary_gone_too_long_fails_over(backup):
    PeerStatus.objects.update(
        reachable=False, unreachable_since=timezone.now() - timedelta(hours=1)
    )
    backup.answer_with(
        lambda head: signed_answer(KEY, head, 200, _status(), X_Failover_Signature=b"\xff" * 64)
    )
    outcome = health.check_peer()
    site = SiteState.load()
    assert site.role == "primary" and site.epoch == 4
    assert "became primary" in outcome.summary


def test_pairing_with_an_address_that_answers_badly_says_why(db, scripted_server, settings):
    settings.FAILOVER_ALLOW_INSECURE_PEER = True
    set_inter_site_key(KEY, "test")
    scripted_server.answer_with(
        lambda head: signed_answer(
            KEY, head, 200, _status(), X_Failover_Signature="é".encode() * 64
        )
    )
    with pytest.raises(pairing.PairingError, match="Malformed X-Failover-Signature header"):
        pairing.pair_with_backup(
            backup_host="127.0.0.1",
            backup_port=scripted_server.port,
            reverse_host="127.0.0.1",
            reverse_port=8443,
            actor=None,
        )
    assert SiteState.load().role == "none"


def test_the_pairing_form_answers_a_clear_error_not_500(staff_client, scripted_server, settings):
    settings.FAILOVER_ALLOW_INSECURE_PEER = True
    set_inter_site_key(KEY, "test")
    scripted_server.answer_with(lambda head: signed_answer(KEY, head, 200, b"[]"))
    response = staff_client.post(
        "/api/v1/failover/pair",
        {
            "backup_host": "127.0.0.1",
            "backup_port": scripted_server.port,
            "reverse_host": "127.0.0.1",
            "reverse_port": 8443,
        },
        content_type="application/json",
    )
    assert response.status_code in (409, 502)
    assert "not a JSON object" in response.json()["error"]
    assert SiteState.load().role == "none"


def test_only_well_formed_signatures_reach_the_comparison():
    # A non-ASCII signature would make hmac.compare_digest raise TypeError.
    with pytest.raises(signing.SignatureError):
        signing.verify_response(
            KEY,
            "a" * 32,
            200,
            {
                signing.SITE_HEADER: SITE_ID,
                signing.TIMESTAMP_HEADER: "1.0",
                signing.SIGNATURE_HEADER: "é" * 64,
            },
            b"",
        )


def test_two_checks_finding_isolation_at_once_record_it_once(backup, monkeypatch):
    from failover.models import BackupSettings
    from failover.services import autofailover

    since = timezone.now() - timedelta(hours=1)
    PeerStatus.objects.update(reachable=False, unreachable_since=since)
    BackupSettings.objects.update_or_create(pk=1, defaults={"test_ips": ["127.0.0.1:1"]})

    def another_check_notes_it_first(addresses):
        PeerStatus.objects.update(isolation_noted_for=since)
        StatusEvent.record("isolated", "cut off (the other check)")
        return (False,)

    monkeypatch.setattr(autofailover, "probe_all", another_check_notes_it_first)
    decision = autofailover.evaluate(SiteState.load())
    assert decision.action.name == "NOTE_ISOLATION"
    assert StatusEvent.objects.filter(kind="isolated").count() == 1

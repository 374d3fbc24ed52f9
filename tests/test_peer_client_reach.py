"""The console is no probe of the networks it reaches: the peer client never
follows a redirect, and never shows what something other than a site holding
the key answered (a fixed reason per failure class, the details in the log)."""

import socket

import pytest

from failover.errors import Refused
from failover.peer.client import PeerAnswerInvalid, PeerClient, PeerRefused, PeerUnreachable
from failover.services import pairing
from failover.services.configuration import set_inter_site_key
from tests.fixtures.scripted_server import http_answer, signed_answer

KEY = "r" * 40
SECRET = b'{"error": "internal-db-password=hunter2", "code": "bad_signature"}'


@pytest.fixture
def keyed(db, settings):
    settings.FAILOVER_ALLOW_INSECURE_PEER = True
    set_inter_site_key(KEY, "test")


def test_a_redirect_is_never_followed(keyed, scripted_server):
    scripted_server.answer_with(
        lambda head: http_answer(302, {"Location": "/internal-target?x=1"}, b"")
    )
    with pytest.raises(PeerAnswerInvalid, match="redirect .HTTP 302., which is never followed"):
        PeerClient("127.0.0.1", scripted_server.port).status()
    assert len(scripted_server.request_lines) == 1
    assert "internal-target" not in scripted_server.request_lines[0]


@pytest.mark.parametrize("status", [403, 404, 500])
def test_an_internal_service_s_text_is_never_shown(keyed, scripted_server, status):
    scripted_server.answer_with(lambda head: http_answer(status, {}, SECRET))
    with pytest.raises((PeerRefused, PeerAnswerInvalid)) as failed:
        PeerClient("127.0.0.1", scripted_server.port).status()
    assert "hunter2" not in str(failed.value)
    assert f"(HTTP {status})" in str(failed.value)


def test_pairing_with_an_internal_service_shows_only_a_fixed_reason(keyed, scripted_server):
    scripted_server.answer_with(lambda head: http_answer(403, {}, SECRET))
    with pytest.raises(Refused) as failed:
        pairing.pair_with_backup(
            backup_host="127.0.0.1",
            backup_port=scripted_server.port,
            reverse_host="127.0.0.1",
            reverse_port=8443,
            actor=None,
        )
    assert "hunter2" not in str(failed.value)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_refused_and_a_closed_connection_read_the_same(keyed, scripted_server):
    scripted_server.answer_with(lambda head: b"")  # accepts, then closes
    reasons = []
    for port in (_closed_port(), scripted_server.port):
        with pytest.raises(PeerUnreachable) as failed:
            PeerClient("127.0.0.1", port).status()
        reasons.append(str(failed.value).rsplit(": ", 1)[1])
    assert reasons == ["could not connect", "could not connect"]


def test_an_answer_over_the_limit_is_refused_without_being_held(keyed, scripted_server):
    big = b'{"files": "' + b"x" * 5000 + b'"}'
    scripted_server.answer_with(lambda head: signed_answer(KEY, head, 200, big))
    client = PeerClient("127.0.0.1", scripted_server.port)
    with pytest.raises(PeerAnswerInvalid, match="larger than 1000 bytes"):
        client.call("GET", "sync/manifest", max_bytes=1000)
    assert client.call("GET", "sync/manifest", max_bytes=10_000)["files"].startswith("xxx")

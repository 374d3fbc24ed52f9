"""The peer API's gatekeeping, through Django's test client."""

import time
import uuid

import pytest

from failover.models import InterSiteKey, SiteState, StatusEvent
from failover.peer import nonces
from failover.peer.signing import NONCE_HEADER, SIGNATURE_HEADER, verify_response
from tests.fixtures.peer import signed_headers

KEY = "s" * 40
STATUS = "/api/peer/v1/status"


@pytest.fixture(autouse=True)
def key(db, settings):
    settings.FAILOVER_ALLOW_INSECURE_PEER = True
    InterSiteKey.objects.create(pk=1, key=KEY)


def _get(client, headers):
    return client.get(STATUS, headers=headers)


def test_a_signed_request_gets_a_signed_status(client):
    headers = signed_headers(KEY, "GET", STATUS)
    response = _get(client, headers)
    assert response.status_code == 200
    body = response.json()
    assert body["site_id"] == str(SiteState.load().site_id)
    for field in ("hostname", "role", "epoch", "relationship_id", "version", "server_time"):
        assert field in body
    assert (
        verify_response(KEY, headers[NONCE_HEADER], 200, response.headers, response.content)
        == body["site_id"]
    )


def _assert_refused(response, code):
    assert response.status_code == 403
    assert response.json()["code"] == code
    assert response.json()["error"]


def test_unsigned_requests_are_refused(client):
    _assert_refused(client.get(STATUS), "unsigned")


def test_a_wrong_key_is_refused(client):
    _assert_refused(_get(client, signed_headers("w" * 40, "GET", STATUS)), "bad_signature")


def test_a_tampered_signature_is_refused(client):
    headers = signed_headers(KEY, "GET", STATUS)
    headers[SIGNATURE_HEADER] = "0" * 64
    _assert_refused(_get(client, headers), "bad_signature")


def test_a_stale_request_is_refused(client):
    _assert_refused(
        _get(client, signed_headers(KEY, "GET", STATUS, now=time.time() - 120)), "stale"
    )


def test_a_replayed_request_is_refused(client):
    headers = signed_headers(KEY, "GET", STATUS)
    assert _get(client, headers).status_code == 200
    _assert_refused(_get(client, headers), "replayed")


def test_only_the_peer_is_accepted_while_paired(client):
    peer_id = uuid.uuid4()
    SiteState.objects.filter(pk=SiteState.load().pk).update(
        role="primary", epoch=1, relationship_id=uuid.uuid4(), peer_site_id=peer_id
    )
    _assert_refused(_get(client, signed_headers(KEY, "GET", STATUS)), "unknown_site")
    response = _get(client, signed_headers(KEY, "GET", STATUS, site_id=str(peer_id)))
    assert response.status_code == 200


def test_plain_http_is_refused_unless_allowed(client, settings):
    settings.FAILOVER_ALLOW_INSECURE_PEER = False
    _assert_refused(_get(client, signed_headers(KEY, "GET", STATUS)), "plaintext")
    response = client.get(STATUS, headers=signed_headers(KEY, "GET", STATUS), secure=True)
    assert response.status_code == 200


def test_a_site_without_a_key_refuses_everything(client):
    InterSiteKey.objects.filter(pk=1).update(key="")
    _assert_refused(_get(client, signed_headers(KEY, "GET", STATUS)), "no_key")


def test_refusals_change_nothing_and_are_recorded_once_per_cause_per_minute(
    client, refusal_counts, django_assert_max_num_queries
):
    before = SiteState.load()
    for _ in range(5):
        _get(client, signed_headers("w" * 40, "GET", STATUS))
    client.get(STATUS)
    refused = StatusEvent.objects.filter(kind="peer_request_refused")
    assert sorted(e.details["cause"] for e in refused) == ["bad_signature", "unsigned"]
    assert refusal_counts()["bad_signature"] == 5
    # A flood costs the database nothing beyond reading the key and the site.
    with django_assert_max_num_queries(2):
        _get(client, signed_headers("w" * 40, "GET", STATUS))
    assert refusal_counts()["bad_signature"] == 6
    after = SiteState.load()
    assert (after.role, after.epoch, after.relationship_id) == (
        before.role,
        before.epoch,
        before.relationship_id,
    )


def test_a_bad_pairing_offer_is_refused_with_400(client):
    body = b'{"relationship_id": "nope"}'
    response = client.post(
        "/api/peer/v1/pair",
        body,
        content_type="application/json",
        headers=signed_headers(KEY, "POST", "/api/peer/v1/pair", body),
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert SiteState.load().role == "none"


def test_unpair_of_another_relationship_is_refused(client):
    body = b'{"relationship_id": "6f1c1d1e-0000-4000-8000-000000000000"}'
    response = client.post(
        "/api/peer/v1/unpair",
        body,
        content_type="application/json",
        headers=signed_headers(KEY, "POST", "/api/peer/v1/unpair", body),
    )
    assert response.status_code == 409
    assert response.json()["code"] == "not_in_relationship"


def test_nonces_are_single_use():
    nonce = uuid.uuid4().hex
    assert nonces.remember(nonce)
    assert not nonces.remember(nonce)
    assert nonces.remember(uuid.uuid4().hex)


def test_a_request_signed_for_another_site_is_refused(client):
    headers = signed_headers(KEY, "GET", STATUS, to=str(uuid.uuid4()))
    _assert_refused(_get(client, headers), "wrong_receiver")


def test_an_unbound_request_reaches_the_status_only(client):
    assert _get(client, signed_headers(KEY, "GET", STATUS, to="-")).status_code == 200
    path = "/api/peer/v1/role/unlock"
    headers = signed_headers(KEY, "POST", path, b"{}", to="-")
    response = client.post(path, b"{}", content_type="application/json", headers=headers)
    assert response.status_code == 403 and response.json()["code"] == "wrong_receiver"


def test_a_request_of_the_older_protocol_is_refused_clearly(client):
    headers = signed_headers(KEY, "GET", STATUS)
    del headers["X-Failover-To"]
    _assert_refused(_get(client, headers), "protocol")

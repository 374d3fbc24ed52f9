"""The witness's peer endpoints through Django's test client, signed as the
pair's sites sign them: what it records, what it grants, what it refuses."""

import json
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from failover.models import InterSiteKey, StatusEvent, WitnessedPair, WitnessedSite
from failover.peer.signing import verify_response
from tests.fixtures.fake_peer import paired_site
from tests.fixtures.peer import signed_headers

KEY = "w" * 40
HEARTBEAT = "/api/peer/v1/witness/heartbeat"
GRANT = "/api/peer/v1/witness/grant"
RELATIONSHIP = str(uuid.uuid4())
SITE_A, SITE_B = str(uuid.uuid4()), str(uuid.uuid4())


@pytest.fixture(autouse=True)
def key(db, settings):
    settings.FAILOVER_ALLOW_INSECURE_PEER = True
    InterSiteKey.objects.create(pk=1, key=KEY)


def about(site_id, peer_id, role, epoch=1, **extra) -> dict:
    return {
        "relationship_id": RELATIONSHIP,
        "peer_site_id": peer_id,
        "hostname": {SITE_A: "site-a", SITE_B: "site-b"}.get(site_id, "site-x"),
        "role": role,
        "epoch": epoch,
        "timeout": 3,
        **extra,
    }


def post(client, path, payload, site_id):
    body = json.dumps(payload).encode()
    headers = signed_headers(KEY, "POST", path, body, site_id=site_id)
    response = client.post(path, body, content_type="application/json", headers=headers)
    return response


def heartbeat(client, site_id=SITE_A, peer_id=SITE_B, role="primary", **extra):
    return post(client, HEARTBEAT, about(site_id, peer_id, role, **extra), site_id)


def ask(client, epoch=2, site_id=SITE_B, peer_id=SITE_A, **extra):
    payload = about(site_id, peer_id, "backup", requested_epoch=epoch, **extra)
    return post(client, GRANT, payload, site_id)


def primary_silent_for(seconds: float) -> None:
    WitnessedSite.objects.filter(site_id=SITE_A).update(
        last_contact_at=timezone.now() - timedelta(seconds=seconds)
    )


def test_a_heartbeat_is_recorded_and_answered_signed(client):
    response = heartbeat(client)
    assert response.status_code == 200 and response.json() == {"granted_epoch": 0}
    assert verify_response(
        KEY, response.request["HTTP_X_FAILOVER_NONCE"], 200, response.headers, response.content
    )
    site = WitnessedSite.objects.get(site_id=SITE_A)
    assert (site.hostname, site.role, site.epoch, site.timeout) == ("site-a", "primary", 1, 3)


def test_the_epoch_is_refused_while_the_primary_was_heard_from(client):
    heartbeat(client)
    answer = ask(client).json()
    assert answer["granted"] is False and answer["granted_epoch"] == 0
    assert answer["reason"].startswith("it heard from site-a")
    assert 0 < answer["retry_in"] <= 3
    assert not StatusEvent.objects.filter(kind="witness_granted").exists()


def test_the_epoch_is_granted_once_after_the_primary_fell_silent(client):
    heartbeat(client)
    primary_silent_for(4)
    answer = ask(client).json()
    assert answer["granted"] is True and answer["granted_epoch"] == 2
    assert "granted epoch 2" in answer["reason"]
    again = ask(client).json()
    assert again["granted"] is False
    assert again["reason"] == "epoch 2 is not above epoch 2, which it already granted"
    [event] = StatusEvent.objects.filter(kind="witness_granted")
    assert event.message.startswith("Granted epoch 2 to site-b")
    # The old primary hears of it at its next heartbeat.
    assert heartbeat(client).json() == {"granted_epoch": 2}


def test_the_longer_timeout_of_the_two_counts(client):
    heartbeat(client, timeout=10)
    primary_silent_for(4)
    assert ask(client).json()["granted"] is False


def test_a_pair_first_heard_of_waits_a_timeout_before_granting(client):
    answer = ask(client).json()
    assert answer["granted"] is False
    assert answer["reason"].startswith("it started watching the other site")


def test_a_site_in_a_relationship_is_no_witness(client):
    paired_site("primary")
    response = heartbeat(client)
    assert response.status_code == 409 and response.json()["code"] == "not_a_witness"
    assert not WitnessedPair.objects.exists()


def test_a_third_site_cannot_join_a_pair(client):
    heartbeat(client)
    heartbeat(client, site_id=SITE_B, peer_id=SITE_A, role="backup")
    intruder = str(uuid.uuid4())
    response = heartbeat(client, site_id=intruder, peer_id=SITE_A, role="backup")
    assert response.status_code == 409 and response.json()["code"] == "other_pair"
    assert ask(client, site_id=intruder).status_code == 409
    assert WitnessedSite.objects.count() == 2


@pytest.mark.parametrize(
    "changes",
    [
        {"relationship_id": "not-a-uuid"},
        {"peer_site_id": None},
        {"peer_site_id": SITE_A},
        {"role": "none"},
        {"epoch": -1},
        {"epoch": "1"},
        {"timeout": 0},
        {"timeout": True},
        {"hostname": ""},
        {"hostname": "x" * 254},
    ],
)
def test_bad_input_is_refused_and_changes_nothing(client, changes):
    payload = {**about(SITE_A, SITE_B, "primary"), **changes}
    response = post(client, HEARTBEAT, payload, SITE_A)
    assert response.status_code == 400 and response.json()["error"]
    assert not WitnessedPair.objects.exists()


@pytest.mark.parametrize("epoch", [0, -1, "2", None, 2**63])
def test_a_bad_requested_epoch_is_refused(client, epoch):
    heartbeat(client)
    primary_silent_for(4)
    response = ask(client, epoch=epoch)
    assert response.status_code == 400
    assert WitnessedPair.objects.get().granted_epoch == 0


def test_a_body_that_is_not_an_object_is_refused(client):
    for body in (b"[]", b"not json"):
        headers = signed_headers(KEY, "POST", HEARTBEAT, body, site_id=SITE_A)
        response = client.post(HEARTBEAT, body, content_type="application/json", headers=headers)
        assert response.status_code == 400


def test_unsigned_calls_are_refused(client):
    response = client.post(HEARTBEAT, json.dumps(about(SITE_A, SITE_B, "primary")), "json")
    assert response.status_code == 403
    assert not WitnessedPair.objects.exists()

"""A live site refuses every badly authenticated peer request with 403 and
changes nothing, recording each cause once a minute."""

import time
import uuid

import pytest
import requests

from tests.fixtures.peer import signed_headers

pytestmark = pytest.mark.sites


def _send(site, key, *, site_id=None, to=None, now=None, headers=None, path="/api/peer/v1/unpair"):
    status = site.status()
    body = b'{"relationship_id": "%s"}' % status["relationship_id"].encode()
    signed = headers or signed_headers(
        key, "POST", path, body, site_id=site_id, to=to or status["site_id"], now=now
    )
    return requests.post(site.url + path, data=body, headers=signed, timeout=10), signed


def test_bad_peer_requests_are_refused_and_change_nothing(paired):
    primary, backup = paired[0], paired[1]
    key = paired.key
    primary_id = primary.status()["site_id"]
    before = backup.status()
    cases = {
        "unsigned": lambda: requests.post(backup.url + "/api/peer/v1/unpair", timeout=10),
        "bad_signature": lambda: _send(
            backup, "a-wrong-inter-site-key-of-40-characters!!", site_id=primary_id
        )[0],
        "stale": lambda: _send(backup, key, site_id=primary_id, now=time.time() - 300)[0],
        "unknown_site": lambda: _send(backup, key, site_id=str(uuid.uuid4()))[0],
        "wrong_receiver": lambda: _send(backup, key, site_id=primary_id, to=primary_id)[0],
    }
    for cause, send in cases.items():
        for _ in range(3):
            response = send()
            assert response.status_code == 403, cause
            assert response.json()["code"] == cause

    # A correctly signed request, replayed.
    status_path = "/api/peer/v1/status"
    headers = signed_headers(
        key, "GET", status_path, site_id=primary_id, to=backup.status()["site_id"]
    )
    first = requests.get(backup.url + status_path, headers=headers, timeout=10)
    assert first.status_code == 200
    replay = requests.get(backup.url + status_path, headers=headers, timeout=10)

    assert replay.status_code == 403
    assert replay.json()["code"] == "replayed"

    after = backup.status()
    assert (after["role"], after["epoch"], after["relationship_id"]) == (
        before["role"],
        before["epoch"],
        before["relationship_id"],
    )
    refused = backup.events("peer_request_refused")
    assert sorted(event["details"]["cause"] for event in refused) == sorted([*cases, "replayed"])

"""Property-based: whatever a user, an API client or a peer holding the key
sends, the answer is never a 5xx. (Pairing with a well-formed address would
reach out over the network, so its form and offer are fuzzed where they are
checked, without the call.)"""

import json
import socket
from unittest import mock
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from failover.forms import (
    BackupSettingsForm,
    InterSiteKeyForm,
    NotificationSettingsForm,
    PairingForm,
    SharedIPForm,
)
from failover.models import BackupSettings, InterSiteKey, NotificationSettings
from failover.services import pairing
from tests.fixtures.peer import signed_headers

pytestmark = pytest.mark.django_db
FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
KEY = "h" * 40
TEXT = st.text(max_size=40) | st.sampled_from(["", "²", "0", "-1", "1e309", "nan", "9" * 30])
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)
FORM_DATA = st.dictionaries(
    st.sampled_from(
        [
            "primary_timeout",
            "sync_interval",
            "bandwidth_limit",
            "test_ips",
            "backup_operations_enabled",
            "auto_failover_enabled",
            "address",
            "interface",
            "failover",
            "listed",
            "key",
            "name",
            "emails",
            "webhook_url",
            "topics",
            "sync_first",
            "force",
        ]
    ),
    TEXT,
    max_size=8,
)


@pytest.fixture(autouse=True)
def no_dns():
    """Webhook hosts are resolved when saved: not over this machine's network
    (addresses still connect: the database and Redis are reached by address)."""
    real = socket.getaddrinfo

    def numeric_only(host, *args, **kwargs):
        return real(host, *args, **kwargs, flags=socket.AI_NUMERICHOST)

    with mock.patch("socket.getaddrinfo", side_effect=numeric_only):
        yield


@FUZZ
@given(data=FORM_DATA)
def test_forms_validate_anything_without_raising(data):
    for form in (
        PairingForm(data),
        BackupSettingsForm(data, instance=BackupSettings.load()),
        SharedIPForm(data),
        InterSiteKeyForm(data),
        NotificationSettingsForm(data, instance=NotificationSettings.load()),
    ):
        form.is_valid()


PAGE_POSTS = [
    "/management/failover/settings",
    "/management/failover/shared-ips",
    "/management/failover/shared-ips/add",
    "/management/failover/shared-ips/remove",
    "/management/failover/sync-now",
    "/management/failover/become",
    "/management/failover/break",
    "/management/failover/fix-conflict",
    "/management/security/key",
    "/management/security/tokens",
    "/management/notifications/save",
]


@FUZZ
@given(url=st.sampled_from(PAGE_POSTS), data=FORM_DATA)
def test_page_forms_never_answer_5xx(staff_client, url, data):
    assert staff_client.post(url, data).status_code < 500


API_POSTS = ["failover/become", "failover/break", "failover/sync-now", "failover/fix-conflict"]


@FUZZ
@given(path=st.sampled_from(API_POSTS), body=JSON)
def test_api_bodies_never_answer_5xx(staff_client, path, body):
    response = staff_client.post(
        f"/api/v1/{path}", json.dumps(body), content_type="application/json"
    )
    assert response.status_code < 500


@FUZZ
@given(query=st.dictionaries(st.sampled_from(["limit", "before", "kind", "after"]), TEXT))
def test_api_and_page_queries_never_answer_5xx(staff_client, query):
    for url in ("/api/v1/events", "/management/failover/history", "/management/failover/"):
        assert staff_client.get(f"{url}?{urlencode(query)}").status_code < 500


@FUZZ
@given(offer=JSON)
def test_pairing_offers_are_checked_without_raising_anything_else(offer):
    with pytest.raises(pairing.Refused):
        pairing.accept_pairing(offer, "a-site", connect=None)


PEER_POSTS = [
    "role/lock",
    "role/unlock",
    "role/change",
    "sync/request",
    "unpair",
    "sync/files",
    "sync/ranges",
]
PEER_GETS = ["status", "sync/file", "sync/manifest", "sync/database", "sync/chunks"]


@pytest.fixture
def peer_key(settings):
    settings.FAILOVER_ALLOW_INSECURE_PEER = True
    InterSiteKey.objects.update_or_create(pk=1, defaults={"key": KEY})


@FUZZ
@given(endpoint=st.sampled_from(PEER_POSTS), body=JSON)
def test_signed_peer_posts_never_answer_5xx(client, peer_key, endpoint, body):
    path = f"/api/peer/v1/{endpoint}"
    raw = json.dumps(body).encode()
    response = client.post(
        path, raw, content_type="application/json", headers=signed_headers(KEY, "POST", path, raw)
    )
    assert response.status_code < 500


@FUZZ
@given(
    endpoint=st.sampled_from(PEER_GETS),
    query=st.dictionaries(st.sampled_from(["path", "size", "mtime_ns", "detail"]), TEXT),
)
def test_signed_peer_gets_never_answer_5xx(client, peer_key, endpoint, query):
    path, encoded = f"/api/peer/v1/{endpoint}", urlencode(query)
    response = client.get(
        f"{path}?{encoded}", headers=signed_headers(KEY, "GET", path, query=encoded)
    )
    assert response.status_code < 500

"""The JSON API's authentication and its read endpoints, through the test client."""

import pytest
from django.test import Client
from django.utils import timezone

from failover.models import ApiToken, QueueHeartbeat, StatusEvent


@pytest.fixture
def token(staff_user):
    return ApiToken.issue(staff_user, "tests")[1]


def _bearer(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/v1/failover", "/api/v1/health", "/api/v1/events"])
def test_anonymous_requests_get_401(client, url):
    response = client.get(url)
    assert response.status_code == 401
    assert "Authentication required" in response.json()["error"]


def test_a_wrong_token_gets_401(client, token):
    response = client.get("/api/v1/failover", headers=_bearer(token + "x"))
    assert response.status_code == 401


def test_a_non_staff_token_gets_403(client, plain_user):
    _, plain = ApiToken.issue(plain_user, "x")
    assert client.get("/api/v1/failover", headers=_bearer(plain)).status_code == 403


def test_a_token_reads_the_status_like_the_command_line(client, token):
    response = client.get("/api/v1/failover", headers=_bearer(token))
    assert response.status_code == 200
    body = response.json()
    assert body["role"] == "none" and body["peer"] is None
    assert ApiToken.objects.get().last_used_at is not None


def test_a_signed_in_session_works_too(staff_client):
    assert staff_client.get("/api/v1/failover").status_code == 200


def test_session_posts_need_the_csrf_token(staff_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    response = client.post("/api/v1/failover/break")
    assert response.status_code == 403
    assert "CSRF" in response.json()["error"]


def test_token_posts_need_no_csrf_token(token):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/v1/failover/break", headers=_bearer(token))
    assert response.status_code == 409
    assert "in no failover relationship" in response.json()["error"]


def test_health_is_503_without_a_worker(client, token):
    response = client.get("/api/v1/health", headers=_bearer(token))
    assert response.status_code == 503
    assert response.json()["problems"] == ["no Celery worker has run a health check recently"]


def test_health_is_200_with_a_worker_and_no_relationship(client, token):
    QueueHeartbeat.objects.create(queue="health", seen_at=timezone.now())
    response = client.get("/api/v1/health", headers=_bearer(token))
    assert response.status_code == 200
    assert response.json() == {"healthy": True, "role": "none", "problems": []}


def test_events_page_newest_first(client, token):
    for i in range(5):
        StatusEvent.record("settings_changed" if i % 2 else "paired", f"event {i}")
    body = client.get("/api/v1/events", {"limit": 2}, headers=_bearer(token)).json()
    assert [e["message"] for e in body["events"]] == ["event 4", "event 3"]
    more = client.get(
        "/api/v1/events", {"limit": 2, "before": body["next_before"]}, headers=_bearer(token)
    ).json()
    assert [e["message"] for e in more["events"]] == ["event 2", "event 1"]
    kinds = client.get("/api/v1/events", {"kind": "paired"}, headers=_bearer(token)).json()
    assert [e["message"] for e in kinds["events"]] == ["event 4", "event 2", "event 0"]


@pytest.mark.parametrize(
    "params",
    [{"limit": "0"}, {"limit": "x"}, {"before": "y"}, {"before": "²"}, {"before": "9" * 30}],
)
def test_bad_event_queries_get_400(client, token, params):
    assert client.get("/api/v1/events", params, headers=_bearer(token)).status_code == 400


def test_pair_validates_like_the_form(client, token):
    response = client.post(
        "/api/v1/failover/pair",
        {"backup_host": "bad host!", "backup_port": 0},
        content_type="application/json",
        headers=_bearer(token),
    )
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert "neither a valid host name" in fields["backup_host"]
    assert "Port must be from 1 to 65535" in fields["backup_port"]
    assert "reverse_host" in fields


def test_pair_refuses_a_body_that_is_not_an_object(client, token):
    response = client.post(
        "/api/v1/failover/pair", "[1]", content_type="application/json", headers=_bearer(token)
    )
    assert response.status_code == 400


def test_api_actions_refuse_get(client, token):
    assert client.get("/api/v1/failover/pair", headers=_bearer(token)).status_code == 405

import pytest

from failover.models import SiteState, StatusEvent
from failover.peer import refusals


@pytest.fixture
def metrics_token(settings):
    settings.FAILOVER_METRICS_TOKEN = "m" * 32
    return settings.FAILOVER_METRICS_TOKEN


@pytest.mark.django_db
def test_loopback_scrapes_are_allowed(client):
    response = client.get("/metrics")  # the test client comes from 127.0.0.1
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert 'failover_role{role="none"} 1.0' in response.content.decode()


@pytest.mark.django_db
def test_other_addresses_need_the_token(client, metrics_token):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.5").status_code == 403
    assert (
        client.get(
            "/metrics", REMOTE_ADDR="203.0.113.5", headers={"Authorization": "Bearer wrong"}
        ).status_code
        == 403
    )
    response = client.get(
        "/metrics", REMOTE_ADDR="203.0.113.5", headers={"Authorization": f"Bearer {metrics_token}"}
    )
    assert response.status_code == 200


@pytest.mark.django_db
def test_the_figures_follow_the_state(client, refusal_counts):
    SiteState.objects.filter(pk=SiteState.load().pk).update(role="primary", epoch=7)
    StatusEvent.record("failover", "became primary", role="primary", epoch=7)
    StatusEvent.record("conflict_detected", "conflict")
    refusals.count("bad_signature")
    text = client.get("/metrics").content.decode()
    assert 'failover_role{role="primary"} 1.0' in text
    assert "failover_epoch 7.0" in text
    assert 'failover_failovers_total{cause="automatic"} 1.0' in text
    assert "failover_conflicts_total 1.0" in text
    assert 'failover_refused_peer_requests_total{cause="bad_signature"} 1.0' in text


@pytest.mark.django_db
def test_behind_a_proxy_the_forwarded_client_must_be_allowed(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    via_proxy = {"REMOTE_ADDR": "127.0.0.1"}
    outsider = client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.5", **via_proxy)
    assert outsider.status_code == 403
    inside = client.get("/metrics", HTTP_X_FORWARDED_FOR="127.0.0.1", **via_proxy)
    assert inside.status_code == 200

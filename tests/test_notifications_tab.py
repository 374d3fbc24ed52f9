import ipaddress

import pytest

from failover.models import NotificationSettings, StatusEvent

URL = "/management/notifications/"
VALID = {
    "emails": "ops@example.com\noncall@example.com",
    "webhook_url": "https://hooks.example/x",
    "topics": ["automatic_failover", "sync_failed"],
}


def test_the_tab_lists_every_topic(staff_client):
    html = staff_client.get(URL).content.decode()
    for label in (
        "Automatic failover",
        "Planned role swap",
        "Isolation",
        "Data sync failed",
        "Role conflict",
        "Product version mismatch",
        "Refused peer requests",
        "Peer reachable again",
        "longer than the primary timeout",
    ):
        assert label in html


def test_saving_generates_a_webhook_secret_shown_once(staff_client):
    response = staff_client.post(URL + "save", VALID, follow=True)
    config = NotificationSettings.load()
    assert config.emails == ["ops@example.com", "oncall@example.com"]
    assert config.topics == ["automatic_failover", "sync_failed"]
    assert config.webhook_secret.startswith("whsec_")
    assert config.webhook_secret in response.content.decode()
    assert config.webhook_secret not in staff_client.get(URL).content.decode()
    assert StatusEvent.objects.filter(kind="settings_changed").get().actor == "alice"


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("emails", "not-an-address", "is not a valid e-mail address"),
        ("webhook_url", "ftp://x", "Enter a valid URL"),
        ("topics", ["nonsense"], "Select a valid choice"),
    ],
)
def test_bad_input_changes_nothing(staff_client, field, value, message):
    response = staff_client.post(URL + "save", {**VALID, field: value})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert NotificationSettings.load().emails == []
    assert not StatusEvent.objects.exists()


def test_a_test_needs_a_recipient(staff_client):
    response = staff_client.post(URL + "test")
    assert response.status_code == 409
    assert "Add an e-mail recipient or a webhook URL first" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://[::1]/hook",
        "https://10.1.2.3/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[fd00::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
    ],
)
def test_a_webhook_into_the_internal_network_is_refused(staff_client, url):
    response = staff_client.post(URL + "save", {**VALID, "webhook_url": url})
    assert response.status_code == 400
    assert "an internal address" in response.content.decode()
    assert NotificationSettings.load().webhook_url == ""


def test_an_allowed_internal_network_is_accepted(staff_client, settings):
    settings.FAILOVER_WEBHOOK_ALLOWED_NETWORKS = [ipaddress.ip_network("10.1.0.0/16")]
    response = staff_client.post(URL + "save", {**VALID, "webhook_url": "https://10.1.2.3/hook"})
    assert response.status_code == 302
    assert NotificationSettings.load().webhook_url == "https://10.1.2.3/hook"

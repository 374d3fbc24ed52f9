import pytest

from failover.models import InterSiteKey, SiteState, StatusEvent

URL = "/management/failover/pair"
VALID = {
    "backup_host": "backup.example.com",
    "backup_port": "8443",
    "reverse_host": "192.0.2.1",
    "reverse_port": "8443",
}


@pytest.mark.parametrize(
    "changes,field,message",
    [
        ({"backup_host": "bad_host!"}, "backup_host", "neither a valid host name"),
        ({"backup_host": "-leading.example"}, "backup_host", "neither a valid host name"),
        ({"backup_host": "10.0.0.300"}, "backup_host", "is not a valid IP address"),
        ({"backup_port": "0"}, "backup_port", "Port must be from 1 to 65535, not 0"),
        ({"backup_port": "70000"}, "backup_port", "Port must be from 1 to 65535, not 70000"),
        ({"reverse_port": "https"}, "reverse_port", "whole number"),
        ({"reverse_host": ""}, "reverse_host", "This field is required"),
        ({"backup_host": "192.0.2.1"}, "backup_host", "cannot pair with itself"),
    ],
)
def test_invalid_input_is_shown_next_to_its_field(staff_client, changes, field, message):
    response = staff_client.post(URL, {**VALID, **changes})
    assert response.status_code == 400
    html = response.content.decode()
    field_html = html[html.index(f'id="id_{field}"') :]
    field_html = field_html[: field_html.index("</div>")]
    assert message in field_html
    assert SiteState.load().role == "none"
    assert not StatusEvent.objects.exists()


def test_ipv6_addresses_are_accepted(staff_client, settings):
    settings.FAILOVER_PEER_TIMEOUT = 0.2
    InterSiteKey.objects.create(pk=1, key="k" * 40)

    response = staff_client.post(URL, {**VALID, "backup_host": "::1", "backup_port": "9"})
    html = response.content.decode()
    assert "neither a valid host name" not in html
    assert "The backup site is unreachable" in html
    assert SiteState.load().role == "none"


def test_a_site_without_a_key_cannot_pair(staff_client):
    response = staff_client.post(URL, VALID)
    assert response.status_code == 502
    assert "No inter-site key is set" in response.content.decode()

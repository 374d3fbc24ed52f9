import pytest

from failover.models import BackupSettings, StatusEvent
from failover.shapes import backup_settings_json

URL = "/management/failover/settings"
VALID = {
    "backup_operations_enabled": "on",
    "primary_timeout": "30",
    "sync_interval": "5",
    "bandwidth_limit": "12.5",
    "auto_failover_enabled": "on",
    "continuous_sync": "on",
    "keep_diverged": "5",
    "test_ips": "192.0.2.1\n2001:db8::1\nexample.com:443\n[2001:db8::2]:80",
}


def _post(client, **changes):
    return client.post(URL, {**VALID, **changes})


def test_it_saves_and_records_an_event(staff_client):
    response = _post(staff_client)
    assert response.status_code == 302
    assert response["Location"] == "/management/failover/#backup-settings"
    saved = BackupSettings.load()
    assert saved.primary_timeout == 30
    assert saved.sync_interval == 5
    assert float(saved.bandwidth_limit) == 12.5
    assert saved.test_ips == ["192.0.2.1", "2001:db8::1", "example.com:443", "[2001:db8::2]:80"]
    event = StatusEvent.objects.get()
    assert event.kind == "settings_changed"
    assert event.actor == "alice"
    assert "60 → 30" in event.message


def test_unchecked_boxes_turn_options_off(staff_client):
    data = {
        k: v
        for k, v in VALID.items()
        if k not in ("backup_operations_enabled", "auto_failover_enabled")
    }
    staff_client.post(URL, data)
    saved = BackupSettings.load()
    assert not saved.backup_operations_enabled
    assert not saved.auto_failover_enabled


def test_an_empty_bandwidth_limit_means_unlimited(staff_client):
    _post(staff_client, bandwidth_limit="")
    assert BackupSettings.load().bandwidth_limit == 0


def test_saving_the_same_values_records_nothing(staff_client):
    _post(staff_client)
    _post(staff_client)
    assert StatusEvent.objects.count() == 1


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("primary_timeout", "2", "greater than or equal to 3"),
        ("primary_timeout", "86401", "less than or equal to 86400"),
        ("primary_timeout", "soon", "Enter a whole number"),
        ("sync_interval", "-1", "greater than or equal to 0"),
        ("bandwidth_limit", "-5", "greater than or equal to 0"),
        ("test_ips", "not an ip", "a host name needs a port"),
        ("test_ips", "192.0.2.1:70000", "Port must be from 1 to 65535"),
        ("test_ips", "300.1.1.1", "not a valid IP address"),
    ],
)
def test_invalid_input_shows_the_error_and_changes_nothing(staff_client, field, value, message):
    before = backup_settings_json(BackupSettings.load())
    response = _post(staff_client, **{field: value})
    assert response.status_code == 400
    html = response.content.decode()
    section = html[html.index('id="backup-settings"') :]
    assert message in section
    assert backup_settings_json(BackupSettings.load()) == before
    assert not StatusEvent.objects.exists()

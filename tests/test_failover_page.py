import re

import pytest

from failover.models import PeerStatus, SiteState, StatusEvent

LIVE = {"HX-Request": "true", "HX-Target": "failover-live"}


def _set_role(role, **fields):
    SiteState.objects.filter(pk=SiteState.load().pk).update(role=role, **fields)


def test_a_standalone_site_shows_the_setup_form(staff_client):
    html = staff_client.get("/management/failover/").content.decode()
    assert "This site is standalone" in html
    assert "Set up a failover relationship" in html
    assert "New backup site connection details" in html
    assert "Reverse connection details to this primary site" in html
    for section in ("Status history", "Shared IPs", "Backup settings"):
        assert section in html


def test_the_primary_shows_its_banner_and_no_setup(staff_client):
    _set_role("primary", epoch=1, peer_host="backup.example", peer_port=8443)
    html = staff_client.get("/management/failover/").content.decode()
    assert "You are on the primary site instance" in html
    assert "Set up a failover relationship" not in html
    assert "Peer host&#x27;s status" in html or "Peer host's status" in html
    assert "backup.example:8443" in html


def test_the_backup_is_read_only(staff_client):
    _set_role("backup", epoch=1, peer_host="primary.example", peer_port=8443)
    html = staff_client.get("/management/failover/").content.decode()
    assert "You are on the backup site instance" in html
    assert 'id="setup"' not in html
    assert "Backup settings" in html


def test_each_disabled_action_says_why(staff_client):
    _set_role("primary", epoch=1, peer_host="backup.example", peer_port=8443)
    html = staff_client.get("/management/failover/").content.decode()
    actions = html[
        html.index('id="actions"') : html.index('id="setup"')
        if 'id="setup"' in html
        else html.index('id="history"')
    ]
    for block in actions.split('<div class="action">')[1:]:
        if " disabled>" in block:
            assert 'class="reason"' in block
    assert "Break relationship</button>" in actions
    assert 'class="danger">Break relationship' in actions


def test_it_serves_the_live_partial_to_htmx(staff_client):
    response = staff_client.get("/management/failover/", {"rendered_role": "none"}, headers=LIVE)
    html = response.content.decode()
    assert response.status_code == 200
    assert "This site is standalone" in html
    assert "<html" not in html
    assert 'class="tabs"' not in html
    assert "HX-Request" in response["Vary"]


def test_the_live_partial_asks_for_a_reload_when_the_role_changed(staff_client):
    _set_role("backup", epoch=1)
    response = staff_client.get("/management/failover/", {"rendered_role": "none"}, headers=LIVE)
    assert response["HX-Refresh"] == "true"


def test_the_live_partial_prepends_new_events(staff_client):
    old = StatusEvent.record("settings_changed", "old one")
    new = StatusEvent.record("settings_changed", "brand new event")
    response = staff_client.get(
        "/management/failover/", {"rendered_role": "none", "after": old.pk}, headers=LIVE
    )
    html = response.content.decode()
    assert 'hx-swap-oob="afterbegin:#history-rows"' in html
    assert "brand new event" in html
    assert "old one" not in html
    assert f'id="history-cursor" name="after" value="{new.pk}"' in html


def test_the_live_partial_sends_no_rows_when_nothing_is_new(staff_client):
    event = StatusEvent.record("settings_changed", "only one")
    html = staff_client.get(
        "/management/failover/", {"rendered_role": "none", "after": event.pk}, headers=LIVE
    ).content.decode()
    assert "afterbegin" not in html
    assert f'value="{event.pk}"' in html


@pytest.mark.django_db
def test_history_pages_newest_first_with_load_more(staff_client):
    StatusEvent.objects.bulk_create(
        StatusEvent(kind="settings_changed", message=f"event {i:03d}") for i in range(60)
    )
    html = staff_client.get("/management/failover/").content.decode()
    assert html.index("event 059") < html.index("event 035")
    assert "event 034" not in html
    assert "Load more" in html
    cursor = StatusEvent.objects.get(message="event 035").pk
    assert f"before={cursor}" in html

    more = staff_client.get(
        "/management/failover/history", {"before": cursor}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "event 034" in more and "event 010" in more
    assert "event 035" not in more and "event 009" not in more
    last = staff_client.get(
        "/management/failover/history",
        {"before": StatusEvent.objects.get(message="event 010").pk},
        headers={"HX-Request": "true"},
    ).content.decode()
    assert "event 000" in last
    assert "Load more" not in last


@pytest.mark.parametrize("cursor", ["x'; drop", "²", "٣", "9" * 30, "-1"])
def test_history_ignores_a_malformed_cursor(staff_client, cursor):
    StatusEvent.record("settings_changed", "visible")
    response = staff_client.get("/management/failover/history", {"before": cursor})
    assert response.status_code == 200
    assert "visible" in response.content.decode()
    live = staff_client.get(
        "/management/failover/",
        {"after": cursor},
        headers={"HX-Request": "true", "HX-Target": "failover-live"},
    )
    assert live.status_code == 200


def test_sync_now_on_a_standalone_site_is_refused_with_409(staff_client):
    response = staff_client.post("/management/failover/sync-now")
    assert response.status_code == 409
    assert "in no failover relationship" in response.content.decode()


def test_the_primary_shows_the_backups_sync_progress(staff_client):
    _set_role("primary", epoch=1, peer_host="backup.example", peer_port=8443)
    PeerStatus.objects.update_or_create(
        pk=1,
        defaults={
            "reachable": True,
            "role": "backup",
            "report": {
                "running_sync": {
                    "id": 7,
                    "status": "running",
                    "trigger": "peer",
                    "files_done": 3,
                    "files_total": 10,
                    "bytes_done": 300,
                    "bytes_total": 1000,
                    "rate": 100.0,
                }
            },
        },
    )
    html = staff_client.get("/management/failover/").content.decode()
    assert "Syncs run on the backup" in html
    assert "3 of 10 files" in html
    assert re.search(r'<progress [^>]*max="100"\s+value="30"', html)
    sync_action = html[html.index("<h3>Sync now</h3>") : html.index("<h3>Become")]
    assert "disabled" in sync_action and "A sync is already running." in sync_action


def _backup_settings_open(html: str) -> bool:
    section = html[html.index('<section id="backup-settings"') :]
    details = section[section.index("<details") :]
    return details.startswith("<details open>")


def test_backup_settings_are_collapsed_on_the_primary_and_open_elsewhere(staff_client):
    assert _backup_settings_open(staff_client.get("/management/failover/").content.decode())
    _set_role("primary", epoch=1, peer_host="backup.example", peer_port=8443)
    assert not _backup_settings_open(staff_client.get("/management/failover/").content.decode())
    _set_role("backup", epoch=1)
    assert _backup_settings_open(staff_client.get("/management/failover/").content.decode())


def test_an_invalid_setting_opens_them_on_the_primary(staff_client):
    _set_role("primary", epoch=1, peer_host="backup.example", peer_port=8443)
    html = staff_client.post("/management/failover/settings", {"primary_timeout": "1"})
    assert _backup_settings_open(html.content.decode())


def test_the_swap_options_name_the_peer_as_the_appliance_does(staff_client):
    _set_role("primary", epoch=1, peer_host="10.0.0.2", peer_port=8443)
    PeerStatus.objects.update_or_create(pk=1, defaults={"hostname": "site-b", "reachable": True})
    html = staff_client.get("/management/failover/").content.decode()
    assert (
        "Pull a data sync from the site instance at site-b (10.0.0.2) while becoming the backup"
        in html
    )
    assert (
        "Become a backup even if the peer site instance at site-b (10.0.0.2) cannot be contacted"
        in html
    )
    _set_role("backup")
    html = staff_client.get("/management/failover/").content.decode()
    assert "at site-b (10.0.0.2) while becoming the primary" in html

"""Notifications between live sites: replicated settings, automatic failover,
sync failure, and a webhook that hangs."""

import os
import time

import pytest

from tests.fixtures.waiting import wait_for
from tests.fixtures.webhooks import BlackholeWebhook
from tests.harness.proxy import TestAddress

pytestmark = pytest.mark.sites

TOPICS = ("automatic_failover", "sync_failed", "peer_down")


def _configure(site, url: str) -> str:
    """Set notifications on a site; returns the webhook secret."""
    done = site.manage(
        "shell",
        "-c",
        (
            "from failover.models import NotificationSettings as N; "
            f"N.objects.update_or_create(pk=1, defaults={{'emails': ['ops@example.com'], "
            f"'webhook_url': {url!r}, 'webhook_secret': 'whsec_site', 'topics': {list(TOPICS)!r}}})"
        ),
    )
    assert done.returncode == 0
    return "whsec_site"


def test_the_new_primary_notifies_the_failover_with_replicated_settings(paired, webhook):
    primary, backup = paired[0], paired[1]
    secret = _configure(primary, webhook.url)  # on the primary only...
    backup.manage("failover", "sync-now", "--wait")  # ...copied to the backup by sync
    test_ip = TestAddress()
    backup.manage("failover", "settings", "--primary-timeout", "3", "--test-ip", test_ip.address)
    primary.kill()
    backup.wait_status(lambda s: s["role"] == "primary", timeout=10)
    [payload] = wait_for(
        lambda: webhook.payloads("failover"), timeout=20, what="the failover webhook"
    )
    assert payload["site"]["hostname"] == "site-b" and payload["site"]["role"] == "primary"
    assert "became primary" in payload["event"]["message"]
    assert webhook.signed_by(secret)
    wait_for(lambda: "became primary" in backup.mail(), timeout=20, what="the e-mail")
    assert "To: ops@example.com" in backup.mail()
    assert wait_for(lambda: webhook.payloads("peer_down_too_long"), timeout=10)
    test_ip.stop()


def test_a_failed_sync_is_notified(paired, webhook):
    primary, backup = paired[0], paired[1]
    _configure(backup, webhook.url)
    primary.data_dir.mkdir(parents=True, exist_ok=True)
    os.symlink("/etc/passwd", primary.data_dir / "escape")
    backup.manage("failover", "sync-now", "--wait", check=False)
    [payload] = wait_for(
        lambda: webhook.payloads("sync_failed"), timeout=20, what="the sync-failed webhook"
    )
    assert "leads outside the data directory" in payload["event"]["message"]

    session = backup.session()

    def delivered() -> bool:
        page = session.get(f"{backup.url}/management/notifications/").text
        rows = page[page.index('id="deliveries"') :].split("<tr>")
        return any("Webhook" in row and "Sent" in row for row in rows)

    wait_for(delivered, timeout=20, what="the delivery shown as sent on the tab")


def test_a_hanging_webhook_does_not_delay_the_failover(paired):
    primary, backup = paired[0], paired[1]
    hanging = BlackholeWebhook()
    _configure(backup, hanging.url)
    test_ip = TestAddress()
    backup.manage("failover", "settings", "--primary-timeout", "3", "--test-ip", test_ip.address)
    backup.wait_status(lambda s: s["peer"]["reachable"])
    primary.kill()
    killed = time.monotonic()
    backup.wait_status(lambda s: s["role"] == "primary", timeout=10, what="failover")
    assert time.monotonic() - killed <= 3 + 2 * 1 + 1
    hanging.close()
    test_ip.stop()

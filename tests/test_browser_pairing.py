"""Pairing two demo-style sites by filling the setup form in Chromium."""

import pytest

from tests.fixtures.browser import sign_in
from tests.harness.site import ADMIN, PASSWORD

pytestmark = [pytest.mark.sites, pytest.mark.browser]


def test_an_admin_pairs_two_sites_and_sees_both_roles(page, two_sites, tmp_path):
    primary, backup = two_sites[0], two_sites[1]
    form = two_sites.pairing_form(primary, backup)
    sign_in(page, primary.url, ADMIN, PASSWORD)
    page.click("nav.tabs >> text=Failover")
    page.fill("#id_backup_host", form["backup_host"])
    page.fill("#id_backup_port", form["backup_port"])
    page.fill("#id_reverse_host", form["reverse_host"])
    page.fill("#id_reverse_port", form["reverse_port"])
    page.click("#setup button[type=submit]")

    page.wait_for_selector("text=You are on the primary site instance")
    assert page.locator("text=Peer traffic may use plain HTTP").count() == 1
    # The live status fills in the peer's role without a reload.
    page.wait_for_selector("#status .badge.backup", timeout=20_000)
    page.screenshot(path=str(tmp_path / "primary.png"), full_page=True)

    sign_in(page, backup.url, ADMIN, PASSWORD)
    page.goto(f"{backup.url}/management/failover/")
    page.wait_for_selector("text=You are on the backup site instance")
    page.wait_for_selector("#status .badge.primary", timeout=20_000)
    assert page.locator("#setup").count() == 0
    page.screenshot(path=str(tmp_path / "backup.png"), full_page=True)

"""A planned swap clicked in Chromium, watched on both sites' pages."""

import pytest

from tests.fixtures.browser import sign_in
from tests.harness.site import ADMIN, PASSWORD

pytestmark = [pytest.mark.sites, pytest.mark.browser]


def test_become_backup_swaps_both_pages(page, paired, tmp_path):
    primary, backup = paired[0], paired[1]
    sign_in(page, primary.url, ADMIN, PASSWORD)
    page.goto(f"{primary.url}/management/failover/")
    page.wait_for_selector("text=You are on the primary site instance")
    page.click("#become-form button[type=submit]")
    # The page follows the swap by itself (htmx), then reloads for the new role.
    page.wait_for_selector("text=You are on the backup site instance", timeout=30_000)
    page.wait_for_selector("#status .badge.primary", timeout=20_000)
    page.screenshot(path=str(tmp_path / "old-primary.png"), full_page=True)

    # A context of its own: both sites are on 127.0.0.1, and browsers share
    # cookies across ports, so one context would hold one site's session only.
    other = page.context.browser.new_context().new_page()
    sign_in(other, backup.url, ADMIN, PASSWORD)
    other.goto(f"{backup.url}/management/failover/")
    other.wait_for_selector("text=You are on the primary site instance")
    assert other.locator("#become-form button[type=submit]").inner_text() == "Become backup"
    other.screenshot(path=str(tmp_path / "new-primary.png"), full_page=True)

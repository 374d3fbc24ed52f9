"""Sign in and change backup settings in Chromium."""

import pytest

from failover.models import BackupSettings
from tests.fixtures.browser import outside_the_browser_loop, sign_in

pytestmark = pytest.mark.browser


def test_an_admin_saves_backup_settings_and_sees_the_event(
    staff_user, live_server, live_page, tmp_path
):
    page = live_page
    sign_in(page, live_server.url, "alice", "correct-horse-battery")
    page.click("nav.tabs >> text=Failover")
    page.wait_for_url(f"{live_server.url}/management/failover/")
    assert page.locator(".banner.none").inner_text().startswith("This site is standalone")

    page.fill("#id_primary_timeout", "45")
    page.fill("#id_test_ips", "192.0.2.1\nexample.com:443")
    page.click("#backup-settings button[type=submit]")
    page.wait_for_url("**/management/failover/#backup-settings")

    first_event = page.locator("#history-rows tr").first
    assert "Backup settings changed" in first_event.inner_text()
    assert "60 → 45" in first_event.inner_text()
    assert "alice" in first_event.inner_text()
    assert outside_the_browser_loop(lambda: BackupSettings.load().primary_timeout) == 45
    page.screenshot(path=str(tmp_path / "failover-settings-saved.png"), full_page=True)
    assert (tmp_path / "failover-settings-saved.png").stat().st_size > 0


def test_invalid_settings_show_the_error_next_to_the_field(staff_user, live_server, live_page):
    page = live_page
    sign_in(page, live_server.url, "alice", "correct-horse-battery")
    page.goto(f"{live_server.url}/management/failover/")
    page.fill("#id_primary_timeout", "1")
    page.click("#backup-settings button[type=submit]")
    error = page.locator("#backup-settings .field-error .errorlist")
    assert "greater than or equal to 3" in error.inner_text()
    assert outside_the_browser_loop(lambda: BackupSettings.load().primary_timeout) == 60

"""The pages under their Content-Security-Policy in Chromium: htmx loads,
polls and injects nothing the policy refuses; the Break form still asks."""

import pytest

from failover.models import SiteState
from tests.fixtures.browser import outside_the_browser_loop, sign_in

pytestmark = pytest.mark.browser


def _paired_primary():
    SiteState.objects.filter(pk=SiteState.load().pk).update(
        role="primary", epoch=1, peer_host="backup.example", peer_port=8443
    )


def test_htmx_works_under_the_policy_and_nothing_is_refused(staff_user, live_server, live_page):
    page = live_page
    refused = []
    page.on("console", lambda message: refused.append(message.text))
    sign_in(page, live_server.url, "alice", "correct-horse-battery")
    with page.expect_request(lambda r: r.headers.get("hx-request") == "true", timeout=20_000):
        page.goto(f"{live_server.url}/management/failover/")
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False
    assert page.evaluate("document.querySelectorAll('style').length") == 0
    assert not [text for text in refused if "Content Security Policy" in text], refused


def test_break_asks_first_and_a_no_changes_nothing(staff_user, live_server, live_page):
    outside_the_browser_loop(_paired_primary)
    page = live_page
    sign_in(page, live_server.url, "alice", "correct-horse-battery")
    page.goto(f"{live_server.url}/management/failover/")
    questions = []

    def answer_no(dialog):
        questions.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", answer_no)
    page.click("form[data-confirm] button[type=submit]")
    assert questions == ["Break the failover relationship? Both sites become standalone."]
    assert outside_the_browser_loop(lambda: SiteState.load().role) == "primary"

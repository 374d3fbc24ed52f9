"""The availability timeline in Chromium, on two live sites: a planned swap,
then the new primary killed; the surviving site's page shows both role
changes and the outage, under the page's Content-Security-Policy."""

import re

import pytest

from tests.fixtures.browser import sign_in
from tests.harness.proxy import TestAddress
from tests.harness.site import ADMIN, PASSWORD

pytestmark = [pytest.mark.sites, pytest.mark.browser]

TIMEOUT = 3  # primary timeout (s); the harness checks health every second


@pytest.fixture
def swapped(paired):
    """site-a swapped to backup, site-b primary; either fails over after 3 s."""
    a, b = paired[0], paired[1]
    test_ip = TestAddress()
    for site in (a, b):
        site.manage(
            "failover", "settings", "--primary-timeout", str(TIMEOUT), "--test-ip", test_ip.address
        )
    b.wait_status(lambda s: s["peer"]["reachable"])
    done = a.manage("failover", "become", "backup")
    assert "is the primary now" in done.stdout
    a.wait_status(lambda s: s["role"] == "backup" and s["peer"]["reachable"])
    yield a, b
    test_ip.stop()


def test_the_timeline_shows_the_swap_the_failover_and_the_outage(page, swapped, tmp_path):
    a, b = swapped
    refused = []
    page.on("console", lambda message: refused.append(message.text))
    sign_in(page, a.url, ADMIN, PASSWORD)
    page.goto(f"{a.url}/management/failover/")
    page.click("#timeline .timeline-switch >> text=Last hour")
    page.wait_for_url(re.compile(r"timeline=1h"))
    page.wait_for_selector("#timeline .mark.swap")
    assert page.locator("#timeline .band").count() == 2

    b.kill()
    # The page follows by itself: polls, then a reload for the new role.
    page.wait_for_selector("text=You are on the primary site instance", timeout=30_000)
    page.wait_for_selector("#timeline .mark.failover", timeout=20_000)
    assert "timeline=1h" in page.url  # the reload kept the window
    summary = page.locator("#timeline-summary").inner_text()
    assert "1 failover, 1 swap" in summary, summary
    assert re.search(r"site-b .*1 outage, longest", summary), summary

    peer_band = page.locator('#timeline .band[data-site="site-b"]')
    assert peer_band.locator("rect.outage").count() == 1
    assert peer_band.locator(".mark.outage").count() >= 1
    here_band = page.locator("#timeline .band").first
    for category in ("swap", "failover"):
        assert here_band.locator(f".mark.{category}").count() >= 1

    # Focusing a mark shows its event (hovering shows its <title> too).
    failover_mark = here_band.locator(".mark.failover").last
    assert not failover_mark.locator(".mark-label").is_visible()
    failover_mark.focus()
    label = failover_mark.locator(".mark-label")
    assert label.is_visible()
    assert "Failover:" in label.text_content()
    assert "Failover:" in failover_mark.locator("title").text_content()

    # The live status's polls redraw the timeline and keep the window.
    with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true"):
        pass
    assert page.locator("#timeline .timeline-switch a.active").inner_text() == "Last hour"
    assert not [text for text in refused if "Content Security Policy" in text], refused

    # The status JSON counts the same.
    availability = a.status()["availability"]
    assert (availability["failovers"], availability["swaps"]) == (1, 1)
    here, peer = availability["sites"]
    assert here["seconds"]["primary"] > 0 and here["seconds"]["backup"] > 0
    assert peer["hostname"] == "site-b" and peer["outages"] == 1

    shot = tmp_path / "timeline.png"
    page.locator("#timeline").screenshot(path=str(shot))
    print(f"timeline screenshot: {shot}")

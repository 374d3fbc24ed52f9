"""Headers every answer carries: a Content-Security-Policy the pages work
under (nothing inline anywhere), no-store on pages and the API, and one-time
secrets kept out of cookies."""

import re

import pytest

from failover.models import ApiToken, InterSiteKey, NotificationSettings, SiteState

PAGES = [
    "/login",
    "/management/",
    "/management/failover/",
    "/management/security/",
    "/management/notifications/",
]


def _paired_primary():
    SiteState.objects.filter(pk=SiteState.load().pk).update(
        role="primary", epoch=1, peer_host="backup.example", peer_port=8443
    )


def test_pages_carry_a_policy_that_allows_only_this_sites_files(staff_client):
    policy = staff_client.get("/management/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy


@pytest.mark.parametrize("path", PAGES)
def test_no_page_has_inline_scripts_handlers_or_styles(staff_client, path):
    _paired_primary()
    html = staff_client.get(path).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script>"
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler"
    assert not re.search(r"\sstyle\s*=|<style", html), "inline style"
    assert "hx-on" not in html and "js:" not in html


def test_htmx_is_told_not_to_inject_styles_nor_evaluate(staff_client):
    html = staff_client.get("/management/").content.decode()
    assert '"includeIndicatorStyles": false' in html
    assert '"allowEval": false' in html


def test_the_break_form_asks_through_a_data_attribute(staff_client):
    _paired_primary()
    html = staff_client.get("/management/failover/").content.decode()
    assert 'data-confirm="Break the failover relationship?' in html
    assert "failover/console.js" in html


@pytest.mark.parametrize("path", [*PAGES, "/api/v1/failover", "/-/alive"])
def test_pages_and_the_api_are_never_stored(staff_client, path):
    assert "no-store" in staff_client.get(path)["Cache-Control"]


def test_static_files_keep_their_own_caching(client):
    response = client.get("/static/failover/console.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def _cookies_of(*responses) -> str:
    return "\n".join(str(morsel) for response in responses for morsel in response.cookies.values())


def test_a_generated_key_never_travels_in_a_cookie(staff_client):
    posted = staff_client.post("/management/security/key/generate")
    shown = staff_client.get("/management/security/")
    key = InterSiteKey.current()
    assert key in shown.content.decode()
    assert key not in _cookies_of(posted, shown)
    assert "messages" not in staff_client.cookies


def test_a_new_api_token_never_travels_in_a_cookie(staff_client):
    posted = staff_client.post("/management/security/tokens", {"name": "monitoring"})
    shown = staff_client.get("/management/security/")
    html = shown.content.decode()
    plain = html[html.index("fo_") :].split()[0]
    assert ApiToken.authenticate(plain)
    assert plain not in _cookies_of(posted, shown)


def test_the_webhook_secret_never_travels_in_a_cookie(staff_client):
    posted = staff_client.post(
        "/management/notifications/save",
        {
            "emails": "ops@example.com",
            "webhook_url": "https://hooks.example/x",
            "topics": ["sync_failed"],
        },
    )
    shown = staff_client.get("/management/notifications/")
    secret = NotificationSettings.load().webhook_secret
    assert secret and secret in shown.content.decode()
    assert secret not in _cookies_of(posted, shown)

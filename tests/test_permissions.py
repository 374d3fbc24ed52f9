"""Look or change: staff may look at every page and read the API; every
change needs a superuser or the failover.manage_failover permission."""

import pytest
from django.urls import URLPattern, reverse

from failover.access import CHANGE_REFUSED
from failover.models import ApiToken, BackupSettings, InterSiteKey, StatusEvent
from failover.urls import urlpatterns

# POSTs anyone signed in may make: they change no part of the pair.
NOT_CHANGES = {"login", "logout"}
# Each page, and whether it holds forms that change something.
PAGES = {"software": False, "failover": True, "notifications": True, "security": True}


def _post_urls() -> list[str]:
    urls = []
    for pattern in urlpatterns:
        assert isinstance(pattern, URLPattern)
        if pattern.name in NOT_CHANGES:
            continue
        urls.append(reverse(pattern.name, kwargs=dict.fromkeys(pattern.pattern.converters, 1)))
    return urls


def _state() -> tuple:
    return (
        StatusEvent.objects.count(),
        ApiToken.objects.count(),
        BackupSettings.load().primary_timeout,
        InterSiteKey.current(),
    )


@pytest.mark.parametrize("url", _post_urls())
def test_a_viewer_changes_nothing_anywhere(viewer_client, url):
    before = _state()
    response = viewer_client.post(
        url,
        {"primary_timeout": "30", "key": "k" * 40, "name": "t", "address": "192.0.2.9/24"},
    )
    if url.startswith("/api/"):
        # Read-only API endpoints refuse POST as a wrong method.
        assert response.status_code in (403, 405)
        if response.status_code == 403:
            assert response.json() == {"error": CHANGE_REFUSED}
    elif response.status_code != 405:
        assert response.status_code == 403
        assert CHANGE_REFUSED in response.content.decode()
    assert _state() == before


@pytest.mark.parametrize("page,has_forms", PAGES.items())
def test_a_viewer_sees_every_page_with_its_controls_disabled(viewer_client, page, has_forms):
    response = viewer_client.get(reverse(page))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="look-only"' in body and CHANGE_REFUSED in body
    forms = body.count('<fieldset class="controls"')
    assert forms == body.count(f'<fieldset class="controls" disabled title="{CHANGE_REFUSED}"')
    assert bool(forms) == has_forms


def test_the_failover_actions_say_why_they_are_disabled(viewer_client, primary_here):
    body = viewer_client.get(reverse("failover")).content.decode()
    assert body.count(f'<p class="reason">{CHANGE_REFUSED}</p>') >= 3


def test_a_viewer_reads_the_api(client, viewer_user):
    _, plain = ApiToken.issue(viewer_user, "monitoring")
    headers = {"Authorization": f"Bearer {plain}"}
    assert client.get("/api/v1/failover", headers=headers).status_code == 200
    refused = client.post("/api/v1/failover/break", headers=headers)
    assert refused.status_code == 403
    assert refused.json()["error"] == CHANGE_REFUSED


def test_a_manager_and_a_superuser_may_change(client, staff_user, django_user_model):
    boss = django_user_model.objects.create_superuser("root", "root@example.com", "pw-123456789")
    for user in (staff_user, boss):
        client.force_login(user)
        page = client.get(reverse("failover")).content.decode()
        assert 'id="look-only"' not in page
        response = client.post(reverse("failover-settings"), {"primary_timeout": "3"})
        assert response.status_code in (302, 400)
        assert response.status_code != 403

import pytest

PAGES = [
    "/management/",
    "/management/failover/",
    "/management/failover/history",
    "/management/security/",
    "/management/notifications/",
]
POSTS = [
    "/management/failover/settings",
    "/management/failover/shared-ips",
    "/management/failover/shared-ips/add",
    "/management/failover/shared-ips/remove",
    "/management/failover/pair",
    "/management/failover/break",
    "/management/failover/sync-now",
    "/management/security/key",
    "/management/security/key/generate",
    "/management/security/tokens",
    "/management/notifications/save",
    "/management/notifications/secret",
    "/management/notifications/test",
    "/management/failover/become",
    "/management/failover/fix-conflict",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES + POSTS)
def test_anonymous_users_go_to_login(client, url):
    response = client.post(url) if url in POSTS else client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(f"/login?next={url}")


@pytest.mark.parametrize("url", PAGES + POSTS)
def test_non_staff_users_are_refused(plain_client, url):
    response = plain_client.post(url) if url in POSTS else plain_client.get(url)
    assert response.status_code == 403


@pytest.mark.parametrize("url", POSTS)
def test_actions_refuse_get(staff_client, url):
    assert staff_client.get(url).status_code == 405


@pytest.mark.parametrize("url", PAGES)
def test_pages_refuse_post(staff_client, url):
    assert staff_client.post(url).status_code == 405


@pytest.mark.django_db
def test_root_redirects_to_management(client):
    assert client.get("/")["Location"] == "/management/"

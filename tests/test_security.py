from failover.models import ApiToken, InterSiteKey, StatusEvent

KEY = "k" * 20 + "0123456789abcdef"


def test_it_shows_the_key_masked(staff_client):
    InterSiteKey.objects.create(pk=1, key=KEY)
    html = staff_client.get("/management/security/").content.decode()
    assert KEY not in html
    assert InterSiteKey.masked(KEY) in html


def test_it_saves_a_key(staff_client):
    response = staff_client.post("/management/security/key", {"key": KEY})
    assert response.status_code == 302
    assert InterSiteKey.current() == KEY
    assert StatusEvent.objects.get().actor == "alice"


def test_it_refuses_a_short_key(staff_client):
    response = staff_client.post("/management/security/key", {"key": "short"})
    assert response.status_code == 400
    assert "at least 32 characters" in response.content.decode()
    assert InterSiteKey.current() == ""
    assert not StatusEvent.objects.exists()


def test_it_refuses_a_key_with_spaces(staff_client):
    response = staff_client.post("/management/security/key", {"key": "a b" * 20})
    assert response.status_code == 400
    assert InterSiteKey.current() == ""


def test_generate_shows_the_new_key_once(staff_client):
    response = staff_client.post("/management/security/key/generate", follow=True)
    key = InterSiteKey.current()
    assert len(key) >= 32
    assert key in response.content.decode()
    assert key not in staff_client.get("/management/security/").content.decode()


def test_the_environment_overrides_the_stored_key(staff_client, settings):
    settings.FAILOVER_INTER_SITE_KEY = "e" * 40
    InterSiteKey.objects.create(pk=1, key=KEY)
    assert InterSiteKey.current() == "e" * 40
    html = staff_client.get("/management/security/").content.decode()
    assert "FAILOVER_INTER_SITE_KEY" in html


def test_it_creates_an_api_token_and_shows_it_once(staff_client, staff_user):
    response = staff_client.post("/management/security/tokens", {"name": "monitoring"}, follow=True)
    token = ApiToken.objects.get()
    html = response.content.decode()
    plain = html[html.index("fo_") :].split()[0]
    assert ApiToken.authenticate(plain) == staff_user
    assert plain not in staff_client.get("/management/security/").content.decode()
    assert token.digest not in html


def test_it_deletes_only_own_tokens(staff_client, staff_user, plain_user):
    mine, _ = ApiToken.issue(staff_user, "mine")
    theirs, _ = ApiToken.issue(plain_user, "theirs")
    staff_client.post(f"/management/security/tokens/{theirs.pk}/delete")
    staff_client.post(f"/management/security/tokens/{mine.pk}/delete")
    assert list(ApiToken.objects.all()) == [theirs]

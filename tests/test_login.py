import pytest
from django.test import override_settings


@pytest.fixture(autouse=True)
def _fresh_axes(db):
    from axes.models import AccessAttempt

    AccessAttempt.objects.all().delete()


def test_it_shows_the_sign_in_form(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert b'name="username"' in response.content
    assert b'name="password"' in response.content


def test_it_signs_in_and_goes_to_management(client, staff_user):
    response = client.post("/login", {"username": "alice", "password": "correct-horse-battery"})
    assert response.status_code == 302
    assert response["Location"] == "/management/"
    assert client.get("/management/").status_code == 200


def test_it_follows_next(client, staff_user):
    response = client.post(
        "/login?next=/management/failover/",
        {"username": "alice", "password": "correct-horse-battery", "next": "/management/failover/"},
    )
    assert response["Location"] == "/management/failover/"


def test_it_rejects_wrong_password_with_a_clear_message(client, staff_user):
    response = client.post("/login", {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert b"Wrong user name or password." in response.content
    assert "_auth_user_id" not in client.session


@override_settings(AXES_FAILURE_LIMIT=3)
def test_it_throttles_repeated_failures(client, staff_user):
    for _ in range(3):
        client.post("/login", {"username": "alice", "password": "nope"})
    response = client.post("/login", {"username": "alice", "password": "correct-horse-battery"})
    assert response.status_code == 429
    assert b"Too many failed sign-in attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_sign_out_requires_post(staff_client):
    assert staff_client.get("/logout").status_code == 405
    response = staff_client.post("/logout")
    assert response.status_code == 302
    assert response["Location"] == "/login"
    assert staff_client.get("/management/").status_code == 302

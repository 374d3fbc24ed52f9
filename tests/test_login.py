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


@override_settings(SIGN_IN_FAILURES_PER_USER=4)
def test_a_user_name_tried_from_many_addresses_is_locked_out(client, staff_user):
    for number in range(4):
        client.post(
            "/login", {"username": "alice", "password": "nope"}, REMOTE_ADDR=f"198.51.100.{number}"
        )
    response = client.post(
        "/login",
        {"username": "alice", "password": "correct-horse-battery"},
        REMOTE_ADDR="198.51.100.99",
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


@override_settings(SIGN_IN_FAILURES_PER_ADDRESS=4)
def test_an_address_spraying_user_names_is_locked_out(client, staff_user):
    for number in range(4):
        client.post("/login", {"username": f"user{number}", "password": "nope"})
    response = client.post("/login", {"username": "alice", "password": "correct-horse-battery"})
    assert response.status_code == 429


@override_settings(TRUSTED_PROXY_COUNT=1, AXES_FAILURE_LIMIT=2)
def test_behind_a_proxy_the_lock_follows_the_forwarded_client(client, staff_user):
    """Everyone comes from the proxy's address: a stranger's failures must not
    lock the administrator out, and a forged left-hand entry changes nothing."""
    stranger = {"HTTP_X_FORWARDED_FOR": "10.9.9.9, 203.0.113.7", "REMOTE_ADDR": "192.0.2.1"}
    for _ in range(2):
        client.post("/login", {"username": "alice", "password": "nope"}, **stranger)
    assert (
        client.post("/login", {"username": "alice", "password": "x"}, **stranger).status_code == 429
    )
    admin = {"HTTP_X_FORWARDED_FOR": "203.0.113.50", "REMOTE_ADDR": "192.0.2.1"}
    response = client.post(
        "/login", {"username": "alice", "password": "correct-horse-battery"}, **admin
    )
    assert response.status_code == 302

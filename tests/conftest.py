import os
import shutil
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from failover_site import embedded_redis

pytest_plugins = [
    "tests.fixtures.browser",
    "tests.fixtures.fake_peer",
    "tests.fixtures.scripted_server",
    "tests.fixtures.sites",
    "tests.fixtures.webhooks",
]


REQUIRED = set(filter(None, os.environ.get("FAILOVER_TEST_REQUIRE", "").split(",")))


def require(name: str, available: bool, how: str) -> None:
    """Skip when ``name`` is missing, unless CI requires it: then fail."""
    if available:
        return
    if name in REQUIRED:
        pytest.fail(f"{name} is required (FAILOVER_TEST_REQUIRE) but missing: {how}")
    pytest.skip(f"{name} is not available: {how}")


def chromium_path() -> str | None:
    return shutil.which("chromium")


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """Hashing passwords the production way costs a quarter second each; the
    tests sign in and create users by the hundred. (Sites the harness starts
    keep their real settings.)"""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def _embedded_redis():
    """Without a Redis server of its own (make test found none), the test
    process uses the embedded Redis, as a site would: started here, once."""
    socket = settings.FAILOVER_EMBEDDED_REDIS
    if socket is None or embedded_redis.answers(socket):
        yield
        return
    server = subprocess.Popen(
        [sys.executable, "-m", "failover_site.embedded_redis"], stdout=subprocess.DEVNULL
    )
    try:
        embedded_redis.wait_until_answers(socket, 30, alive=lambda: server.poll() is None)
        yield
    finally:
        server.terminate()
        server.wait(10)


@pytest.fixture
def staff_user(db):
    """Staff who may change the pair (the failover.manage_failover permission)."""
    user = get_user_model().objects.create_user(
        "alice", "alice@example.com", "correct-horse-battery", is_staff=True
    )
    user.user_permissions.add(Permission.objects.get(codename="manage_failover"))
    return user


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def viewer_user(db):
    """Staff who may look but not change."""
    return get_user_model().objects.create_user(
        "victor", "victor@example.com", "viewer-password-123", is_staff=True
    )


@pytest.fixture
def viewer_client(client, viewer_user):
    client.force_login(viewer_user)
    return client


@pytest.fixture
def plain_user(db):
    return get_user_model().objects.create_user("bob", "bob@example.com", "bob-password-123")


@pytest.fixture
def plain_client(client, plain_user):
    client.force_login(plain_user)
    return client


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Expose each phase's report on the test item, so fixtures know whether
    the test failed (the harness then prints the sites' logs)."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def refusal_counts():
    """Refused peer requests are counted in the (shared) cache: start from none."""
    from django.core.cache import cache

    from failover.peer import refusals

    cache.delete_many(
        [f"failover:refused:{c}" for c in refusals.CAUSES]
        + [f"failover:refused-event:{c}" for c in refusals.CAUSES]
    )
    return refusals.counts

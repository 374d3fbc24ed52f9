"""A primary whose worker restarts waits to confirm its role before its
failover IPs come up, against the fake peer and a fake kernel."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from failover import signals
from failover.domain.roles import Role
from failover.models import BackupSettings, PeerStatus, SharedIP, SiteState, StatusEvent
from failover.services import confirmation
from failover.services.health import check_peer

ADDRESS = "192.0.2.10"


class FakeKernel:
    """A backend over a set of addresses, recording every change it makes."""

    name = "fake"

    def __init__(self):
        self.held: set[str] = set()
        self.changes: list[str] = []
        self.announced: list[str] = []

    def holds(self, ip) -> bool:
        return ip.address in self.held

    def up(self, ip) -> bool:
        if ip.address in self.held:
            return False
        self.held.add(ip.address)
        self.changes.append(f"add {ip.address}")
        return True

    def down(self, ip) -> bool:
        if ip.address not in self.held:
            return False
        self.held.discard(ip.address)
        self.changes.append(f"del {ip.address}")
        return True

    def announce(self, ip) -> None:
        self.announced.append(ip.address)


@pytest.fixture
def kernel():
    fake = FakeKernel()
    with mock.patch("failover.netif.reconcile.backend", return_value=fake):
        yield fake


@pytest.fixture
def restarted(primary_here, kernel):
    """The primary holds its failover IP, then its worker restarts."""
    SharedIP.objects.create(address=ADDRESS, prefix=24, interface="eth0", is_failover=True)
    kernel.held.add(ADDRESS)
    SharedIP.objects.update(state=SharedIP.State.UP)
    with mock.patch.object(signals, "check_peer", lambda: check_peer(peer=primary_here)):
        yield lambda: signals.settle_after_a_restart()


def kinds() -> list[str]:
    return list(StatusEvent.objects.order_by("id").values_list("kind", flat=True))


def state() -> str:
    return SharedIP.objects.get().state


def test_a_peer_that_answers_backup_confirms_the_role_and_the_address_stays(
    restarted, primary_here, kernel
):
    restarted()
    assert not SiteState.load().confirming
    assert kernel.held == {ADDRESS} and kernel.changes == []
    assert state() == "up"
    assert kinds() == ["confirming_primary", "primary_confirmed"]
    assert "the peer is backup at epoch 1" in StatusEvent.objects.last().message


def test_an_unreachable_peer_keeps_the_address_down_until_it_answers(
    restarted, primary_here, kernel
):
    primary_here.down()
    restarted()
    site = SiteState.load()
    assert site.role == Role.PRIMARY and site.confirming
    assert kernel.held == set() and state() == "down"
    check_peer(peer=primary_here)
    assert kernel.held == set()

    primary_here.up()
    check_peer(peer=primary_here)
    assert not SiteState.load().confirming
    assert kernel.held == {ADDRESS} and state() == "up"
    assert kernel.announced == [ADDRESS]
    assert kinds() == [
        "confirming_primary",
        "peer_unreachable",
        "shared_ip_changed",
        "peer_reachable",
        "shared_ip_changed",
        "primary_confirmed",
    ]


def test_a_peer_that_took_over_demotes_this_site_and_nothing_is_removed_twice(
    restarted, primary_here, kernel
):
    primary_here.epoch = 2
    primary_here.role = Role.PRIMARY
    restarted()
    site = SiteState.load()
    assert (site.role, site.epoch, site.confirming_since) == (Role.BACKUP, 2, None)
    assert kernel.changes == [f"del {ADDRESS}"]
    assert kernel.announced == []
    assert "shared_ip_failed" not in kinds()


def test_a_restart_without_the_address_brings_nothing_up_while_the_peer_is_silent(
    restarted, primary_here, kernel
):
    kernel.held.clear()  # as after a reboot
    primary_here.down()
    restarted()
    assert kernel.changes == [] and kernel.announced == []
    assert state() == "down"


def test_a_peer_silent_for_the_timeout_since_the_restart_gives_the_role_back(
    restarted, primary_here, kernel
):
    BackupSettings.objects.update_or_create(pk=1, defaults={"primary_timeout": 3})
    primary_here.down()
    restarted()
    outcome = check_peer(peer=primary_here)
    assert outcome.recheck_in == pytest.approx(3, abs=0.5)
    long_ago = timezone.now() - timedelta(seconds=4)
    SiteState.objects.update(confirming_since=long_ago)
    PeerStatus.objects.update(unreachable_since=long_ago)
    check_peer(peer=primary_here)
    site = SiteState.load()
    assert (site.role, site.epoch, site.confirming_since) == (Role.PRIMARY, 2, None)
    assert kernel.held == {ADDRESS}
    failover = StatusEvent.objects.get(kind="failover")
    assert "no test IPs configured; took the primary role again" in failover.message


def test_the_backup_does_not_wait_to_confirm(backup_here, kernel):
    confirmation.begin()
    assert not kinds()
    assert SiteState.load().confirming_since is None


def test_the_page_says_it_is_waiting_to_confirm(staff_client, restarted, primary_here):
    primary_here.down()
    restarted()
    html = staff_client.get("/management/failover/").content.decode()
    assert "waiting to confirm the primary role" in html
    status = staff_client.get("/api/v1/failover").json()
    assert status["confirming_primary"] is True


def test_the_primary_announces_again_when_its_peer_comes_back(primary_here, kernel):
    SharedIP.objects.create(address=ADDRESS, prefix=24, interface="eth0", is_failover=True)
    check_peer(peer=primary_here)
    assert kernel.announced == []
    primary_here.down()
    check_peer(peer=primary_here)
    primary_here.up()
    with mock.patch("failover.services.health.announce") as announce:
        check_peer(peer=primary_here)
    announce.assert_called_once_with(now=True)


@pytest.mark.parametrize(
    "came_up,announced,again",
    [(2, 1.5, True), (2, 0.5, False), (60, 31, True), (60, 10, False)],
)
def test_the_checks_announce_what_is_due_even_with_the_peer_gone(
    primary_here, kernel, came_up, announced, again
):
    SharedIP.objects.create(address=ADDRESS, prefix=24, interface="eth0", is_failover=True)
    kernel.held.add(ADDRESS)
    now = timezone.now()
    SharedIP.objects.update(
        state=SharedIP.State.UP,
        came_up_at=now - timedelta(seconds=came_up),
        announced_at=now - timedelta(seconds=announced),
    )
    primary_here.down()
    check_peer(peer=primary_here)
    assert kernel.announced == ([ADDRESS] if again else [])

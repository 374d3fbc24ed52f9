"""The witness on the pair's sites, against fake peers (one the peer, one
the witness): the backup fails over only with its grant, a primary cut off
from both steps down and comes back, and without a witness nothing changes."""

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from failover.domain.failover_decision import Action
from failover.domain.roles import Role
from failover.errors import Refused
from failover.models import (
    BackupSettings,
    PeerStatus,
    SharedIP,
    SiteState,
    StatusEvent,
    WitnessLink,
)
from failover.services import roles, witness_checks
from failover.services.health import check_peer
from failover.shapes import site_status
from tests.fixtures.fake_peer import FakePeer

TIMEOUT = 3


@pytest.fixture
def witness(db):
    """A third site, standalone, as this site's witness."""
    fake = FakePeer()
    fake.hostname, fake.host = "site-c", "192.0.2.3"
    WitnessLink.configure(fake.host, fake.port, fake.site_id, fake.hostname)
    BackupSettings.objects.update_or_create(
        pk=1, defaults={"primary_timeout": TIMEOUT, "test_ips": ["192.0.2.200"]}
    )
    return fake


@pytest.fixture
def no_probes():
    """With a witness the test IPs are never probed."""
    with mock.patch("failover.services.autofailover.probe_all", side_effect=AssertionError):
        yield


def kinds() -> list[str]:
    return list(StatusEvent.objects.order_by("id").values_list("kind", flat=True))


def primary_silent_for(seconds: float) -> None:
    PeerStatus.objects.update(unreachable_since=timezone.now() - timedelta(seconds=seconds))


# The backup -------------------------------------------------------------


def test_the_backup_fails_over_with_the_witness_grant(backup_here, witness, no_probes):
    backup_here.down()
    check_peer(peer=backup_here, witness=witness)
    assert SiteState.load().role == Role.BACKUP and witness.granted_epoch == 0
    primary_silent_for(TIMEOUT + 1)
    check_peer(peer=backup_here, witness=witness)
    site = SiteState.load()
    assert (site.role, site.epoch) == (Role.PRIMARY, 2)
    assert witness.granted_epoch == 2
    [event] = StatusEvent.objects.filter(kind="failover")
    assert "the witness granted epoch 2; became primary" in event.message


def test_a_refusing_witness_keeps_the_backup_a_backup_and_says_so_once(
    backup_here, witness, no_probes
):
    witness.grant_refusal = "it heard from site-a 0.5 s ago"
    backup_here.down()
    check_peer(peer=backup_here, witness=witness)
    primary_silent_for(TIMEOUT + 1)
    for _ in range(3):
        check_peer(peer=backup_here, witness=witness)
    assert SiteState.load().role == Role.BACKUP
    [event] = StatusEvent.objects.filter(kind="witness_refused")
    assert event.message.endswith(
        "not failing over: the witness refused: it heard from site-a 0.5 s ago"
    )
    assert witness.endpoints_called().count("witness/grant") == 3


def test_an_epoch_the_witness_granted_before_is_not_asked_again(backup_here, witness):
    WitnessLink.objects.update(granted_epoch=4)
    backup_here.down()
    check_peer(peer=backup_here, witness=witness)
    primary_silent_for(TIMEOUT + 1)
    check_peer(peer=backup_here, witness=witness)
    site = SiteState.load()
    assert (site.role, site.epoch) == (Role.PRIMARY, 5)
    [grant] = [p for _, e, p in witness.calls if e == "witness/grant"]
    assert grant["requested_epoch"] == 5


def test_a_refusal_for_an_epoch_granted_before_asks_above_it_next(backup_here, witness):
    witness.granted_epoch = 3
    backup_here.down()
    check_peer(peer=backup_here, witness=witness)
    primary_silent_for(TIMEOUT + 1)
    check_peer(peer=backup_here, witness=witness)
    assert SiteState.load().role == Role.BACKUP
    check_peer(peer=backup_here, witness=witness)
    site = SiteState.load()
    assert (site.role, site.epoch) == (Role.PRIMARY, 4)
    asked = [p["requested_epoch"] for _, e, p in witness.calls if e == "witness/grant"]
    assert asked == [2, 4]


def test_an_unreachable_witness_keeps_the_backup_a_backup(backup_here, witness, no_probes):
    witness.down()
    backup_here.down()
    check_peer(peer=backup_here, witness=witness)
    primary_silent_for(TIMEOUT + 1)
    check_peer(peer=backup_here, witness=witness)
    assert SiteState.load().role == Role.BACKUP
    [event] = StatusEvent.objects.filter(kind="witness_refused")
    assert "the witness could not be asked: Cannot reach 192.0.2.3:8443" in event.message


def test_the_backup_does_not_ask_before_the_timeout(backup_here, witness, no_probes):
    backup_here.down()
    outcome = check_peer(peer=backup_here, witness=witness)
    assert outcome.recheck_in == pytest.approx(TIMEOUT, abs=0.5)
    assert "witness/grant" not in witness.endpoints_called()


# The witness check --------------------------------------------------------


def test_the_witness_check_reports_reachability_changes_only(primary_here, witness):
    for _ in range(2):
        witness_checks.check_witness(witness=witness)
    assert WitnessLink.load().reachable is True
    witness.down()
    for _ in range(2):
        witness_checks.check_witness(witness=witness)
    link = WitnessLink.load()
    assert link.reachable is False and "Cannot reach" in link.last_error
    witness.up()
    witness_checks.check_witness(witness=witness)
    assert kinds() == ["witness_unreachable", "witness_reachable"]
    [heartbeat, *_] = [p for _, e, p in witness.calls if e == "witness/heartbeat"]
    assert heartbeat["role"] == "primary" and heartbeat["timeout"] == TIMEOUT


def test_without_a_witness_nothing_is_checked(primary_here):
    assert witness_checks.check_witness().summary == "no witness to check"
    assert site_status()["witness"] is None
    assert site_status()["stepped_down"] is False


def test_the_status_shows_the_witness(primary_here, witness):
    witness_checks.check_witness(witness=witness)
    shown = site_status()["witness"]
    assert shown["host"] == "192.0.2.3" and shown["port"] == 8443
    assert shown["reachable"] is True and shown["last_check"]


# The primary's step-down -----------------------------------------------------


@pytest.fixture
def holding(primary_here, witness):
    """The primary holds a failover IP and has heard from both."""
    SharedIP.objects.create(address="192.0.2.10", prefix=24, interface="eth0", is_failover=True)
    roles.reconcile()
    check_peer(peer=primary_here)
    witness_checks.check_witness(witness=witness)
    assert SharedIP.objects.get().state == SharedIP.State.UP
    return primary_here


def _silence_both(seconds: float) -> None:
    then = timezone.now() - timedelta(seconds=seconds)
    PeerStatus.objects.update(last_success_at=then)
    WitnessLink.objects.update(last_success_at=then, configured_at=then - timedelta(hours=1))
    SiteState.objects.update(role_changed_at=then - timedelta(hours=1))


def test_a_primary_cut_off_from_both_steps_down(holding, witness):
    holding.down()
    witness.down()
    check_peer(peer=holding)
    outcome = witness_checks.check_witness(witness=witness)
    assert not SiteState.load().confirming
    assert 0 < outcome.recheck_in <= TIMEOUT
    _silence_both(TIMEOUT + 0.5)
    witness_checks.check_witness(witness=witness)
    site = SiteState.load()
    assert site.role == Role.PRIMARY and site.confirming and site.stepped_down
    assert SharedIP.objects.get().state == SharedIP.State.DOWN
    [event] = StatusEvent.objects.filter(kind="stepped_down")
    assert event.message.startswith("stepped down: cut off from peer and witness")
    assert site_status()["stepped_down"] is True
    with pytest.raises(Refused, match="stepped down"):
        roles.require(roles.Action.SYNC_NOW)


def test_either_one_heard_within_the_timeout_keeps_the_primary(holding, witness):
    recently = timezone.now() - timedelta(seconds=1)
    _silence_both(TIMEOUT + 0.5)
    WitnessLink.objects.update(last_success_at=recently)
    assert witness_checks.watch_primary().action is Action.NOTHING
    _silence_both(TIMEOUT + 0.5)
    PeerStatus.objects.update(last_success_at=recently)
    assert witness_checks.watch_primary().action is Action.NOTHING
    assert SiteState.load().holds_failover_ips
    assert not StatusEvent.objects.filter(kind="stepped_down").exists()


def test_a_primary_whose_timeout_ran_out_steps_down_before_calling(holding, witness):
    """The witness may grant from that moment: the call can wait."""
    witness.on("witness/heartbeat", lambda payload: calls.append(SiteState.load().confirming))
    calls = []
    _silence_both(TIMEOUT + 0.5)
    witness_checks.check_witness(witness=witness)
    assert calls == [True]


@pytest.fixture
def stepped_down(holding, witness):
    holding.down()
    witness.down()
    _silence_both(TIMEOUT + 0.5)
    witness_checks.check_witness(witness=witness)
    assert SiteState.load().stepped_down
    return holding


def test_the_witness_answering_with_no_newer_epoch_gives_the_role_back(stepped_down, witness):
    witness.up()
    witness_checks.check_witness(witness=witness)
    site = SiteState.load()
    assert (site.role, site.epoch, site.confirming) == (Role.PRIMARY, 1, False)
    assert SharedIP.objects.get().state == SharedIP.State.UP
    confirmed = StatusEvent.objects.get(kind="primary_confirmed")
    assert "the witness answered and granted no epoch above 1" in confirmed.message


def test_the_witness_having_granted_a_newer_epoch_demotes_it(stepped_down, witness):
    witness.granted_epoch = 2
    witness.up()
    witness_checks.check_witness(witness=witness)
    site = SiteState.load()
    assert (site.role, site.epoch) == (Role.BACKUP, 2)
    assert SharedIP.objects.get().state == SharedIP.State.DOWN
    assert "the witness granted epoch 2 > 1" in StatusEvent.objects.get(kind="demoted").message


def test_the_peer_answering_as_backup_gives_the_role_back(stepped_down):
    stepped_down.up()
    check_peer(peer=stepped_down)
    site = SiteState.load()
    assert site.holds_failover_ips and not site.stepped_down
    assert SharedIP.objects.get().state == SharedIP.State.UP


def test_a_stepped_down_primary_does_not_take_its_role_again_on_test_ips(stepped_down, witness):
    PeerStatus.objects.update(unreachable_since=timezone.now() - timedelta(seconds=60))
    SiteState.objects.update(confirming_since=timezone.now() - timedelta(seconds=60))
    WitnessLink.objects.update(stepped_down_at=SiteState.load().confirming_since)
    with mock.patch("failover.services.confirmation.probe_all", side_effect=AssertionError):
        check_peer(peer=stepped_down)
    site = SiteState.load()
    assert (site.role, site.epoch, site.stepped_down) == (Role.PRIMARY, 1, True)

"""Adding and removing the witness: the service, the backup's side, the
command line and the status, against fake peers."""

from unittest import mock

import pytest

from failover.domain.roles import Role
from failover.errors import Refused
from failover.models import SiteState, StatusEvent, WitnessLink
from failover.peer.client import PeerUnreachable
from failover.services import witness_setup
from tests.fixtures.fake_peer import FakePeer
from tests.fixtures.processes import run_command

pytestmark = pytest.mark.django_db


@pytest.fixture
def third():
    fake = FakePeer()
    fake.hostname, fake.host = "site-c", "192.0.2.3"
    return fake


def add(peer, third, **options):
    return witness_setup.add_witness(
        "192.0.2.3", 8443, "admin", connect=third.connect, peer=peer, **options
    )


def test_the_primary_adds_the_witness_and_tells_the_backup(primary_here, third):
    message = add(primary_here, third)
    assert message == "Witness site-c at 192.0.2.3:8443 added; the backup uses it too."
    assert primary_here.witness_config == {"host": "192.0.2.3", "port": 8443}
    link = WitnessLink.load()
    assert (link.host, link.port, str(link.witness_site_id)) == ("192.0.2.3", 8443, third.site_id)
    [event] = StatusEvent.objects.filter(kind="witness_changed")
    assert event.actor == "admin"


def test_this_site_only_does_not_tell_the_backup(primary_here, third):
    assert add(primary_here, third, this_site_only=True).endswith("added on this site.")
    assert primary_here.witness_config is None
    assert WitnessLink.load().configured


def test_the_backup_adding_one_tells_nobody(backup_here, third):
    add(backup_here, third)
    assert backup_here.witness_config is None and WitnessLink.load().configured


@pytest.mark.parametrize(
    "script,reason",
    [
        (lambda third, peer: third.down(), "The witness cannot be used: Cannot reach"),
        (lambda third, peer: setattr(third, "role", Role.PRIMARY), "in a failover relationship"),
        (
            lambda third, peer: setattr(third, "site_id", str(SiteState.load().peer_site_id)),
            "must be a third site",
        ),
        (
            lambda third, peer: setattr(third, "site_id", str(SiteState.load().site_id)),
            "must be a third site",
        ),
        (
            lambda third, peer: peer.fail("witness/configure", PeerUnreachable("gone")),
            "The backup could not take the witness: gone",
        ),
    ],
)
def test_a_witness_that_cannot_serve_is_refused_and_nothing_changes(
    primary_here, third, script, reason
):
    script(third, primary_here)
    with pytest.raises(Refused, match=reason):
        add(primary_here, third)
    assert not WitnessLink.load().configured
    assert not StatusEvent.objects.exists()


def test_a_standalone_site_has_no_witness(db, third, fake_peer):
    with pytest.raises(Refused, match="in no failover relationship"):
        add(fake_peer, third)
    assert not third.calls


def test_removing_tells_the_backup(primary_here, third):
    add(primary_here, third)
    message = witness_setup.remove_witness("admin", peer=primary_here)
    assert message == "Witness site-c removed; the backup no longer uses it either."
    assert primary_here.witness_config == {"host": None}
    assert not WitnessLink.load().configured


def test_removing_with_the_backup_down_removes_here_and_says_so(primary_here, third):
    add(primary_here, third)
    primary_here.down()
    assert "could not be told" in witness_setup.remove_witness("admin", peer=primary_here)
    assert not WitnessLink.load().configured


def test_removing_none_is_refused(primary_here):
    with pytest.raises(Refused, match="no witness"):
        witness_setup.remove_witness("admin", peer=primary_here)


def test_the_backup_takes_the_primarys_witness(backup_here, third):
    answer = witness_setup.accept_configure(
        {"host": "192.0.2.3", "port": 8443}, "site-a", connect=third.connect
    )
    assert answer == {"witness": {"host": "192.0.2.3", "port": 8443}}
    assert WitnessLink.load().hostname == "site-c"
    assert StatusEvent.objects.get().actor == "peer site-a"
    witness_setup.accept_configure({"host": None}, "site-a")
    assert not WitnessLink.load().configured


@pytest.mark.parametrize(
    "payload", [None, [], {}, {"host": "bad host!", "port": 1}, {"host": "h", "port": 0}]
)
def test_the_backup_refuses_a_bad_configuration(backup_here, third, payload):
    with pytest.raises(Refused):
        witness_setup.accept_configure(payload, "site-a", connect=third.connect)
    assert not WitnessLink.load().configured


# The command line -----------------------------------------------------------


@pytest.mark.parametrize(
    "args,reason",
    [
        (["--host", "bad host!", "--port", "443"], "--host"),
        (["--host", "192.0.2.3", "--port", "0"], "--port"),
        (["--host", "192.0.2.3", "--port", "x"], "--port"),
    ],
)
def test_the_command_refuses_bad_input(primary_here, args, reason):
    done = run_command("failover", "witness", "add", *args)
    assert done.returncode != 0 and reason in done.stderr
    assert not WitnessLink.load().configured


def test_the_command_adds_and_removes(primary_here, third):
    with mock.patch.object(witness_setup, "PeerClient") as client:
        client.side_effect = third.connect
        client.for_peer.return_value = primary_here
        done = run_command("failover", "witness", "add", "--host", "192.0.2.3", "--port", "8443")
        assert done.returncode == 0, done.stderr
        assert "Witness site-c at 192.0.2.3:8443 added" in done.stdout
        done = run_command("failover", "witness", "remove", "--this-site-only")
    assert done.returncode == 0 and "removed" in done.stdout
    assert primary_here.witness_config == {"host": "192.0.2.3", "port": 8443}


def test_the_status_api_has_the_witness_key(staff_client, primary_here, third):
    assert staff_client.get("/api/v1/failover").json()["witness"] is None
    add(primary_here, third)
    witness = staff_client.get("/api/v1/failover").json()["witness"]
    assert witness == {"host": "192.0.2.3", "port": 8443, "reachable": None, "last_check": None}


# Monitoring -------------------------------------------------------------------


def test_an_unreachable_witness_is_a_health_problem_and_a_metric(staff_client, primary_here, third):
    add(primary_here, third)
    text = staff_client.get("/metrics").content.decode()
    assert "failover_witness_reachable 0.0" in text
    WitnessLink.objects.update(reachable=False)
    response = staff_client.get("/api/v1/health")
    assert "the witness is unreachable" in response.json()["problems"]
    WitnessLink.objects.update(reachable=True)
    assert "failover_witness_reachable 1.0" in staff_client.get("/metrics").content.decode()
    problems = staff_client.get("/api/v1/health").json()["problems"]
    assert "the witness is unreachable" not in problems


def test_without_a_witness_the_metric_is_not_a_number(staff_client, primary_here):
    assert "failover_witness_reachable NaN" in staff_client.get("/metrics").content.decode()


def test_the_status_summary_names_the_witness(primary_here, third):
    add(primary_here, third)
    done = run_command("failover", "status")
    assert "Witness:     192.0.2.3:8443, not checked yet (last check never)" in done.stdout

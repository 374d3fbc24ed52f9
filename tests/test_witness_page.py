"""The Failover page's Witness section, its forms and its warnings."""

import uuid
from unittest import mock

import pytest
from django.utils import timezone

from failover.models import SiteState, StatusEvent, WitnessedPair, WitnessLink
from failover.services import witness_setup
from tests.fixtures.fake_peer import FakePeer

PAGE = "/management/failover/"
ADD = "/management/failover/witness/add"
REMOVE = "/management/failover/witness/remove"
LIVE = {"HX-Request": "true", "HX-Target": "failover-live"}


@pytest.fixture
def third():
    fake = FakePeer()
    fake.hostname, fake.host = "site-c", "192.0.2.3"
    return fake


@pytest.fixture
def reachable(primary_here, third):
    """The witness answers at the address given; the backup is the fake peer."""
    with mock.patch.object(witness_setup, "PeerClient") as client:
        client.side_effect = third.connect
        client.for_peer.return_value = primary_here
        yield third


def test_the_primary_shows_the_witness_form(staff_client, primary_here):
    html = staff_client.get(PAGE).content.decode()
    assert 'id="witness"' in html and "Add witness" in html
    assert "TLS port of the witness" in html


def test_adding_a_witness_shows_its_host_port_and_status(staff_client, reachable):
    response = staff_client.post(ADD, {"host": "192.0.2.3", "port": "8443"})
    assert response.status_code == 302
    assert reachable.endpoints_called() == ["status"]
    html = staff_client.get(PAGE).content.decode()
    section = html[html.index('id="witness"') :]
    assert "site-c" in section and "192.0.2.3" in section and "8443" in section
    assert "not checked yet" in section and "Remove witness" in section


@pytest.mark.parametrize(
    "data,error",
    [
        ({"host": "", "port": "443"}, "This field is required."),
        ({"host": "bad host!", "port": "443"}, "neither a valid host name"),
        ({"host": "192.0.2.3", "port": "70000"}, "Port must be from 1 to 65535"),
    ],
)
def test_bad_input_is_refused_next_to_the_field(staff_client, primary_here, data, error):
    response = staff_client.post(ADD, data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not WitnessLink.load().configured


def test_a_witness_that_cannot_serve_is_refused_with_the_reason(staff_client, reachable):
    reachable.down()
    response = staff_client.post(ADD, {"host": "192.0.2.3", "port": "8443"})
    assert response.status_code == 502
    assert "The witness cannot be used" in response.content.decode()
    assert not WitnessLink.load().configured


def test_removing_the_witness(staff_client, reachable):
    staff_client.post(ADD, {"host": "192.0.2.3", "port": "8443"})
    assert staff_client.post(REMOVE).status_code == 302
    assert not WitnessLink.load().configured
    assert StatusEvent.objects.filter(kind="witness_changed").count() == 2


def test_only_managers_change_it(viewer_client, primary_here):
    assert viewer_client.post(ADD, {"host": "192.0.2.3", "port": "8443"}).status_code == 403
    assert viewer_client.post(REMOVE).status_code == 403


def test_only_by_post(staff_client, primary_here):
    assert staff_client.get(ADD).status_code == 405
    assert staff_client.get(REMOVE).status_code == 405


def test_an_unreachable_witness_is_a_warning(staff_client, primary_here):
    WitnessLink.configure("192.0.2.3", 8443, uuid.uuid4(), "site-c")
    WitnessLink.objects.update(reachable=False, last_error="connection timed out")
    html = " ".join(staff_client.get(PAGE, headers=LIVE).content.decode().split())
    assert "The witness site-c is unreachable" in html


def test_a_stepped_down_primary_says_so(staff_client, primary_here):
    WitnessLink.configure("192.0.2.3", 8443, uuid.uuid4(), "site-c")
    at = SiteState.load().step_down()
    WitnessLink.objects.update(stepped_down_at=at)
    html = " ".join(staff_client.get(PAGE, headers=LIVE).content.decode().split())
    assert "Stepped down: cut off from the peer and the witness" in html
    assert "Restarted as primary" not in html
    assert "primary-only work is refused" in html


def test_a_standalone_witness_shows_the_pair_it_watches(staff_client):
    pair = WitnessedPair.objects.create(
        relationship_id=uuid.uuid4(), granted_epoch=3, granted_to="site-b"
    )
    for name, role in (("site-a", "backup"), ("site-b", "primary")):
        pair.sites.create(
            site_id=uuid.uuid4(),
            hostname=name,
            role=role,
            epoch=3,
            timeout=3,
            last_contact_at=timezone.now(),
        )
    html = staff_client.get(PAGE).content.decode()
    assert "Witness for site-a and site-b" in html
    assert "Highest epoch granted: 3, to site-b" in html

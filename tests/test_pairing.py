"""Pairing against the fake peer, from both sides: the future primary offering
and the future backup accepting, and every way it fails leaving this site as
it was."""

import uuid

import pytest

from failover import __version__
from failover.domain.roles import Role
from failover.errors import Refused
from failover.models import PeerStatus, SiteState, StatusEvent
from failover.peer.client import PeerAnswerInvalid, PeerRefused, PeerTLSError
from failover.services import pairing

pytestmark = pytest.mark.django_db
FORM = {
    "backup_host": "192.0.2.2",
    "backup_port": 8443,
    "reverse_host": "192.0.2.1",
    "reverse_port": 8443,
}


def pair(peer):
    return pairing.pair_with_backup(**FORM, actor="alice", connect=peer.connect)


def test_pairing_makes_this_site_primary_and_the_peer_backup(fake_peer):
    message = pair(fake_peer)
    site = SiteState.load()
    assert (site.role, site.epoch) == (Role.PRIMARY, 1)
    assert (fake_peer.role, fake_peer.epoch) == (Role.BACKUP, 1)
    assert str(site.relationship_id) == fake_peer.relationship_id
    assert (site.peer_host, site.peer_port) == ("192.0.2.2", 8443)
    assert fake_peer.connected_to == [("192.0.2.2", 8443)] * 2  # then bound to its site id
    assert PeerStatus.load().hostname == "site-b"
    assert "this site is the primary and site-b" in message
    assert StatusEvent.objects.get(kind="paired").actor == "alice"


def test_the_epoch_is_above_both_sites_previous_ones(fake_peer):
    fake_peer.epoch = 7
    pair(fake_peer)
    assert SiteState.load().epoch == 8


def _fails(peer, match: str, code: str, status: int = 409):
    with pytest.raises(Refused, match=match) as refused:
        pair(peer)
    assert (refused.value.code, refused.value.status) == (code, status)
    site = SiteState.load()
    assert (site.role, site.epoch, site.relationship_id) == (Role.NONE, 0, None)
    assert not StatusEvent.objects.exists()


def test_an_unreachable_backup(fake_peer):
    fake_peer.down()
    _fails(fake_peer, "The backup site is unreachable", "unreachable", 502)


def test_a_bad_certificate(fake_peer):
    fake_peer.fail("status", PeerTLSError("TLS failure talking to 192.0.2.2:8443: self-signed"))
    _fails(fake_peer, "Check the backup site's certificate", "tls", 502)


def test_a_different_key_refused_by_the_backup(fake_peer):
    fake_peer.fail("status", PeerRefused("bad signature", "bad_signature", 403))
    _fails(fake_peer, "do not have the same inter-site key", "key_mismatch")


def test_an_answer_not_signed_with_our_key(fake_peer):
    fake_peer.fail("status", PeerAnswerInvalid("The answer is not signed with our key."))
    _fails(fake_peer, "same inter-site key", "key_mismatch")


def test_a_backup_already_in_a_relationship(fake_peer):
    fake_peer.role = Role.BACKUP
    _fails(fake_peer, "already in a failover relationship", "already_paired")


def test_a_backup_running_another_version(fake_peer):
    fake_peer.version = "0.9.0"
    _fails(fake_peer, "Product version mismatch: this site runs", "version_mismatch")


def test_pairing_with_itself(fake_peer):
    fake_peer.site_id = str(SiteState.load().site_id)
    _fails(fake_peer, "cannot pair with itself", "self")


def test_a_backup_that_cannot_reach_us_back_is_told_to_withdraw(fake_peer):
    fake_peer.fail("pair", PeerRefused("cannot reach the primary back", "reverse_unreachable", 409))
    _fails(fake_peer, "cannot reach the primary back", "reverse_unreachable")
    assert fake_peer.endpoints_called()[-1] == "unpair"


def test_this_site_already_paired_refuses_at_once(primary_here):
    with pytest.raises(Refused, match="already in a failover relationship"):
        pair(primary_here)
    assert not primary_here.calls


# The future backup's side ------------------------------------------------


def offer(**changes) -> dict:
    return {
        "relationship_id": str(uuid.uuid4()),
        "epoch": 1,
        "version": __version__,
        "primary_hostname": "site-a",
        "reverse_host": "192.0.2.1",
        "reverse_port": 8443,
        "backup_host": "192.0.2.2",
        "backup_port": 8443,
        **changes,
    }


def test_the_backup_calls_the_primary_back_before_it_joins(fake_peer):
    fake_peer.hostname = "site-a"
    proposal = offer()
    report = pairing.accept_pairing(proposal, fake_peer.site_id, connect=fake_peer.connect)
    site = SiteState.load()
    assert report["role"] == "backup" and site.role == Role.BACKUP
    assert (site.peer_host, site.reverse_host) == ("192.0.2.1", "192.0.2.2")
    assert fake_peer.connected_to == [("192.0.2.1", 8443)]
    assert fake_peer.endpoints_called() == ["status"]
    # A retry of the same offer is answered, not refused.
    assert pairing.accept_pairing(proposal, fake_peer.site_id)["role"] == "backup"


@pytest.mark.parametrize(
    "changes,match",
    [
        ({"version": "0.9.0"}, "Product version mismatch"),
        ({"epoch": "one"}, "Invalid pairing offer"),
        ({"reverse_port": 70000}, "Port must be from 1 to 65535"),
        ({"reverse_host": "bad host!"}, "neither a valid host name"),
    ],
)
def test_the_backup_refuses_a_bad_offer(fake_peer, changes, match):
    with pytest.raises(Refused, match=match):
        pairing.accept_pairing(offer(**changes), fake_peer.site_id, connect=fake_peer.connect)
    assert SiteState.load().role == Role.NONE
    assert not fake_peer.calls


def test_the_backup_refuses_when_it_cannot_reach_the_primary_back(fake_peer):
    fake_peer.down()
    with pytest.raises(Refused, match="cannot reach the primary back") as refused:
        pairing.accept_pairing(offer(), fake_peer.site_id, connect=fake_peer.connect)
    assert refused.value.code == "reverse_unreachable"
    assert SiteState.load().role == Role.NONE


def test_the_backup_refuses_an_epoch_not_above_its_own(fake_peer):
    SiteState.load()
    SiteState.objects.update(epoch=5)
    with pytest.raises(Refused, match="not above this site's epoch 5"):
        pairing.accept_pairing(offer(epoch=5), fake_peer.site_id, connect=fake_peer.connect)

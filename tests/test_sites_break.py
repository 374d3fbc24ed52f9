"""Breaking the relationship with the peer up and with the peer down."""

import pytest

pytestmark = pytest.mark.sites


def test_break_with_the_peer_up_makes_both_standalone(paired):
    primary, backup = paired[0], paired[1]
    epochs = primary.status()["epoch"], backup.status()["epoch"]
    session = primary.session()
    response = primary.post_form(session, "/management/failover/break", {})
    assert response.status_code == 302
    for site, epoch in zip((primary, backup), epochs, strict=True):
        status = site.status()
        assert (status["role"], status["peer"], status["relationship_id"]) == ("none", None, None)
        assert status["epoch"] == epoch  # data and epoch are kept
        assert site.events("unpaired")
    assert "left it too" in primary.events("unpaired")[0]["message"]
    assert primary.events("unpaired")[0]["actor"] == "admin"


def test_break_with_the_peer_down_breaks_this_side_alone(paired):
    primary, backup = paired[0], paired[1]
    backup.kill()
    done = primary.manage("failover", "break")
    assert "must be broken there by hand" in done.stdout
    assert primary.status()["role"] == "none"


def test_break_from_the_backup_through_the_api(paired):
    primary, backup = paired[0], paired[1]
    response = backup.api("POST", "failover/break")
    assert response.status_code == 200
    assert response.json()["peer_told"] is True
    assert primary.status()["role"] == "none"
    assert backup.status()["role"] == "none"


def test_break_when_standalone_is_refused(two_sites):
    done = two_sites[0].manage("failover", "break", check=False)
    assert done.returncode != 0
    assert "in no failover relationship" in done.stderr

"""Pairing two live sites through the page, the command line and the API, and
every way it can fail leaving both sites as they were."""

from pathlib import Path

import pytest

pytestmark = pytest.mark.sites


def _state(site) -> tuple:
    status = site.cli_status()
    peer = status["peer"] and (status["peer"]["host"], status["peer"]["port"])
    return status["role"], status["epoch"], status["relationship_id"], peer


def _assert_paired(primary, backup):
    assert primary.status()["role"] == "primary"
    assert backup.status()["role"] == "backup"
    for site, peer in ((primary, backup), (backup, primary)):
        # A fresh, successful status check within three health intervals (1 s).
        status = site.wait_status(
            lambda s: s["peer"]["reachable"] and s["peer"]["last_check"],
            timeout=3 * 1 + 2,
            what=f"{site.name}'s first peer check",
        )
        assert status["peer"]["hostname"] == peer.name
        assert status["peer"]["role"] == ("backup" if site is primary else "primary")
        assert status["epoch"] == 1
    assert primary.status()["relationship_id"] == backup.status()["relationship_id"]
    assert primary.events("paired") and backup.events("paired")


def test_pair_through_the_command_line(two_sites):
    primary, backup = two_sites[0], two_sites[1]
    form = two_sites.pairing_form(primary, backup)
    done = primary.manage(
        "failover",
        "pair",
        "--backup-host",
        form["backup_host"],
        "--backup-port",
        form["backup_port"],
        "--reverse-host",
        form["reverse_host"],
        "--reverse-port",
        form["reverse_port"],
    )
    assert "this site is the primary" in done.stdout
    _assert_paired(primary, backup)


def test_pair_through_the_page(two_sites):
    primary, backup = two_sites[0], two_sites[1]
    session = primary.session()
    response = primary.post_form(
        session, "/management/failover/pair", two_sites.pairing_form(primary, backup)
    )
    assert response.status_code == 302
    page = session.get(f"{primary.url}/management/failover/").text
    assert "You are on the primary site instance" in page
    assert "Failover relationship set up" in page
    _assert_paired(primary, backup)
    backup_page = backup.session().get(f"{backup.url}/management/failover/").text
    assert "You are on the backup site instance" in backup_page
    assert 'id="setup"' not in backup_page


def test_pair_through_the_api(two_sites):
    primary, backup = two_sites[0], two_sites[1]
    response = primary.api("POST", "failover/pair", json=two_sites.pairing_form(primary, backup))
    assert response.status_code == 200, response.text
    assert response.json()["status"]["role"] == "primary"
    _assert_paired(primary, backup)


def _pair_fails(cluster, primary, backup, form=None, expected=""):
    """Pairing through the page fails with ``expected`` next to the form and
    changes neither site."""
    before = {site.name: _state(site) for site in cluster.sites}
    session = primary.session()
    response = primary.post_form(
        session, "/management/failover/pair", form or cluster.pairing_form(primary, backup)
    )
    assert response.status_code in (400, 409, 502)
    setup = response.text[response.text.index('id="setup"') :]
    assert expected in setup, setup[:2000]
    assert {site.name: _state(site) for site in cluster.sites} == before
    return response


def test_pairing_with_an_unreachable_backup_changes_nothing(two_sites):
    primary, backup = two_sites[0], two_sites[1]
    backup.kill(["web"])
    _pair_fails(two_sites, primary, backup, expected="The backup site is unreachable")


def test_pairing_across_a_cut_link_changes_nothing(two_sites):
    primary, backup = two_sites[0], two_sites[1]
    two_sites.cut(primary, backup)
    _pair_fails(two_sites, primary, backup, expected="no answer within")


def test_pairing_with_a_different_key_changes_nothing(two_sites):
    primary, backup = two_sites[0], two_sites[1]
    backup.manage("failover", "set-key", stdin="a-completely-different-inter-site-key-0123")
    _pair_fails(two_sites, primary, backup, expected="do not have the same inter-site key")


def test_pairing_with_an_already_paired_site_changes_nothing(cluster_factory):
    cluster = cluster_factory(3)
    a, b, c = cluster.sites
    cluster.pair(a, b)
    _pair_fails(cluster, c, b, expected="already in a failover relationship with another site")


def test_pairing_across_versions_changes_nothing(cluster_factory, tmp_path):
    # An "upgraded" site-b: its processes report another product version.
    fake = Path(tmp_path) / "upgraded"
    fake.mkdir()
    (fake / "sitecustomize.py").write_text("import failover\nfailover.__version__ = '99.0.0'\n")
    cluster = cluster_factory(2, site_env={"site-b": {"PYTHONPATH": str(fake)}})
    assert cluster[1].status()["version"] == "99.0.0"
    _pair_fails(cluster, cluster[0], cluster[1], expected="Product version mismatch")


def test_pairing_when_the_backup_cannot_reach_us_back_changes_nothing(two_sites):
    primary, backup = two_sites[0], two_sites[1]
    two_sites.link(backup, primary).set_cut(True)
    _pair_fails(two_sites, primary, backup, expected="cannot reach the primary back")


def test_pairing_with_a_wrong_reverse_address_changes_nothing(two_sites):
    primary, backup = two_sites[0], two_sites[1]
    form = {**two_sites.pairing_form(primary, backup), "reverse_port": "9"}
    _pair_fails(two_sites, primary, backup, form, expected="cannot reach the primary back")


def test_pairing_with_itself_changes_nothing(two_sites):
    primary = two_sites[0]
    form = {**two_sites.pairing_form(primary, two_sites[1]), "backup_port": str(primary.port)}
    _pair_fails(two_sites, primary, two_sites[1], form, expected="cannot pair with itself")


def test_a_failed_command_line_pairing_exits_non_zero(two_sites):
    primary, backup = two_sites[0], two_sites[1]
    backup.kill(["web"])
    form = two_sites.pairing_form(primary, backup)
    done = primary.manage(
        "failover",
        "pair",
        *[arg for name, value in form.items() for arg in (f"--{name.replace('_', '-')}", value)],
        check=False,
    )
    assert done.returncode != 0
    assert "The backup site is unreachable" in done.stderr
    assert primary.status()["role"] == "none"

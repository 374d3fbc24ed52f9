"""Peer traffic over TLS with verified certificates from a throwaway CA."""

import pytest

from tests.fixtures.tls import ThrowawayCA

pytestmark = pytest.mark.sites


@pytest.fixture
def tls_sites(cluster_factory, tmp_path):
    ca = ThrowawayCA(tmp_path)
    return cluster_factory(
        4,
        env={"FAILOVER_ALLOW_INSECURE_PEER": "0", "FAILOVER_PEER_CA_FILE": str(ca.path)},
        tls={
            "site-a": ca.server("site-a"),
            "site-b": ca.server("site-b"),
            "site-c": ca.server("site-c", self_signed=True),
            "site-d": ca.server("site-d", hosts=("wrong-host.example",)),
        },
    )


def _pair_message(cluster, primary, backup) -> tuple[int, str]:
    response = primary.api("POST", "failover/pair", json=cluster.pairing_form(primary, backup))
    return response.status_code, response.json().get("error", "")


def test_certificates_are_verified(tls_sites):
    a, b, c, d = tls_sites.sites
    status, message = _pair_message(tls_sites, a, c)
    assert status == 502
    assert "TLS failure" in message and "certificate verify failed" in message
    status, message = _pair_message(tls_sites, a, d)
    assert status == 502
    assert "TLS failure" in message
    assert [site.status()["role"] for site in (a, c, d)] == ["none", "none", "none"]

    status, message = _pair_message(tls_sites, a, b)
    assert status == 200, message
    b.wait_status(lambda s: s["peer"]["reachable"], what="checks over TLS")
    a.wait_status(lambda s: s["peer"]["reachable"], what="checks over TLS")
    page = a.session().get(f"{a.url}/management/failover/").text
    assert "FAILOVER_ALLOW_INSECURE_PEER" not in page


def test_plain_http_peer_requests_are_refused(cluster_factory):
    cluster = cluster_factory(2, env={"FAILOVER_ALLOW_INSECURE_PEER": "0"})
    a, b = cluster.sites
    status, message = _pair_message(cluster, a, b)
    assert status == 502
    assert "TLS failure" in message or "refuses plain HTTP" in message
    assert b.status()["role"] == "none"

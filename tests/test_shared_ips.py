from unittest import mock

import pytest

from failover.models import SharedIP, StatusEvent
from failover.netif.listing import HostAddress, parse_ip_json

HOST = [HostAddress("198.51.100.7", 24, "eth0")]


@pytest.fixture(autouse=True)
def host_addresses():
    with mock.patch("failover.services.configuration.host_addresses", return_value=(HOST, "")):
        yield


def test_the_page_lists_host_and_configured_addresses(staff_client):
    SharedIP.objects.create(address="192.0.2.10", prefix=24, interface="eth1", is_failover=True)
    html = staff_client.get("/management/failover/").content.decode()
    assert "192.0.2.10/24" in html
    assert "198.51.100.7/24" in html
    assert "set the same addresses on the peer site by hand" in html


def test_it_adds_a_failover_address(staff_client):
    response = staff_client.post(
        "/management/failover/shared-ips/add", {"address": "192.0.2.10/24", "interface": "eth0"}
    )
    assert response.status_code == 302
    ip = SharedIP.objects.get()
    assert (ip.address, ip.prefix, ip.interface, ip.is_failover) == ("192.0.2.10", 24, "eth0", True)
    assert StatusEvent.objects.get().actor == "alice"


@pytest.mark.parametrize(
    "data,message",
    [
        ({"address": "192.0.2.300/24", "interface": "eth0"}, "is not an IPv4 or IPv6 address"),
        ({"address": "192.0.2.1/33", "interface": "eth0"}, "Prefix must be a number from 0 to 32"),
        ({"address": "192.0.2.1/24", "interface": "eth 0"}, "is not a network interface name"),
        ({"address": "192.0.2.1/24", "interface": "a" * 16}, "at most 15 characters"),
    ],
)
def test_it_refuses_a_bad_address_or_interface(staff_client, data, message):
    response = staff_client.post("/management/failover/shared-ips/add", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not SharedIP.objects.exists()
    assert not StatusEvent.objects.exists()


def test_it_refuses_a_duplicate(staff_client):
    SharedIP.objects.create(address="192.0.2.10", prefix=24, interface="eth0")
    response = staff_client.post(
        "/management/failover/shared-ips/add", {"address": "192.0.2.10/24", "interface": "eth1"}
    )
    assert response.status_code == 400
    assert "already in the list" in response.content.decode()
    assert SharedIP.objects.get().interface == "eth0"


def test_checking_a_host_address_makes_it_a_failover_ip(staff_client):
    response = staff_client.post(
        "/management/failover/shared-ips",
        {"listed": ["198.51.100.7"], "failover": ["198.51.100.7"]},
    )
    assert response.status_code == 302
    ip = SharedIP.objects.get()
    assert (ip.address, ip.prefix, ip.interface, ip.is_failover) == (
        "198.51.100.7",
        24,
        "eth0",
        True,
    )
    assert "is now a failover IP" in StatusEvent.objects.get().message


def test_unchecking_keeps_the_address_but_not_as_failover(staff_client):
    SharedIP.objects.create(address="192.0.2.10", prefix=24, interface="eth0", is_failover=True)
    staff_client.post("/management/failover/shared-ips", {"listed": ["192.0.2.10"]})
    assert not SharedIP.objects.get().is_failover


def test_saving_unchanged_checkboxes_records_nothing(staff_client):
    SharedIP.objects.create(address="192.0.2.10", prefix=24, interface="eth0", is_failover=True)
    staff_client.post(
        "/management/failover/shared-ips", {"listed": ["192.0.2.10"], "failover": ["192.0.2.10"]}
    )
    assert not StatusEvent.objects.exists()


def test_checking_an_unknown_address_is_refused(staff_client):
    response = staff_client.post(
        "/management/failover/shared-ips",
        {"listed": ["203.0.113.99"], "failover": ["203.0.113.99"]},
    )
    assert response.status_code == 400
    assert "not an address of this host" in response.content.decode()
    assert not SharedIP.objects.exists()


def test_it_removes_an_address(staff_client):
    SharedIP.objects.create(address="192.0.2.10", prefix=24, interface="eth0")
    response = staff_client.post(
        "/management/failover/shared-ips/remove", {"address": "192.0.2.10"}
    )
    assert response.status_code == 302
    assert not SharedIP.objects.exists()


def test_removing_an_unknown_address_is_an_error(staff_client):
    response = staff_client.post(
        "/management/failover/shared-ips/remove", {"address": "192.0.2.99"}
    )
    assert response.status_code == 400
    assert "is not in the list" in response.content.decode()


def test_it_parses_ip_json_output():
    output = """[{"ifname": "lo", "addr_info": [{"family": "inet", "local": "127.0.0.1",
      "prefixlen": 8, "scope": "host"}]},
      {"ifname": "eth0", "addr_info": [{"family": "inet", "local": "192.0.2.5", "prefixlen": 24,
      "scope": "global"}, {"family": "inet6", "local": "fe80::1", "prefixlen": 64,
      "scope": "link"}, {"family": "inet6", "local": "2001:db8::5", "prefixlen": 64,
      "scope": "global"}]}]"""
    assert parse_ip_json(output) == [
        HostAddress("192.0.2.5", 24, "eth0"),
        HostAddress("2001:db8::5", 64, "eth0"),
    ]

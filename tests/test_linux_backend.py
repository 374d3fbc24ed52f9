"""The linux backend against a scripted `ip`: whether an address is there is
read from the interface's address list, never from iproute2's error text, which
differs between versions (both wordings below)."""

import json
import subprocess
from unittest import mock

import pytest

from failover.models import SharedIP
from failover.netif import backends
from failover.netif.announce import arping_command, gratuitous_arp, neighbour_advertisement
from failover.netif.backends import AddressError, LinuxBackend

# What iproute2 prints when adding an address that is there and deleting one
# that is not: before 6.x ("RTNETLINK answers") and 6.1 on a recent kernel.
ALREADY_THERE = {
    "old": "RTNETLINK answers: File exists",
    "ipv4": "Error: ipv4: Address already assigned.",
    "ipv6": "Error: ipv6: address already assigned.",
}
ALREADY_GONE = {
    "old": "RTNETLINK answers: Cannot assign requested address",
    "ipv4": "Error: ipv4: Address not found.",
    "ipv6": "Error: ipv6: address not found.",
}


class FakeKernel:
    """`ip -j addr show dev IF`, `ip addr add|del` over a set of addresses.
    ``racing`` makes the next add or del find that another process did it
    first: the change happens, and `ip` reports the error it would."""

    def __init__(self, addresses=(), *, wording="ipv4"):
        self.addresses = set(addresses)
        self.wording = wording
        self.racing = False
        self.changes: list[list[str]] = []

    def __call__(self, command, **kwargs):
        args = command[1:]
        if args[:3] == ["-j", "addr", "show"]:
            listing = [
                {"ifname": "eth0", "addr_info": [{"local": a} for a in sorted(self.addresses)]}
            ]
            return self._done(0, json.dumps(listing))
        verb, cidr = args[1], args[2]
        self.changes.append(args)
        address = cidr.split("/")[0]
        there = address in self.addresses
        if self.racing:
            self.racing = False
            (self.addresses.add if verb == "add" else self.addresses.discard)(address)
            return self._done(
                2, "", (ALREADY_THERE if verb == "add" else ALREADY_GONE)[self.wording]
            )
        if verb == "add" and there:
            return self._done(2, "", ALREADY_THERE[self.wording])
        if verb == "del" and not there:
            return self._done(2, "", ALREADY_GONE[self.wording])
        (self.addresses.add if verb == "add" else self.addresses.discard)(address)
        return self._done(0)

    @staticmethod
    def _done(code, stdout="", stderr=""):
        return subprocess.CompletedProcess([], code, stdout, stderr + "\n" if stderr else "")


@pytest.fixture
def kernel(monkeypatch):
    fake = FakeKernel()
    monkeypatch.setattr(backends.shutil, "which", lambda name: f"/sbin/{name}")
    monkeypatch.setattr(backends.subprocess, "run", fake)
    return fake


def shared(address="192.0.2.10", prefix=24):
    return SharedIP(address=address, prefix=prefix, interface="eth0", is_failover=True)


@pytest.mark.parametrize("wording", ["old", "ipv4"])
def test_bringing_up_an_address_already_there_changes_nothing(kernel, wording):
    kernel.wording = wording
    kernel.addresses = {"192.0.2.10"}
    assert LinuxBackend().up(shared()) is False
    assert kernel.changes == []


@pytest.mark.parametrize("wording", ["old", "ipv4"])
def test_taking_down_an_address_already_gone_changes_nothing(kernel, wording):
    kernel.wording = wording
    assert LinuxBackend().down(shared()) is False
    assert kernel.changes == []


def test_it_adds_and_removes_an_address_once(kernel):
    backend = LinuxBackend()
    assert backend.up(shared()) is True
    assert backend.up(shared()) is False
    assert backend.down(shared()) is True
    assert backend.down(shared()) is False
    assert [c[:3] for c in kernel.changes] == [
        ["addr", "add", "192.0.2.10/24"],
        ["addr", "del", "192.0.2.10/24"],
    ]


@pytest.mark.parametrize("wording", ["old", "ipv4", "ipv6"])
@pytest.mark.parametrize("address", ["192.0.2.10", "2001:db8::10"])
def test_losing_a_race_to_another_process_is_not_an_error(kernel, wording, address):
    """The web server and the worker may change the same address at once."""
    kernel.wording = wording
    backend = LinuxBackend()
    kernel.racing = True
    assert backend.up(shared(address, 64)) is True
    assert address in kernel.addresses
    kernel.racing = True
    assert backend.down(shared(address, 64)) is True
    assert address not in kernel.addresses


def test_ipv6_is_compared_as_the_kernel_writes_it_and_added_without_dad(kernel):
    kernel.addresses = {"2001:db8::10"}
    ip = shared("2001:0db8:0000::0010", 64)
    assert LinuxBackend().holds(ip)
    kernel.addresses = set()
    LinuxBackend().up(ip)
    assert kernel.changes[0][-1] == "nodad"


@pytest.mark.parametrize(
    "stderr,message",
    [
        ("RTNETLINK answers: Operation not permitted", "no permission to change addresses"),
        ('Cannot find device "eth0"', "no such interface: eth0"),
        ('Device "eth0" does not exist.', "no such interface: eth0"),
        ("Error: something new.", "Error: something new."),
    ],
)
def test_a_real_failure_is_explained(monkeypatch, stderr, message):
    monkeypatch.setattr(backends.shutil, "which", lambda name: f"/sbin/{name}")
    monkeypatch.setattr(
        backends.subprocess,
        "run",
        lambda command, **kw: subprocess.CompletedProcess(command, 2, "", stderr),
    )
    with pytest.raises(AddressError, match=message):
        LinuxBackend().up(shared())


def test_without_iproute2_it_says_so(monkeypatch):
    monkeypatch.setattr(backends.shutil, "which", lambda name: None)
    with pytest.raises(AddressError, match="not installed"):
        LinuxBackend().down(shared())


@pytest.mark.parametrize(
    "flavour,command",
    [
        ("habets", ["-U", "-c", "1", "-w", "0", "-i", "eth0", "-S", "192.0.2.10", "192.0.2.10"]),
        ("iputils", ["-U", "-c", "1", "-w", "1", "-I", "eth0", "192.0.2.10"]),
    ],
)
def test_a_gratuitous_arp_asks_for_no_answer(flavour, command):
    assert arping_command("arping", flavour, "eth0", "192.0.2.10") == ["arping", *command]


def test_without_raw_sockets_it_starts_arping_and_does_not_wait_for_it(monkeypatch):
    started = []
    monkeypatch.setattr("failover.netif.announce.shutil.which", lambda name: "/usr/sbin/arping")
    monkeypatch.setattr("failover.netif.announce._arping_flavour", lambda arping: "habets")
    monkeypatch.setattr("failover.netif.announce._mac_of", lambda interface: "02:00:00:00:00:01")
    monkeypatch.setattr(
        "failover.netif.announce.socket.socket", mock.Mock(side_effect=PermissionError)
    )
    with mock.patch(
        "failover.netif.announce.subprocess.Popen",
        side_effect=lambda command, **options: started.append(command),
    ):
        LinuxBackend().announce(shared())
    [command] = started
    assert command[0] == "/usr/sbin/arping" and "-U" in command


def test_a_gratuitous_arp_is_a_broadcast_request_for_the_address_itself():
    frame = gratuitous_arp("192.0.2.10", "02:00:00:00:00:01")
    mac, ip = bytes.fromhex("020000000001"), bytes([192, 0, 2, 10])
    assert frame[:14] == b"\xff" * 6 + mac + b"\x08\x06"
    assert frame[14:22] == bytes.fromhex("0001080006040001")  # an IPv4 request
    assert frame[22:] == mac + ip + b"\x00" * 6 + ip


def test_a_neighbour_advertisement_overrides_caches():
    packet = neighbour_advertisement("2001:db8::10", "02:00:00:00:00:01")
    assert packet[0] == 136  # neighbour advertisement
    assert packet[4] & 0x20  # override, not solicited, not router
    assert packet[8:24] == bytes.fromhex("20010db8000000000000000000000010")
    assert packet[24:] == bytes.fromhex("0201" + "020000000001")  # target link-layer address

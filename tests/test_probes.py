"""Connectivity test probes, on loopback only: ICMP through icmplib (no
external ping), and the TCP stand-in when this process may not send ICMP."""

import socket

import icmplib
import pytest

from failover.netif import probes


@pytest.fixture
def no_icmp(monkeypatch):
    monkeypatch.setattr(probes, "icmp_mode", lambda: None)


@pytest.fixture
def fresh_mode():
    probes.icmp_mode.cache_clear()
    yield
    probes.icmp_mode.cache_clear()


@pytest.fixture
def listening():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield server.getsockname()[1]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_an_address_alone_is_pinged_without_an_external_binary(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    assert probes.probe("127.0.0.1") is True
    assert probes.probe("::1") is True


def test_host_and_port_is_a_tcp_connect(listening):
    assert probes.probe(f"127.0.0.1:{listening}") is True
    # A refused connection to the port asked for is a failed test.
    assert probes.probe(f"127.0.0.1:{_closed_port()}") is False


def test_without_icmp_a_refused_connection_proves_the_host_answered(no_icmp, monkeypatch):
    tried = []
    real_connect = socket.create_connection

    def connect(address, timeout):
        tried.append(address[1])
        return real_connect(("127.0.0.1", _closed_port()), timeout=timeout)

    monkeypatch.setattr(socket, "create_connection", connect)
    assert probes.probe("127.0.0.1") is True
    assert tried == [443]


def test_without_icmp_a_host_that_never_answers_fails(no_icmp, monkeypatch):
    def silent(address, timeout):
        raise TimeoutError("timed out")

    monkeypatch.setattr(socket, "create_connection", silent)
    assert probes.probe("127.0.0.1") is False


def test_unprivileged_icmp_is_used_when_raw_sockets_are_refused(fresh_mode, monkeypatch):
    class Socket:
        def __init__(self, privileged):
            if privileged:
                raise icmplib.SocketPermissionError(privileged)

        def close(self):
            pass

    monkeypatch.setattr(icmplib, "ICMPv4Socket", Socket)
    assert probes.icmp_mode() is False


def test_no_icmp_at_all_selects_the_tcp_stand_in(fresh_mode, monkeypatch):
    def refused(privileged):
        raise icmplib.SocketPermissionError(privileged)

    monkeypatch.setattr(icmplib, "ICMPv4Socket", refused)
    assert probes.icmp_mode() is None


def test_all_addresses_are_probed_at_once(listening):
    assert probes.probe_all(["127.0.0.1", f"127.0.0.1:{listening}"]) == (True, True)
    assert probes.probe_all([]) == ()

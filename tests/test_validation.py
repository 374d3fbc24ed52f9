import pytest

from failover.domain.validation import (
    normalise_test_address,
    parse_interface_address,
    validate_host,
    validate_interface,
    validate_port,
)


@pytest.mark.parametrize(
    "host",
    [
        "example.com",
        "a",
        "backup-1.corp.example.",
        "xn--bcher-kva.example",
        "1host.example",
        "192.0.2.1",
        "2001:db8::1",
        "::1",
        "a" * 63 + ".example",
    ],
)
def test_valid_hosts(host):
    assert validate_host(host) == host


@pytest.mark.parametrize(
    "host",
    [
        "",
        " ",
        "-a.example",
        "a-.example",
        "a..example",
        "under_score.example",
        "a" * 64,
        "10.0.0.256",
        "1.2.3",
        "example.com:80",
        "http://example.com",
        "a b",
        "[::1]",
        ".".join(["a" * 60] * 5),
    ],
)
def test_invalid_hosts(host):
    with pytest.raises(ValueError):
        validate_host(host)


@pytest.mark.parametrize("port,expected", [("1", 1), (65535, 65535), (" 443 ", 443)])
def test_valid_ports(port, expected):
    assert validate_port(port) == expected


@pytest.mark.parametrize("port", ["0", "65536", "-1", "", "80.5", "http", None])
def test_invalid_ports(port):
    with pytest.raises(ValueError):
        validate_port(port)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("192.0.2.1", "192.0.2.1"),
        ("2001:db8::1", "2001:db8::1"),
        ("example.com:443", "example.com:443"),
        ("192.0.2.1:22", "192.0.2.1:22"),
        ("[2001:db8::1]:443", "[2001:db8::1]:443"),
        (" 192.0.2.1 ", "192.0.2.1"),
    ],
)
def test_valid_test_addresses(text, expected):
    assert normalise_test_address(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "example.com",
        "192.0.2.1:0",
        "192.0.2.1:99999",
        "[192.0.2.1]:80",
        "[::1]",
        "bad host:80",
        "300.0.0.1",
        "2001:db8::1:443:x",
    ],
)
def test_invalid_test_addresses(text):
    with pytest.raises(ValueError):
        normalise_test_address(text)


def test_interface_names():
    assert validate_interface("eth0.100") == "eth0.100"
    for bad in ("", "a" * 16, "eth 0", "eth/0", ".."):
        with pytest.raises(ValueError):
            validate_interface(bad)


def test_interface_addresses():
    assert parse_interface_address("192.0.2.1/24") == ("192.0.2.1", 24)
    assert parse_interface_address("192.0.2.1") == ("192.0.2.1", 32)
    assert parse_interface_address("2001:db8::1/64") == ("2001:db8::1", 64)
    for bad in ("192.0.2.1/33", "2001:db8::1/129", "x/24", "192.0.2.1/", "192.0.2.1/a"):
        with pytest.raises(ValueError):
            parse_interface_address(bad)

"""The web server's start-up checks and its guarded protocol: clients that
hold connections without finishing their requests are cut off, and no client
address holds more than its share of connections."""

import os
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
import uvicorn

from failover_site import web
from failover_site.guarded_protocol import GuardedHttpToolsProtocol
from failover_site.launch import BASE_DIR
from tests.fixtures.waiting import wait_for
from tests.harness.cluster import free_port


class QuickGuard(GuardedHttpToolsProtocol):
    header_timeout = 0.5
    max_connections_per_client = 3
    open_per_client = {}


async def hello(scope, receive, send):
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"hello"})


@pytest.fixture
def server():
    config = uvicorn.Config(
        hello, host="127.0.0.1", port=free_port(), http=QuickGuard, lifespan="off", log_config=None
    )
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    wait_for(lambda: running.started, 10, 0.01, "the test server")
    yield config.port
    running.should_exit = True
    thread.join(10)


def _connect(port: int, source: str = "127.0.0.1") -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0))
    return sock


def _closed_after(sock: socket.socket) -> float:
    """Seconds until the server closes ``sock`` (reading whatever it sends)."""
    started = time.monotonic()
    while sock.recv(4096):
        pass
    return time.monotonic() - started


def test_a_connection_that_sends_nothing_is_closed_after_the_header_timeout(server):
    with _connect(server) as sock:
        assert 0.3 < _closed_after(sock) < 3


def test_trickling_header_lines_does_not_keep_a_connection_open(server):
    with _connect(server) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        started = time.monotonic()
        with pytest.raises(OSError):
            # Each line would cancel uvicorn's own keep-alive timer.
            for _ in range(50):
                sock.sendall(b"X-Slow: 1\r\n")
                time.sleep(0.1)
        assert time.monotonic() - started < 3


def test_a_complete_request_is_answered_and_the_next_one_is_timed_too(server):
    with _connect(server) as sock:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert sock.recv(4096).startswith(b"HTTP/1.1 200")
        sock.sendall(b"GET / HTTP/1.1\r\n")
        assert 0.3 < _closed_after(sock) < 3


def test_connections_beyond_the_cap_per_client_are_closed_at_once(server):
    held = [_connect(server, "127.0.0.2") for _ in range(3)]
    try:
        time.sleep(0.1)  # let the server count them before the next one
        with _connect(server, "127.0.0.2") as extra:
            assert _closed_after(extra) < 0.3
        with _connect(server, "127.0.0.3") as other:
            other.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            assert other.recv(4096).startswith(b"HTTP/1.1 200")
    finally:
        for sock in held:
            sock.close()
    # Closed connections no longer count.
    wait_for(lambda: "127.0.0.2" not in QuickGuard.open_per_client, 5, 0.05, "the count to drop")


@pytest.mark.parametrize(
    "bind,expected",
    [("0.0.0.0:8443", ("0.0.0.0", 8443)), ("[::1]:80", ("::1", 80))],
)
def test_bind_is_host_and_port(bind, expected):
    assert web.parse_bind(bind) == expected


@pytest.mark.parametrize("bind", ["8443", ":8443", "host:", "host:http", "host:70000"])
def test_a_bad_bind_is_refused(bind):
    with pytest.raises(web.StartupError, match="--bind must be HOST:PORT"):
        web.parse_bind(bind)


def test_tls_needs_both_files(monkeypatch, tmp_path):
    cert = tmp_path / "tls.crt"
    cert.write_text("x")
    monkeypatch.setenv("FAILOVER_TLS_CERT_FILE", str(cert))
    monkeypatch.setenv("FAILOVER_TLS_KEY_FILE", str(tmp_path / "missing.key"))
    with pytest.raises(web.StartupError, match="only .*tls.crt exists; TLS needs both"):
        web.tls_files()
    monkeypatch.setenv("FAILOVER_TLS_CERT_FILE", str(tmp_path / "missing.crt"))
    assert web.tls_files() is None


def test_an_unreadable_key_stops_the_server_at_start_naming_the_file():
    # Out of pytest's own temporary folder, which only its user can enter.
    with tempfile.TemporaryDirectory() as folder:
        os.chmod(folder, 0o755)
        _start_with_an_unreadable_key(Path(folder))


def _start_with_an_unreadable_key(folder: Path):
    cert, key = folder / "tls.crt", folder / "tls.key"
    cert.write_text("certificate")
    key.write_text("key")
    cert.chmod(0o644)
    key.chmod(0o600 if os.getuid() == 0 else 0)
    env = {**os.environ, "FAILOVER_TLS_CERT_FILE": str(cert), "FAILOVER_TLS_KEY_FILE": str(key)}
    # As root every file is readable: become nobody once Python has loaded
    # what it needs (its own files may be out of nobody's reach).
    become_nobody = "os.setgid(65534); os.setuid(65534); " if os.getuid() == 0 else ""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import os, failover_site.web as w; {become_nobody}"
            f"w.main(['--bind', '127.0.0.1:{free_port()}'])",
        ],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert f"web: cannot read {key}: it must be readable by the user" in done.stderr
    assert "its owner with mode 600" in done.stderr


def test_the_config_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("FAILOVER_WEB_WORKERS", "3")
    monkeypatch.setenv("FAILOVER_WEB_KEEPALIVE_TIMEOUT", "7")
    monkeypatch.delenv("FAILOVER_TLS_CERT_FILE", raising=False)
    config = web.config("127.0.0.1:8123")
    assert (config.host, config.port, config.workers) == ("127.0.0.1", 8123, 3)
    assert config.timeout_keep_alive == 7
    assert config.http == web.PROTOCOL
    assert config.ssl_certfile is None
    assert config.proxy_headers is False


def _low_open_files_limit():
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))


def test_the_open_files_limit_is_raised_to_the_hard_limit():
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import resource; from failover_site.web import raise_open_files_limit; "
            "raise_open_files_limit(); print(*resource.getrlimit(resource.RLIMIT_NOFILE))",
        ],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        preexec_fn=_low_open_files_limit,
    )
    soft, hard = done.stdout.split()
    assert soft == hard

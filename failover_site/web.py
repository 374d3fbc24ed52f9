"""The web server: Django over ASGI in uvicorn, configured from the environment.

    python -m failover_site.web --bind HOST:PORT

An event loop per worker process holds every connection, so clients that
trickle their requests hold sockets, not threads: the guarded protocol
(failover_site/guarded_protocol.py) closes those that take too long and caps
connections per client address. Each request's synchronous Django code runs
in a thread of its own once its headers are complete.

TLS: when the files named by FAILOVER_TLS_CERT_FILE and FAILOVER_TLS_KEY_FILE
both exist (mounted into a container, say), it serves HTTPS with them;
otherwise plain HTTP. One without the other is an error.
"""

import argparse
import importlib
import os
import pwd
import resource
import sys

import uvicorn
from uvicorn.supervisors import Multiprocess

from failover_site.env import SettingError, envfloat, envint, envstr

PROTOCOL = "failover_site.guarded_protocol:GuardedHttpToolsProtocol"


class StartupError(Exception):
    pass


def parse_bind(bind: str) -> tuple[str, int]:
    """``HOST:PORT``, ``[IPv6]:PORT``."""
    host, _, port = bind.rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise StartupError(f"--bind must be HOST:PORT, not {bind!r}")
    return host, int(port)


def tls_files() -> tuple[str, str] | None:
    """The certificate and key files to serve HTTPS with, or None for HTTP."""
    cert, key = envstr("FAILOVER_TLS_CERT_FILE"), envstr("FAILOVER_TLS_KEY_FILE")
    present = [path for path in (cert, key) if path and os.path.isfile(path)]
    if not present:
        return None
    if len(present) == 1:
        raise StartupError(
            f"only {present[0]} exists; TLS needs both FAILOVER_TLS_CERT_FILE and "
            "FAILOVER_TLS_KEY_FILE"
        )
    for path in present:
        if not os.access(path, os.R_OK):
            user = pwd.getpwuid(os.getuid()).pw_name
            raise StartupError(
                f"cannot read {path}: it must be readable by the user the web server runs "
                f"as, {user} (uid {os.getuid()}); for the key, make {user} its owner "
                "with mode 600"
            )
    return cert, key


def raise_open_files_limit() -> None:
    """Each connection is a file descriptor: allow as many as the hard limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def config(bind: str) -> uvicorn.Config:
    host, port = parse_bind(bind)
    tls = tls_files()
    return uvicorn.Config(
        "failover_site.asgi:application",
        host=host,
        port=port,
        http=PROTOCOL,
        ws="none",
        lifespan="off",
        workers=envint("FAILOVER_WEB_WORKERS", 2, minimum=1),
        timeout_keep_alive=envfloat("FAILOVER_WEB_KEEPALIVE_TIMEOUT", 5.0, minimum=1, maximum=300),
        ssl_certfile=tls[0] if tls else None,
        ssl_keyfile=tls[1] if tls else None,
        # Nothing sits in front of it: the client address is the peer's own,
        # and a X-Forwarded-For header is not to be believed.
        proxy_headers=False,
        server_header=False,
        access_log=False,
        # Django's LOGGING (plain or JSON) formats uvicorn's messages too.
        log_config=None,
    )


def _require_broker() -> None:
    from django.conf import settings

    from failover_site.embedded_redis import require_running

    require_running(settings.FAILOVER_EMBEDDED_REDIS)


def serve(server_config: uvicorn.Config) -> None:
    # The same as uvicorn.run does with a Config of its own making.
    if server_config.workers > 1:
        sock = server_config.bind_socket()
        Multiprocess(server_config, sockets=[sock]).run()
        return
    server = uvicorn.Server(server_config)
    server.run()
    if not server.started:
        sys.exit(3)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(prog="python -m failover_site.web")
    parser.add_argument("--bind", required=True, help="HOST:PORT to listen on")
    options = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "failover_site.settings")
    # As failover_site/asgi.py does, before this process reads the settings:
    # with one worker, it serves the application itself.
    os.environ["FAILOVER_ASGI"] = "1"
    try:
        server_config = config(options.bind)
        # Its class attributes read the environment: refuse bad values now.
        importlib.import_module(PROTOCOL.split(":")[0])
        _require_broker()
    except (StartupError, SettingError) as e:
        sys.exit(f"web: {e}")
    raise_open_files_limit()
    serve(server_config)


if __name__ == "__main__":
    main()

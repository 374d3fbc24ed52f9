"""How a site's processes are started: the web server, the Celery worker and
Celery beat. `make demo` and the multi-site test harness both start sites
through this module, with the commands the README documents."""

import contextlib
import os
import shlex
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

# How each of a site's processes is started, as documented in the README.
# gunicorn's control socket has one default path per user, on which sites
# sharing a host (the demo, the tests) would collide; nothing here uses it.

WEB = (
    "gunicorn -c python:failover_site.gunicorn_conf failover_site.wsgi "
    "--workers 2 --threads 4 --timeout 120 --no-control-socket"
)
WORKER = (
    "celery -A failover_site worker --queues health,default --concurrency 4 "
    "--without-mingle --without-gossip --loglevel INFO"
)
BEAT = "celery -A failover_site beat --loglevel INFO"


@dataclass
class SiteSpec:
    name: str
    port: int
    var_dir: Path
    bind: str = "127.0.0.1"
    env: dict[str, str] = field(default_factory=dict)
    # (certificate file, key file): gunicorn then serves HTTPS.
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

    def commands(self) -> dict[str, list[str]]:
        """The README's commands for running a site by hand, for this site."""
        python = [*self.wrapper, sys.executable, "-m"]
        return {
            "web": python + shlex.split(WEB) + ["--bind", f"{self.bind}:{self.port}"],
            "worker": python + shlex.split(WORKER) + ["--hostname", f"{self.name}@%h"],
            "beat": python + shlex.split(BEAT),
        }

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
    signal reaches a process and every child it forked (gunicorn and Celery
    workers fork)."""

    def __init__(self, spec: SiteSpec, log_dir: Path):
        self.spec = spec
        self.log_dir = log_dir
        self.processes: dict[str, subprocess.Popen] = {}

    def log_path(self, role: str) -> Path:
        return self.log_dir / f"{self.spec.name}-{role}.log"

    def start(self, roles=("web", "worker", "beat")) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        commands = self.spec.commands()
        for role in roles:
            with open(self.log_path(role), "ab") as log:
                self.processes[role] = subprocess.Popen(
                    commands[role],
                    env=self.spec.environment(),
                    cwd=BASE_DIR,
                    stdout=log,
                    stderr=subprocess.STDOUT,
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
        """Ask for a clean shutdown: gunicorn and Celery stop their own children."""
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
        self.terminate(roles)
        self.reap(time.monotonic() + timeout, roles)

    def kill(self, roles=None) -> None:
        self.reap(0, roles)

    def exited(self) -> dict[str, int]:
        return {role: p.returncode for role, p in self.processes.items() if p.poll() is not None}

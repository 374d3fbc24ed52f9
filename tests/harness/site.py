"""One real site started by the harness: web server, Celery worker and beat as
separate processes, with its own database, broker and data directory."""

import json
import secrets
import signal
import subprocess
from pathlib import Path

import requests

from failover_site.launch import ROLES, SiteProcesses, SiteSpec
from tests.fixtures.waiting import wait_for
from tests.harness import backends
from tests.harness.backends import ADMIN, PASSWORD, TOKEN


class LiveSite:
    def __init__(
        self,
        name: str,
        port: int,
        work_dir: Path,
        env: dict[str, str],
        tls: tuple[str, str] | None = None,
        netns: tuple[str, str] | None = None,
    ):
        """``netns`` = (namespace, address): the site runs inside that network
        namespace, bound to that address, on SQLite and its embedded Redis
        (PostgreSQL and Redis listen on the host's loopback only)."""
        self.name = name
        self.var_dir = work_dir / name
        self.var_dir.mkdir(parents=True)
        self.database_url = backends.new_database(
            name, self.var_dir, work_dir, local=netns is not None
        )
        self.spec = SiteSpec(
            name=name,
            port=port,
            var_dir=self.var_dir,
            bind=netns[1] if netns else "127.0.0.1",
            wrapper=["ip", "netns", "exec", netns[0]] if netns else [],
            env={
                "DATABASE_URL": self.database_url,
                "DEBUG": "0",
                "SECRET_KEY": secrets.token_urlsafe(48),
                "ALLOWED_HOSTS": "*",
                "FAILOVER_ALLOW_INSECURE_PEER": "1",
                "FAILOVER_HEALTH_INTERVAL": "1",
                "FAILOVER_SHARED_IP_BACKEND": "none",
                # The tests' webhook receivers listen on loopback.
                "FAILOVER_WEBHOOK_ALLOWED_NETWORKS": "127.0.0.0/8",
                # Mail lands in files under the site's var/mail, for tests to read.
                "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                **backends.new_broker(local=netns is not None),
                **env,
            },
            tls=tls,
        )
        self.processes = SiteProcesses(self.spec, work_dir / "logs")
        self.token = TOKEN

    @property
    def url(self) -> str:
        scheme = "https" if self.spec.tls else "http"
        return f"{scheme}://{self.spec.bind}:{self.spec.port}"

    @property
    def port(self) -> int:
        return self.spec.port

    @property
    def data_dir(self) -> Path:
        """FAILOVER_DATA_DIR (a symlink to the current copy on a synced backup)."""
        return self.var_dir / "data"

    # Processes -----------------------------------------------------------

    def start(self, roles=ROLES) -> None:
        self.processes.start(roles)

    def wait_ready(self, timeout: float = 60) -> None:
        """Until the web server answers and a worker runs health checks."""
        wait_for(lambda: self._answers("/-/alive"), timeout, 0.1, f"{self.name} web server")
        wait_for(
            lambda: "no Celery worker" not in json.dumps(self.health()[1]),
            timeout,
            0.2,
            f"{self.name} worker",
        )

    def _answers(self, path: str) -> bool:
        try:
            return requests.get(self.url + path, timeout=2, verify=False).ok
        except requests.RequestException:
            return False

    def kill(self, roles=None) -> None:
        """SIGKILL: the site (or some of its processes) dies without cleaning up."""
        self.processes.kill(roles)

    def freeze(self) -> None:
        self.processes.signal(signal.SIGSTOP)

    def thaw(self) -> None:
        self.processes.signal(signal.SIGCONT)

    def restart(self, roles=ROLES) -> None:
        self.processes.kill([r for r in roles if r in self.processes.processes])
        self.start(roles)
        self.wait_ready()

    def stop(self) -> None:
        self.processes.kill()

    def mail(self) -> str:
        """Every e-mail this site sent, as written by Django's file backend."""
        folder = self.var_dir / "mail"
        return (
            "".join(p.read_text() for p in sorted(folder.glob("*.log"))) if folder.exists() else ""
        )

    def log_tails(self, lines: int = 60) -> str:

        out = []
        for role in ROLES:
            path = self.processes.log_path(role)
            if path.exists():
                tail = path.read_text(errors="replace").splitlines()[-lines:]
                out.append(f"----- {path.name} (last {len(tail)} lines) -----\n" + "\n".join(tail))
        return "\n".join(out)

    # Interfaces ----------------------------------------------------------

    def manage(
        self, *args: str, stdin: str | None = None, check: bool = True
    ) -> subprocess.CompletedProcess:
        """`manage.py` for this site, as its administrator would run it."""
        if check:
            return self.spec.manage(*args, stdin=stdin)
        return self.spec.run_manage(*args, stdin=stdin)

    def api(self, method: str, path: str, timeout: float = 10, **kwargs) -> requests.Response:
        return requests.request(
            method,
            f"{self.url}/api/v1/{path}",
            timeout=timeout,
            verify=False,
            headers={"Authorization": f"Bearer {self.token}"},
            **kwargs,
        )

    def status(self) -> dict:
        response = self.api("GET", "failover")
        response.raise_for_status()
        return response.json()

    def cli_status(self) -> dict:
        """The status read from the database by the command line: works while
        the web server is down."""
        return json.loads(self.manage("failover", "status", "--json").stdout)

    def health(self) -> tuple[int, dict]:
        response = self.api("GET", "health")
        return response.status_code, response.json()

    def events(self, kind: str | None = None) -> list[dict]:
        params = {"limit": 500, **({"kind": kind} if kind else {})}
        response = self.api("GET", "events", params=params)
        response.raise_for_status()
        return response.json()["events"]

    def session(self) -> requests.Session:
        """A browser-like signed-in session, for posting the pages' forms."""
        session = requests.Session()
        # Not trusting the environment, whose CA bundle would override verify.
        session.trust_env = False
        session.verify = False
        session.get(f"{self.url}/login", timeout=10)
        response = session.post(
            f"{self.url}/login",
            timeout=10,
            allow_redirects=False,
            headers={"Referer": f"{self.url}/login"},
            data={
                "username": ADMIN,
                "password": PASSWORD,
                "csrfmiddlewaretoken": session.cookies["csrftoken"],
            },
        )
        assert response.status_code == 302, f"sign-in to {self.name} failed"
        return session

    def post_form(self, session: requests.Session, path: str, data: dict) -> requests.Response:
        return session.post(
            f"{self.url}{path}",
            timeout=30,
            allow_redirects=False,
            data={**data, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
            headers={"Referer": f"{self.url}/management/failover/"},
        )

    def wait_status(self, condition, timeout: float = 30, what: str = "") -> dict:
        """Poll the status API until ``condition(status)`` holds; returns it."""

        def check():
            status = self.status()
            return status if condition(status) else None

        return wait_for(check, timeout, 0.2, what or f"{self.name} status condition")

    def close(self) -> None:
        backends.drop_database(self.database_url)

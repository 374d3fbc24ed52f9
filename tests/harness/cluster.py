"""N live sites and the links between them."""

import secrets
import socket
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.harness.netns import Lan
from tests.harness.proxy import LinkProxy
from tests.harness.site import LiveSite


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """Sites named site-a, site-b, ...; site X reaches site Y only through the
    proxy ``link(X, Y)``, which a test can cut, delay or restore."""

    def __init__(
        self,
        work_dir: Path,
        count: int,
        env: dict | None = None,
        site_env: dict | None = None,
        tls: dict | None = None,
        lan: Lan | None = None,
    ):
        """``lan``: run the sites as hosts of that LAN (each in its namespace)
        instead of on loopback behind link proxies."""
        self.work_dir = work_dir
        self.key = secrets.token_urlsafe(40)
        self.lan = lan
        names = [f"site-{chr(ord('a') + i)}" for i in range(count)]
        # Distinct: a port is free again as soon as free_port() returns it.
        ports: list[int] = []
        while len(ports) < count:
            ports.append(free_port())
            ports = list(dict.fromkeys(ports))
        self.sites = [
            LiveSite(
                name,
                port,
                work_dir,
                {**(env or {}), **(site_env or {}).get(name, {})},
                tls=(tls or {}).get(name),
                netns=lan.hosts[name] if lan else None,
            )
            for name, port in zip(names, ports, strict=True)
        ]
        self.links = (
            {}
            if lan
            else {
                (a.name, b.name): self._link_to(b.port)
                for a in self.sites
                for b in self.sites
                if a is not b
            }
        )

    def _link_to(self, port: int) -> LinkProxy:
        """A proxy to ``port`` that does not itself listen on a site's port:
        the kernel may hand a proxy a port just chosen for a site that has
        not started yet, which would then fail to start, and the proxy would
        forward to itself without end."""
        site_ports = {site.port for site in self.sites}
        proxy = LinkProxy(port)
        while proxy.port in site_ports:
            proxy.close()
            proxy = LinkProxy(port)
        return proxy

    def __getitem__(self, index: int) -> LiveSite:
        return self.sites[index]

    def start(self) -> "Cluster":
        with ThreadPoolExecutor(len(self.sites)) as pool:
            list(pool.map(lambda site: site.prepare(self.key), self.sites))
        for site in self.sites:
            site.start()
        with ThreadPoolExecutor(len(self.sites)) as pool:
            list(pool.map(LiveSite.wait_ready, self.sites))
        return self

    def link(self, source: LiveSite, target: LiveSite) -> LinkProxy:
        return self.links[(source.name, target.name)]

    def pairing_form(self, primary: LiveSite, backup: LiveSite) -> dict:
        """What the administrator types into the primary's setup form."""
        if self.lan:
            return {
                "backup_host": backup.spec.bind,
                "backup_port": str(backup.port),
                "reverse_host": primary.spec.bind,
                "reverse_port": str(primary.port),
            }
        return {
            "backup_host": "127.0.0.1",
            "backup_port": str(self.link(primary, backup).port),
            "reverse_host": "127.0.0.1",
            "reverse_port": str(self.link(backup, primary).port),
        }

    def pair(self, primary: LiveSite, backup: LiveSite) -> None:
        form = self.pairing_form(primary, backup)
        primary.manage(
            "failover",
            "pair",
            *[
                arg
                for name, value in form.items()
                for arg in (f"--{name.replace('_', '-')}", value)
            ],
        )

    def cut(self, a: LiveSite, b: LiveSite) -> None:
        self.link(a, b).set_cut(True)
        self.link(b, a).set_cut(True)

    def restore(self, a: LiveSite, b: LiveSite) -> None:
        self.link(a, b).set_cut(False)
        self.link(b, a).set_cut(False)

    def close(self) -> None:
        for site in self.sites:
            site.stop()
        for proxy in self.links.values():
            proxy.close()
        for site in self.sites:
            site.close()

    def log_tails(self) -> str:
        return "\n".join(site.log_tails() for site in self.sites)

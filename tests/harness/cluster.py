"""N live sites and the links between them."""

import itertools
import os
import socket
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.harness import backends
from tests.harness.netns import Lan
from tests.harness.proxy import LinkProxy
from tests.harness.site import LiveSite

# Sites' ports come from a range of this test worker's own, below the
# kernel's ephemeral ports: a port the kernel hands out is free again as soon
# as it is closed, and a parallel worker could be handed it before the site
# that was meant to have it starts.
_WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
_PORTS = itertools.cycle(range(20000 + 2000 * _WORKER, 22000 + 2000 * _WORKER))


def free_port() -> int:
    for port in _PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise AssertionError("unreachable: the cycle never ends")


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
        self.key = backends.INTER_SITE_KEY
        self.lan = lan
        names = [f"site-{chr(ord('a') + i)}" for i in range(count)]
        ports = [free_port() for _ in range(count)]
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
                (a.name, b.name): LinkProxy(b.port)
                for a in self.sites
                for b in self.sites
                if a is not b
            }
        )

    def __getitem__(self, index: int) -> LiveSite:
        return self.sites[index]

    def start(self) -> "Cluster":
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
        """Pair through the JSON API (one request; the command line and the
        page have tests of their own)."""
        form = self.pairing_form(primary, backup)
        response = primary.api("POST", "failover/pair", json=form, timeout=30)
        if response.status_code != 200:
            raise RuntimeError(f"pairing {primary.name} with {backup.name}: {response.text}")

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

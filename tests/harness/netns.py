"""A small LAN of network namespaces on a bridge, for tests that need hosts of
their own (root only): the floating-IP tests of the linux backend, with a
client host that watches who answers on the floating IP."""

import fcntl
import ipaddress
import subprocess

# The LAN takes the first 10.99.N.0/24 that no interface on this host is in:
# a LAN left behind by a run that was killed (or another run's) keeps its
# subnet, and a second bridge on the same subnet would make the host route
# to the stale one.
SUBNETS = ipaddress.ip_network("10.99.0.0/16")
LOCK = "/tmp/failover-test-lans.lock"


def _ip(*args: str, netns: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
    prefix = ["ip", "netns", "exec", netns] if netns else []
    return subprocess.run([*prefix, "ip", *args], capture_output=True, text=True, check=check)


def _free_subnet() -> ipaddress.IPv4Network:
    taken = _ip("-4", "-o", "addr", "show").stdout + _ip("-4", "route", "show").stdout
    used = {
        ipaddress.ip_interface(word).network.supernet(new_prefix=24)
        for word in taken.split()
        if word[:1].isdigit() and "." in word and ipaddress.ip_interface(word).ip in SUBNETS
    }
    for subnet in SUBNETS.subnets(new_prefix=24):
        if subnet not in used:
            return subnet
    raise RuntimeError(f"every /24 of {SUBNETS} is in use: remove stale fobr* bridges")


class Lan:
    """A bridge in the host namespace (``.254`` of a free /24) and one
    namespace per host name, each with an ``eth0`` on the bridge (``.1``,
    ``.2``...)."""

    def __init__(self, names: list[str], tag: str):
        self.bridge = f"fobr{tag}"[:15]
        self.hosts: dict[str, tuple[str, str]] = {}
        self.outsides: list[str] = []
        # Parallel test workers build LANs too: one at a time takes a subnet.
        with open(LOCK, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            self.subnet = _free_subnet()
            self.gateway = self.address(254)
            try:
                self._build(names, tag)
            except BaseException:
                self.close()  # a half-built LAN would block the next one's names
                raise

    def _build(self, names: list[str], tag: str) -> None:
        _ip("link", "add", self.bridge, "type", "bridge")
        _ip("addr", "add", f"{self.gateway}/24", "dev", self.bridge)
        _ip("link", "set", self.bridge, "up")
        for number, name in enumerate(names, start=1):
            netns, outside = f"fo{tag}-{number}", f"fo{tag}v{number}"[:15]
            _ip("netns", "add", netns)
            self.hosts[name] = (netns, self.address(number))
            _ip("link", "add", outside, "type", "veth", "peer", "name", "eth0", "netns", netns)
            self.outsides.append(outside)
            _ip("link", "set", outside, "master", self.bridge, "up")
            _ip("addr", "add", f"{self.address(number)}/24", "dev", "eth0", netns=netns)
            _ip("link", "set", "eth0", "up", netns=netns)
            _ip("link", "set", "lo", "up", netns=netns)

    def address(self, host_number: int) -> str:
        """The LAN's address ending in ``host_number``: 100 and up are free
        for floating IPs."""
        return str(self.subnet[host_number])

    def addresses(self, name: str) -> list[str]:
        """The IPv4 addresses on a host's eth0."""
        done = _ip("-4", "-o", "addr", "show", "dev", "eth0", netns=self.hosts[name][0])
        return [line.split()[3].split("/")[0] for line in done.stdout.splitlines()]

    def remove_address(self, name: str, cidr: str) -> None:
        """Take an address off a host's eth0 behind the sites' back (a reboot)."""
        _ip("addr", "del", cidr, "dev", "eth0", netns=self.hosts[name][0])

    def set_link(self, name: str, up: bool) -> None:
        """Unplug (or plug back) a host's cable."""
        _ip("link", "set", "eth0", "up" if up else "down", netns=self.hosts[name][0])

    def close(self) -> None:
        # The kernel tears a deleted namespace's veths down in the background;
        # deleting each pair first frees its name before the next LAN wants it.
        for outside in self.outsides:
            _ip("link", "delete", outside, check=False)
        for netns, _ in self.hosts.values():
            _ip("netns", "delete", netns, check=False)
        _ip("link", "delete", self.bridge, check=False)


def available() -> bool:
    try:
        return (
            _ip("netns", "list", check=False).returncode == 0
            and subprocess.run(["id", "-u"], capture_output=True, text=True).stdout.strip() == "0"
        )
    except OSError:
        return False

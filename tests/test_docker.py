"""The docker/ files, checked without a Docker engine: the compose services run
the README's commands, set only variables the settings read, and the image's
entry points exist."""

import re
import shlex
from pathlib import Path

import pytest
import yaml

from failover_site import launch

ROOT = Path(__file__).resolve().parent.parent
DOCKER = ROOT / "docker"
SITE_SERVICES = ("web", "worker", "beat")


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((DOCKER / "compose.yaml").read_text())


def _readme_commands() -> list[str]:
    """The indented commands of the README's "Running one site by hand"."""
    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("## Running one site by hand") :]
    section = section[: section.index("\n## ", 5)]
    return [line.strip() for line in section.splitlines() if line.startswith("    ")]


def settings_variables() -> set[str]:
    """Every environment variable the settings (and the web server) read."""
    names = set()
    for module in ("settings.py", "web.py", "guarded_protocol.py"):
        text = (ROOT / "failover_site" / module).read_text()
        names |= set(re.findall(r'env\w*\(\s*"([A-Z][A-Z0-9_]+)"', text))
        names |= set(re.findall(r'environ\.get\(\s*"([A-Z][A-Z0-9_]+)"', text))
    return names


def _env_example() -> dict[str, str]:
    lines = (DOCKER / ".env.example").read_text().splitlines()
    pairs = [
        line.lstrip("# ").split("=", 1)
        for line in lines
        if re.match(r"^#? ?[A-Z][A-Z0-9_]+=", line)
    ]
    return dict(pairs)


def test_the_services_are_the_five_expected(compose):
    assert set(compose["services"]) == {"web", "worker", "beat", "postgres", "redis"}
    for name, service in compose["services"].items():
        assert "healthcheck" in service, name


@pytest.mark.parametrize(
    "name,constant", [("web", launch.WEB), ("worker", launch.WORKER), ("beat", launch.BEAT)]
)
def test_each_site_service_runs_the_readmes_command(compose, name, constant):
    command = compose["services"][name]["command"]
    assert command in _readme_commands()
    assert command.startswith(constant)


def test_the_worker_consumes_both_queues(compose):
    assert "--queues health,default" in compose["services"]["worker"]["command"]


def test_site_services_set_only_variables_the_settings_read(compose):
    known = settings_variables()
    for name in SITE_SERVICES:
        service = compose["services"][name]
        assert set(service.get("environment", {})) <= known, name
        assert service["env_file"] == ".env"
    # POSTGRES_PASSWORD is for the postgres service (compose interpolation).
    assert set(_env_example()) - {"POSTGRES_PASSWORD"} <= known


def test_the_env_example_lists_every_setting():
    missing = settings_variables() - set(_env_example())
    assert not missing, f"docker/.env.example lacks {sorted(missing)}"


def test_shared_ips_get_the_hosts_network_and_net_admin(compose):
    for name in SITE_SERVICES:
        service = compose["services"][name]
        assert service["network_mode"] == "host"
        assert "NET_ADMIN" in service["cap_add"]
    assert "failover-data" in compose["volumes"]
    assert any(
        volume.startswith("failover-data:") for volume in compose["services"]["web"]["volumes"]
    )


def _instructions(name: str) -> list[str]:
    text = (DOCKER / "Dockerfile").read_text().replace("\\\n", " ")
    return [line.split(None, 1)[1] for line in text.splitlines() if line.startswith(name + " ")]


def test_the_dockerfile_entry_points_exist():
    import json

    [entrypoint] = _instructions("ENTRYPOINT")
    [script] = json.loads(entrypoint)
    local = ROOT / script.removeprefix("/app/")
    assert local.is_file() and local.stat().st_mode & 0o111
    [cmd] = _instructions("CMD")
    assert shlex.join(json.loads(cmd)) in _readme_commands()
    for copy in _instructions("COPY"):
        for source in copy.split()[:-1]:
            assert (ROOT / source).exists(), source
    assert "USER failover" in (DOCKER / "Dockerfile").read_text()
    assert "collectstatic" in (DOCKER / "Dockerfile").read_text()


def test_the_healthchecks_name_existing_checks(compose):
    checks = (DOCKER / "healthcheck.py").read_text()
    for name in SITE_SERVICES:
        test = compose["services"][name]["healthcheck"]["test"]
        assert test[:3] == ["CMD", "python", "docker/healthcheck.py"]
        assert f'"{test[3]}":' in checks

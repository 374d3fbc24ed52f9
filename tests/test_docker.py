"""The docker/ files, checked without a Docker engine: the compose services run
the README's commands, set only variables the settings (or the docker files)
read, and the image's entry points exist. docker/smoke.sh runs them for real."""

import re
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


def docker_variables() -> set[str]:
    """Variables compose itself interpolates and the health check reads."""
    compose_text = (DOCKER / "compose.yaml").read_text()
    check_text = (DOCKER / "healthcheck.py").read_text()
    return set(re.findall(r"\$\{([A-Z][A-Z0-9_]+)", compose_text)) | set(
        re.findall(r'environ\.get\(\s*"([A-Z][A-Z0-9_]+)"', check_text)
    )


def _with_defaults(command: str) -> str:
    """A compose command with each ${NAME:-default} replaced by its default."""
    return re.sub(r"\$\{[A-Z0-9_]+:-([^}]*)\}", r"\1", command)


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
    assert _with_defaults(command) in _readme_commands()
    assert command.startswith(constant)


def test_the_worker_consumes_both_queues(compose):
    assert "--queues health,default" in compose["services"]["worker"]["command"]


def test_site_services_set_only_variables_the_settings_read(compose):
    known = settings_variables() | docker_variables()
    for name in SITE_SERVICES:
        service = compose["services"][name]
        assert set(service.get("environment", {})) <= known, name
        assert service["env_file"] == ".env"
    assert set(_env_example()) <= known


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
    # compose gives each service its command: the web command lives in one place.
    assert not _instructions("CMD")
    for copy in _instructions("COPY"):
        for source in copy.split()[:-1]:
            assert (ROOT / source).exists(), source
    assert "collectstatic" in (DOCKER / "Dockerfile").read_text()


def test_the_base_image_is_a_build_argument(compose):
    assert _instructions("ARG") == ["BASE_IMAGE=python:3.11-slim"]
    assert _instructions("FROM") == ["${BASE_IMAGE}"]
    assert compose["services"]["web"]["build"]["args"]["BASE_IMAGE"].startswith("${BASE_IMAGE:-")


def test_the_image_is_built_once_and_shared(compose):
    built = [name for name, service in compose["services"].items() if "build" in service]
    assert built == ["web"]
    assert {compose["services"][name]["image"] for name in SITE_SERVICES} == {"failover-console"}
    assert compose["services"]["web"]["build"]["network"] == "host"


def test_the_entrypoint_drops_to_the_app_user_with_the_granted_capabilities():
    dockerfile = (DOCKER / "Dockerfile").read_text()
    entrypoint = (DOCKER / "entrypoint.sh").read_text()
    # iproute2 ignores file capabilities for a non-root user: none are set.
    assert "setcap" not in dockerfile and "libcap2-bin" not in dockerfile
    assert "\nUSER " not in dockerfile
    assert "setpriv --reuid failover --regid failover --init-groups" in entrypoint
    assert "--inh-caps $caps --ambient-caps $caps" in entrypoint
    commands = [line for line in entrypoint.splitlines() if not line.lstrip().startswith("#")]
    assert not any("chown" in line for line in commands)


def test_only_the_web_command_migrates(compose):
    # The entrypoint migrates before the command that binds a port.
    entrypoint = (DOCKER / "entrypoint.sh").read_text()
    assert '*" --bind "*) $as_app python manage.py migrate' in entrypoint
    assert " --bind " in compose["services"]["web"]["command"]
    for name in ("worker", "beat"):
        assert "--bind" not in compose["services"][name]["command"]


def test_the_web_port_is_one_variable_for_the_command_and_the_health_check(compose):
    web = compose["services"]["web"]
    assert web["command"].endswith("--bind 0.0.0.0:${FAILOVER_PORT:-8443}")
    assert web["environment"]["FAILOVER_PORT"] == "${FAILOVER_PORT:-8443}"
    assert 'environ.get("FAILOVER_PORT", "8443")' in (DOCKER / "healthcheck.py").read_text()
    assert _env_example()["FAILOVER_PORT"] == "8443"


def test_the_database_password_needs_no_url_encoding(compose):
    environment = compose["services"]["web"]["environment"]
    assert "@127.0.0.1" in environment["DATABASE_URL"]
    assert ":" not in environment["DATABASE_URL"].split("//", 1)[1].split("@", 1)[0]
    assert environment["DATABASE_PASSWORD"].startswith("${POSTGRES_PASSWORD:?")


def test_the_env_example_works_as_it_is():
    example = _env_example()
    # The container's health check asks http(s)://127.0.0.1:PORT/-/alive.
    assert "127.0.0.1" in example["ALLOWED_HOSTS"].split(",")
    # Secure cookies over plain HTTP break sign-in ("CSRF cookie not set").
    assert example["SESSION_COOKIE_SECURE"] == "0"
    assert len(example["SECRET_KEY"]) >= 50


def test_the_build_context_leaves_out_local_state_and_secrets():
    ignored = (ROOT / ".dockerignore").read_text().split()
    for path in (".git", ".venv", "var", "docker/.env", "docker/tls"):
        assert path in ignored, path


def test_the_redis_transport_is_declared():
    # kombu's Redis transport imports `packaging`, which only celery's extra brings.
    assert '"celery[redis]' in (ROOT / "pyproject.toml").read_text()


def test_the_smoke_run_uses_redis_databases_the_harness_leaves_alone():
    from tests.parallel import TEST_DATABASES

    smoke = (DOCKER / "smoke.sh").read_text()
    numbers = {int(n) for n in re.findall(r"\[site-[ab]\]=(\d+)", smoke)}
    assert numbers == {13, 14}
    assert not numbers & set(TEST_DATABASES)


def test_the_healthchecks_name_existing_checks(compose):
    checks = (DOCKER / "healthcheck.py").read_text()
    for name in SITE_SERVICES:
        test = compose["services"][name]["healthcheck"]["test"]
        assert test[:3] == ["CMD", "python", "docker/healthcheck.py"]
        assert f'"{test[3]}":' in checks

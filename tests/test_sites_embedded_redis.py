"""The embedded Redis: a site's broker, cache and nonce store when
CELERY_BROKER_URL is unset. It keeps queued messages across a restart, and
the launcher leaves none of a site's processes behind."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from failover_site import embedded_redis
from failover_site.launch import BASE_DIR, SiteSpec
from tests.fixtures.waiting import wait_for
from tests.harness.cluster import free_port

pytestmark = pytest.mark.sites

_HEARTBEATS = (
    "from failover.models import QueueHeartbeat as Q; "
    "print(Q.objects.filter(queue='default').count())"
)


def _default_heartbeats(site) -> int:
    return int(site.manage("shell", "-c", _HEARTBEATS).stdout.split()[-1])


@pytest.mark.parametrize("how", ["stop", "kill"])
def test_a_queued_task_survives_a_restart_of_the_embedded_redis(cluster_factory, how):
    site = cluster_factory(1, env={"CELERY_BROKER_URL": ""})[0]
    socket = site.spec.embedded_redis
    site.kill(["worker", "beat"])
    site.manage(
        "shell",
        "-c",
        "from failover.models import QueueHeartbeat; QueueHeartbeat.objects.all().delete(); "
        "from failover.tasks import heartbeat; heartbeat.apply_async(queue='default')",
    )
    assert _default_heartbeats(site) == 0

    if how == "stop":
        site.processes.stop(roles=["redis"])
    else:
        site.kill(["redis"])
    assert not embedded_redis.answers(socket)
    site.start(["redis", "worker"])

    wait_for(lambda: _default_heartbeats(site) == 1, 30, 0.5, "the queued heartbeat to run")


def _processes_under(pid: int) -> set[int]:
    """``pid`` and every process descended from it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        current = todo.pop()
        found.add(current)
        todo.extend(children.get(current, []))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_the_launcher_starts_a_whole_site_and_ctrl_c_leaves_no_process(tmp_path):
    env = {
        **os.environ,
        "CELERY_BROKER_URL": "",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "FAILOVER_VAR_DIR": str(tmp_path / "var"),
        "FAILOVER_SITE_NAME": "by-hand",
    }
    migrate = [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"]
    subprocess.run(migrate, cwd=BASE_DIR, env=env, check=True, capture_output=True)
    port = free_port()
    launcher = subprocess.Popen(
        [sys.executable, "-m", "failover_site.launch", "--bind", f"127.0.0.1:{port}"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:

        def web_answers():
            try:
                return requests.get(f"http://127.0.0.1:{port}/-/alive", timeout=1).ok
            except requests.RequestException:
                return False

        wait_for(web_answers, 60, 0.2, "the launched site's web server")
        socket = embedded_redis.socket_path((tmp_path / "var").resolve())
        assert embedded_redis.answers(socket)
        processes = _processes_under(launcher.pid) - {launcher.pid}
        # Redis, the web server and its workers, the worker and its pool, beat.
        assert len(processes) >= 6

        launcher.send_signal(signal.SIGINT)
        output = launcher.communicate(timeout=60)[0].decode()
    finally:
        if launcher.poll() is None:
            launcher.kill()
    assert launcher.returncode == 0, output
    wait_for(lambda: not any(_alive(pid) for pid in processes), 10, 0.1, "no process left")
    assert not embedded_redis.answers(socket)
    assert not socket.exists()


@pytest.mark.parametrize("role", ["web", "worker", "beat"])
def test_a_process_started_without_its_broker_says_how_to_start_it(tmp_path, role):
    env = {**os.environ, "CELERY_BROKER_URL": "", "FAILOVER_VAR_DIR": str(tmp_path)}
    command = SiteSpec("alone", free_port(), tmp_path, env=env).commands()[role]
    done = subprocess.run(
        command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode != 0
    assert "the embedded Redis does not answer" in done.stdout + done.stderr
    assert "python -m failover_site.embedded_redis" in done.stdout + done.stderr

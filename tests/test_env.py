import os
import subprocess
import sys

import pytest

from failover_site.env import (
    SettingError,
    envbool,
    envchoice,
    envfloat,
    envint,
    envlist,
    envnetworks,
    envstr,
)


def test_envbool(monkeypatch):
    monkeypatch.setenv("X", "yes")
    assert envbool("X", False) is True
    monkeypatch.setenv("X", "0")
    assert envbool("X", True) is False
    monkeypatch.setenv("X", "maybe")
    with pytest.raises(SettingError, match="X must be a boolean"):
        envbool("X", True)
    monkeypatch.delenv("X")
    assert envbool("X", True) is True


def test_envint_and_envfloat(monkeypatch):
    monkeypatch.setenv("N", "12")
    assert envint("N", 1) == 12
    monkeypatch.setenv("N", "twelve")
    with pytest.raises(SettingError, match="N must be an integer"):
        envint("N", 1)
    monkeypatch.setenv("F", "0.5")
    assert envfloat("F", 2.0, minimum=0.2, maximum=10) == 0.5
    monkeypatch.setenv("F", "0.1")
    with pytest.raises(SettingError, match="between 0.2 and 10"):
        envfloat("F", 2.0, minimum=0.2, maximum=10)


def test_envstr_reads_secrets_from_files(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cret\n")
    monkeypatch.setenv("S_FILE", str(secret))
    assert envstr("S") == "s3cret"
    monkeypatch.setenv("S_FILE", str(tmp_path / "missing"))
    with pytest.raises(SettingError, match="cannot read"):
        envstr("S")


def test_envchoice(monkeypatch):
    monkeypatch.setenv("C", "linux")
    assert envchoice("C", "none", ("none", "linux")) == "linux"
    monkeypatch.setenv("C", "windows")
    with pytest.raises(SettingError, match="one of none, linux"):
        envchoice("C", "none", ("none", "linux"))


@pytest.mark.parametrize(
    "read,text,expected",
    [
        (lambda: envstr("V"), "a secret\n", "a secret"),
        (lambda: envbool("V", False), "on\n", True),
        (lambda: envint("V", 1), "42\n", 42),
        (lambda: envfloat("V", 1.0, minimum=0, maximum=10), "2.5", 2.5),
        (lambda: envlist("V"), "a, b,c", ["a", "b", "c"]),
        (lambda: envchoice("V", "none", ("none", "linux")), "linux\n", "linux"),
        (lambda: [str(n) for n in envnetworks("V")], "10.0.0.0/8\n", ["10.0.0.0/8"]),
    ],
    ids=["str", "bool", "int", "float", "list", "choice", "networks"],
)
def test_every_type_reads_name_file(monkeypatch, tmp_path, read, text, expected):
    path = tmp_path / "value"
    path.write_text(text)
    monkeypatch.setenv("V", "ignored: the file wins")
    monkeypatch.setenv("V_FILE", str(path))
    assert read() == expected


def test_a_malformed_value_in_a_file_is_refused_by_name(monkeypatch, tmp_path):
    path = tmp_path / "value"
    path.write_text("maybe")
    monkeypatch.setenv("FLAG_FILE", str(path))
    with pytest.raises(SettingError, match="FLAG must be a boolean"):
        envbool("FLAG", False)


def test_not_a_number_is_refused(monkeypatch):
    monkeypatch.setenv("F", "nan")
    with pytest.raises(SettingError, match="F must be between"):
        envfloat("F", 1.0, minimum=0, maximum=10)


def _settings_in_a_process(tmp_path, show="DEBUG", **env) -> subprocess.CompletedProcess:
    """Load the settings in a fresh process with only ``env`` set (and PATH),
    and print the setting ``show``."""
    env = {
        "PATH": os.environ["PATH"],
        "FAILOVER_VAR_DIR": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "failover_site.settings",
        **env,
    }
    return subprocess.run(
        [sys.executable, "-c", f"from django.conf import settings; print(settings.{show})"],
        env=env,
        capture_output=True,
        text=True,
    )


def test_debug_is_off_without_environment(tmp_path):
    done = _settings_in_a_process(tmp_path, SECRET_KEY="k" * 50)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_debug_off_needs_a_secret_key(tmp_path):
    done = _settings_in_a_process(tmp_path)
    assert done.returncode != 0
    assert "SECRET_KEY must be set, at least 50 characters long, when DEBUG is off" in done.stderr


def test_debug_off_refuses_a_short_secret_key(tmp_path):
    done = _settings_in_a_process(tmp_path, SECRET_KEY="k" * 49)
    assert done.returncode != 0
    assert "(it has 49)" in done.stderr


def test_debug_on_runs_with_a_development_key(tmp_path):
    done = _settings_in_a_process(tmp_path, DEBUG="1")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"


def test_hsts_comes_from_the_environment(tmp_path):
    done = _settings_in_a_process(
        tmp_path, "SECURE_HSTS_SECONDS", SECRET_KEY="k" * 50, SECURE_HSTS_SECONDS="31536000"
    )
    assert done.stdout.strip() == "31536000", done.stderr
    assert _settings_in_a_process(tmp_path, "SECURE_HSTS_SECONDS", DEBUG="1").stdout.strip() == "0"


def test_a_broker_other_than_redis_is_refused(tmp_path):
    done = _settings_in_a_process(tmp_path, DEBUG="1", CELERY_BROKER_URL="amqp://guest@host//")
    assert done.returncode != 0
    assert "CELERY_BROKER_URL must be a Redis URL" in done.stderr


def test_debug_reads_debug_file(tmp_path):
    flag = tmp_path / "debug"
    flag.write_text("1\n")
    done = _settings_in_a_process(tmp_path, DEBUG_FILE=str(flag))
    assert done.stdout.strip() == "True", done.stderr


def test_a_database_password_apart_from_the_url_may_hold_any_character(tmp_path):
    import os
    import subprocess
    import sys

    env = dict(
        os.environ,
        DEBUG="1",
        FAILOVER_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="failover_site.settings",
        DATABASE_URL="postgres://failover@127.0.0.1:5432/failover",
        DATABASE_PASSWORD="p@ss:w/rd?#%&=+",
    )
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings; db = settings.DATABASES['default'];"
            "print(db['USER'], db['PASSWORD'], db['HOST'], db['NAME'])",
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.stdout.split() == ["failover", "p@ss:w/rd?#%&=+", "127.0.0.1", "failover"]


def test_json_log_lines_carry_the_event():
    import json
    import logging

    from failover_site.log_format import JsonFormatter

    record = logging.LogRecord(
        "failover.events", logging.INFO, __file__, 1, "became primary", None, None
    )
    record.event_kind, record.actor = "failover", "system"
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "became primary"
    assert line["event_kind"] == "failover" and line["actor"] == "system"
    assert line["level"] == "INFO"


def test_metrics_networks_are_validated(monkeypatch):
    from failover_site.env import envnetworks

    monkeypatch.setenv("NETS", "10.0.0.0/8, ::1")
    assert [str(n) for n in envnetworks("NETS")] == ["10.0.0.0/8", "::1/128"]
    monkeypatch.setenv("NETS", "10.0.0.0/8,nope")
    with pytest.raises(SettingError, match="'nope' is not an IP address or network"):
        envnetworks("NETS")

import pytest

from failover_site.env import SettingError, envbool, envchoice, envfloat, envint, envstr


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


def test_the_settings_refuse_debug_off_without_a_secret_key(tmp_path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "SECRET_KEY"}
    env.update(
        DEBUG="0", FAILOVER_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="failover_site.settings"
    )
    done = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in done.stderr


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

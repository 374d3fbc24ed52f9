"""`python manage.py failover ...`: its exit status and output. Most tests
run the command in this process; a few run it as a real process, as an
administrator would."""

import json

import pytest

from failover.models import BackupSettings, InterSiteKey, SharedIP, StatusEvent
from tests.fixtures.processes import manage, run_command

pytestmark = pytest.mark.django_db
in_a_real_process = pytest.mark.django_db(transaction=True)


def failover(*args, stdin=""):
    return run_command("failover", *args, stdin=stdin)


@in_a_real_process
def test_status_json_has_the_documented_keys():
    SharedIP.objects.create(address="192.0.2.10", prefix=24, interface="eth0", is_failover=True)
    done = manage("failover", "status", "--json")
    assert done.returncode == 0, done.stderr
    status = json.loads(done.stdout)
    for key in (
        "hostname",
        "role",
        "epoch",
        "peer",
        "enabled_shared_ips",
        "last_data_sync_time",
        "last_data_sync_status",
        "continuous_sync",
        "sync_lag_seconds",
        "version",
    ):
        assert key in status
    assert status["role"] == "none"
    assert status["peer"] is None
    assert status["enabled_shared_ips"] == ["192.0.2.10/24"]
    assert status["continuous_sync"] is True and status["sync_lag_seconds"] is None


def test_status_without_json_is_a_readable_summary():
    done = failover("status")
    assert done.returncode == 0
    assert "Role:" in done.stdout and "standalone" in done.stdout


def test_settings_prints_json():
    done = failover("settings")
    assert json.loads(done.stdout)["primary_timeout"] == 60


def test_settings_changes_with_validation_and_an_event():
    done = failover(
        "settings",
        "--primary-timeout",
        "30",
        "--auto-failover",
        "off",
        "--test-ip",
        "192.0.2.1",
        "--test-ip",
        "example.com:443",
        "--bandwidth-limit",
        "50",
        "--sync-interval",
        "0",
    )
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert printed["primary_timeout"] == 30
    saved = BackupSettings.load()
    assert saved.primary_timeout == 30
    assert not saved.auto_failover_enabled
    assert saved.backup_operations_enabled
    assert saved.test_ips == ["192.0.2.1", "example.com:443"]
    assert saved.sync_interval == 0
    assert StatusEvent.objects.get().actor.endswith("(command line)")

    done = failover("settings", "--clear-test-ips", "--test-ip", "192.0.2.9")
    assert BackupSettings.load().test_ips == ["192.0.2.9"]


@pytest.mark.parametrize(
    "args,reason",
    [
        (
            ["--primary-timeout", "2"],
            "--primary-timeout: Ensure this value is greater than or equal to 3",
        ),
        (["--primary-timeout", "x"], "--primary-timeout: Enter a whole number"),
        (["--test-ip", "nonsense"], "--test-ip: 'nonsense' is not an IP address"),
        (["--bandwidth-limit", "-1"], "--bandwidth-limit"),
    ],
)
def test_bad_settings_exit_non_zero_and_change_nothing(args, reason):
    done = failover("settings", *args)
    assert done.returncode != 0
    assert reason in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert BackupSettings.load().primary_timeout == 60
    assert not StatusEvent.objects.exists()


def test_bad_option_values_are_refused_by_the_parser():
    done = failover("settings", "--auto-failover", "maybe")
    assert done.returncode != 0
    assert "invalid choice" in done.stderr


def test_shared_ip_add_check_uncheck_remove():
    assert failover("shared-ip", "add", "192.0.2.10/24", "--interface", "eth0").returncode == 0
    assert SharedIP.objects.get().is_failover
    assert failover("shared-ip", "uncheck", "192.0.2.10").returncode == 0
    assert not SharedIP.objects.get().is_failover
    assert failover("shared-ip", "check", "192.0.2.10").returncode == 0
    assert SharedIP.objects.get().is_failover
    listed = json.loads(failover("shared-ip", "list", "--json").stdout)
    assert {
        "address": "192.0.2.10",
        "prefix": 24,
        "interface": "eth0",
        "failover": True,
        "state": "down",
        "error": None,
    } in listed
    assert failover("shared-ip", "remove", "192.0.2.10").returncode == 0
    assert not SharedIP.objects.exists()


@pytest.mark.parametrize(
    "args,reason",
    [
        (["add", "192.0.2.300/24", "--interface", "eth0"], "not an IPv4 or IPv6 address"),
        (["add", "192.0.2.1/24", "--interface", "bad name"], "not a network interface name"),
        (["remove", "192.0.2.99"], "is not in the list"),
        (["check", "203.0.113.200"], "not an address of this host"),
    ],
)
def test_bad_shared_ip_commands_fail_cleanly(args, reason):
    done = failover("shared-ip", *args)
    assert done.returncode != 0
    assert reason in done.stderr
    assert not SharedIP.objects.exists()


@in_a_real_process
def test_set_key_reads_standard_input():
    key = "z" * 40
    done = manage("failover", "set-key", stdin=key + "\n")
    assert done.returncode == 0, done.stderr
    assert InterSiteKey.current() == key


def test_set_key_refuses_a_short_key():
    done = failover("set-key", stdin="short\n")
    assert done.returncode != 0
    assert "at least 32 characters" in done.stderr
    assert InterSiteKey.current() == ""


@in_a_real_process
def test_set_key_says_when_the_environment_overrides():
    done = manage("failover", "set-key", stdin="y" * 40, env={"FAILOVER_INTER_SITE_KEY": "x" * 40})
    assert done.returncode == 0
    assert "overrides" in done.stdout


@in_a_real_process
def test_a_failure_exits_non_zero_with_a_one_line_reason():
    done = manage("failover", "settings", "--primary-timeout", "2")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "CommandError: --primary-timeout: Ensure this value is greater than or equal to 3."
    ]


def test_an_unknown_subcommand_is_an_error():
    done = failover("frobnicate")
    assert done.returncode != 0
    assert "invalid choice" in done.stderr

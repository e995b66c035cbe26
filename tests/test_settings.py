"""Start-up checks of the environment variables read in integrity/settings.py.

Each case runs `manage.py check` in a fresh process, because settings are
read once at import.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
CHECK_TIMEOUT_SECONDS = 60


def run_check(**variables):
    """Run manage.py check with a production-like environment plus variables (None removes one)."""
    environment = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "DEBUG"}}
    environment["SECRET_KEY"] = "settings-test-secret"
    for name, value in variables.items():
        if value is None:
            environment.pop(name, None)
        else:
            environment[name] = value
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=CHECK_TIMEOUT_SECONDS,
    )


def test_defaults_pass():
    result = run_check()

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DEBUG", "maybe", "DEBUG='maybe' is not a boolean: set it to true or false."),
        ("TIME_ZONE", "Mars/Olympus", "TIME_ZONE='Mars/Olympus' is not a known time zone"),
        ("TIME_ZONE", "", "TIME_ZONE='' is not a known time zone"),
        ("DATABASE_URL", "nonsense", "DATABASE_URL='nonsense' names an unsupported database"),
        ("DATABASE_URL", "mysql://u@h/db", "DATABASE_URL='mysql://u@h/db' names an unsupported database"),
        ("DATABASE_URL", "postgres://u@h:port/db", "DATABASE_URL='postgres://u@h:port/db' is not a database URL"),
        ("DATABASE_URL", "postgres://u@h:5432", "DATABASE_URL='postgres://u@h:5432' names no database"),
        ("WIREGUARD_IPV4_POOL", "10.64.0.1/10", "WIREGUARD_IPV4_POOL='10.64.0.1/10' is not a network"),
        ("WIREGUARD_IPV4_POOL", "fc00::/64", "WIREGUARD_IPV4_POOL='fc00::/64' is not an IPv4 network."),
        ("WIREGUARD_IPV4_POOL", "10.0.0.0/31", "WIREGUARD_IPV4_POOL='10.0.0.0/31' is too small"),
        ("WIREGUARD_IPV6_POOL", "10.0.0.0/8", "WIREGUARD_IPV6_POOL='10.0.0.0/8' is not an IPv6 network."),
        ("WIREGUARD_MAX_KEYS_PER_USER", "five", "WIREGUARD_MAX_KEYS_PER_USER='five' is not an integer"),
        ("WIREGUARD_MAX_KEYS_PER_USER", "0", "WIREGUARD_MAX_KEYS_PER_USER=0 is too small: set at least 1."),
        ("TRUSTED_PROXIES", "10.0.0.0/33", "TRUSTED_PROXIES contains '10.0.0.0/33'"),
        ("TRUSTED_PROXIES", "127.0.0.1,proxy.local", "TRUSTED_PROXIES contains 'proxy.local'"),
        ("CACHE_URL", "bogus://", "CACHE_URL='bogus://' is not a cache URL"),
        ("API_RATE_LIMIT_PER_MINUTE", "0", "API_RATE_LIMIT_PER_MINUTE=0 is too small: set at least 1."),
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL='LOUD' is not a log level"),
    ],
)
def test_bad_value_stops_start_up(name, value, message):
    result = run_check(**{name: value})

    assert result.returncode == 1
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_database_url_password_not_shown():
    result = run_check(DATABASE_URL="postgres://user:hunter2-secret@db:notaport/integrity")

    assert result.returncode == 1
    assert "DATABASE_URL='postgres://user:***@db:notaport/integrity'" in result.stderr
    assert "hunter2-secret" not in result.stderr


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8,::1"),
        ("WIREGUARD_IPV4_POOL", "100.64.0.0/16"),
        ("DATABASE_URL", "sqlite:////tmp/integrity-settings-test.sqlite3"),
        ("DATABASE_URL", "postgres://user:password@db.example:5432/integrity"),
        ("CACHE_URL", "redis://cache.example:6379/1"),
        ("TIME_ZONE", "Europe/Stockholm"),
        ("DEBUG", "off"),
    ],
)
def test_good_value_passes(name, value):
    result = run_check(**{name: value})

    assert result.returncode == 0, result.stderr


def test_secret_key_required_without_debug():
    result = run_check(SECRET_KEY=None)

    assert result.returncode == 1
    assert "SECRET_KEY is not set: set it to a long random string, or set DEBUG=true." in result.stderr


def test_empty_secret_key_rejected():
    result = run_check(SECRET_KEY="")

    assert result.returncode == 1
    assert "SECRET_KEY is not set" in result.stderr


def test_secret_key_optional_with_debug():
    result = run_check(SECRET_KEY=None, DEBUG="true")

    assert result.returncode == 0, result.stderr


def test_secret_key_starting_with_dollar_is_kept():
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    environment = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    environment.update(SECRET_KEY="$not-a-variable-reference", DJANGO_SETTINGS_MODULE="integrity.settings")

    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=CHECK_TIMEOUT_SECONDS,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "$not-a-variable-reference"

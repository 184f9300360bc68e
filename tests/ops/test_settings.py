"""Every bad setting stops start-up naming its variable and what was expected
(roadmap/settings.py), and `check` fails on a cache that cannot be used (roadmap/checks.py).
Each case runs `manage.py check` in a fresh process with the bad value in its environment."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def manage_check(*args: str, **env: str) -> subprocess.CompletedProcess:
    base = {key: os.environ[key] for key in ("PATH", "HOME") if key in os.environ}
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**base, "GAPMAP_VAR_DIR": str(ROOT / "var"), **env},
        timeout=60,
    )


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("LOG_LEVEL", "LOUD", "DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        ("LOG_FORMAT", "xml", "plain, json"),
        ("AXES_LOG_LEVEL", "chatty", "DEBUG, INFO"),
        ("DATABASE_URL", "postgres://gapmap:secret@db:notaport/gapmap", "postgres://"),
        ("DATABASE_URL", "mysqlx://db/gapmap", "postgres://"),
        ("DATABASE_URL", "postgres://db:5432", "names no database"),
        ("CACHE_URL", "memcached://cache:11211", "redis://"),
        ("CACHE_URL", "redis://cache:99999/1", "redis://"),
        ("REDIS_URL", "amqp://broker:5672//", "redis://"),
        ("REDIS_URL", "redis://", "names no host"),
        ("EMAIL_PORT", "smtp", "an integer from 1 to 65535"),
        ("EMAIL_PORT", "70000", "an integer from 1 to 65535"),
        ("EMAIL_TIMEOUT", "0", "an integer of at least 1"),
        ("EMAIL_USE_TLS", "maybe", "true or false"),
        ("EMAIL_HOST", "smtp.example.com:587", "EMAIL_PORT"),
        ("EMAIL_BACKEND", "smtp", "dotted path"),
        ("DEFAULT_FROM_EMAIL", "Gapmap", "user@example.com"),
        ("AXES_FAILURE_LIMIT", "0", "at least 1"),
    ],
)
def test_a_bad_value_stops_start_up_naming_the_variable(name, value, expected):
    result = manage_check(**{name: value})

    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert f"{name}=" in last_line
    assert expected in last_line


def test_a_database_password_is_not_printed():
    result = manage_check(DATABASE_URL="postgres://gapmap:hunter2@db:notaport/gapmap")

    assert result.returncode != 0
    assert "hunter2" not in result.stderr


@pytest.mark.parametrize(
    "value", ["redis://127.0.0.1:6379/notanumber", "redis://127.0.0.1:6379/1?no_such_option=1"]
)
def test_check_deploy_fails_on_an_unusable_cache_url(value):
    result = manage_check("--deploy", CACHE_URL=value)

    assert result.returncode != 0
    assert "gapmap.E001" in result.stderr
    assert "CACHE_URL" in result.stderr


def test_check_fails_on_an_e_mail_backend_that_does_not_import():
    result = manage_check(EMAIL_BACKEND="gapmap.no_such.Backend")

    assert result.returncode != 0
    assert "gapmap.E002" in result.stderr


def test_good_values_pass():
    result = manage_check(
        LOG_LEVEL="warning",
        LOG_FORMAT="JSON",
        CACHE_URL="redis://127.0.0.1:6379/1",
        REDIS_URL="rediss://127.0.0.1:6380/0",
        EMAIL_PORT="465",
        DATABASE_URL="sqlite:///" + str(ROOT / "var" / "check.sqlite3"),
    )

    assert result.returncode == 0, result.stderr

"""Argon2 first; a PBKDF2 hash from before the switch becomes Argon2 at the next log-in."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.urls import reverse

from tests import factories

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]


def test_the_production_settings_hash_with_argon2_first():
    # The suite swaps in a fast hasher; a fresh interpreter reads the real settings.
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "from django.contrib.auth.hashers import get_hasher; "
            "print(get_hasher().algorithm, ' '.join(settings.PASSWORD_HASHERS))",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"DJANGO_SETTINGS_MODULE": "roadmap.settings", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    algorithm, hashers = result.stdout.split(" ", 1)
    assert algorithm == "argon2"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in hashers


@pytest.mark.django_db
def test_a_pbkdf2_hash_is_upgraded_to_argon2_at_the_next_login(client, settings):
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS
    user = factories.LearnerFactory(email="old@example.com")
    # A hash made before the switch (few iterations, to keep the test fast).
    user.password = PBKDF2PasswordHasher().encode(factories.PASSWORD, "oldsalt", iterations=1000)
    user.save(update_fields=["password"])

    response = client.post(
        reverse("accounts:login"),
        {"username": "old@example.com", "password": factories.PASSWORD},
    )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$")
    assert user.check_password(factories.PASSWORD)

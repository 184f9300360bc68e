"""RELIABILITY 15-17: production settings pass `check --deploy`, settings fail loudly on bad
values, a strict CSP with per-request nonces, and CSRF for htmx requests."""

import json
import os
import re
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests import factories

BASE_DIR = Path(__file__).resolve().parent.parent


def _manage(args, tmp_path, **env):
    environment = {
        key: value
        for key, value in os.environ.items()
        # A clean production-like environment: none of the developer's or pytest's overrides
        # (conftest sets DJANGO_ALLOW_ASYNC_UNSAFE for Playwright) leak in.
        if not key.startswith(
            ("DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "EMAIL_")
        )
        and not key.startswith(("SECURE_", "AXES_"))
    }
    environment.update(
        GAPMAP_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="roadmap.settings", **env
    )
    return subprocess.run(
        [sys.executable, str(BASE_DIR / "manage.py"), *args],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _random_secret() -> str:
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(50))


# --- RELIABILITY 15: production settings ----------------------------------------------------------


def test_check_deploy_passes_with_production_settings(tmp_path):
    result = _manage(
        ["check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        DEBUG="false",
        SECRET_KEY=_random_secret(),
        ALLOWED_HOSTS="gapmap.example.com",
        BADGE_SIGNING_KEYS=_badge_keys(),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _badge_keys() -> str:
    import json

    from roadmap.services.credentials import key_new

    return json.dumps([key_new("deploy-test")])


def test_check_deploy_fails_without_badge_signing_keys(tmp_path):
    result = _manage(
        ["check", "--deploy", "--fail-level", "WARNING"],
        tmp_path,
        DEBUG="false",
        SECRET_KEY=_random_secret(),
        ALLOWED_HOSTS="gapmap.example.com",
    )
    assert result.returncode != 0
    assert "gapmap.E003" in result.stdout + result.stderr
    assert "BADGE_SIGNING_KEYS" in result.stdout + result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _manage(["check"], tmp_path, DEBUG="false", ALLOWED_HOSTS="gapmap.example.com")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    "name, value",
    [("DEBUG", "maybe"), ("AXES_FAILURE_LIMIT", "lots"), ("SECURE_HSTS_SECONDS", "1y")],
)
def test_a_bad_setting_value_stops_the_app_and_names_the_variable(tmp_path, name, value):
    result = _manage(["check"], tmp_path, **{name: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{name}={value!r}" in result.stderr


# --- RELIABILITY 16: Content Security Policy ------------------------------------------------------


def _csp(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", ["home", "accounts:login", "accounts:signup"])
def test_pages_carry_a_strict_csp_with_a_nonce(client, url_name):
    csp = _csp(client.get(reverse(url_name)))
    assert any(value.startswith("'nonce-") for value in csp["script-src"])
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
def test_signed_in_pages_carry_the_csp_too(client):
    client.force_login(factories.LearnerFactory())
    assert "'nonce-" in client.get(reverse("roadmap:profile")).headers["Content-Security-Policy"]


@pytest.mark.django_db
def test_nonce_differs_per_request_and_matches_the_htmx_script_tag(client):
    nonces = []
    for _ in range(2):
        response = client.get(reverse("accounts:login"))
        nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
        html = response.content.decode()
        htmx_tag = re.search(r"<script[^>]*htmx[^>]*>", html).group(0)
        assert f'nonce="{nonce}"' in htmx_tag
        # Every script tag carries the nonce; none is inline without one.
        for tag in re.findall(r"<script[^>]*>", html):
            assert f'nonce="{nonce}"' in tag, tag
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


@pytest.mark.django_db
def test_pages_have_no_inline_style_attributes(client):
    for name in ["home", "accounts:login", "accounts:signup", "accounts:password_reset"]:
        assert " style=" not in client.get(reverse(name)).content.decode(), name


# --- RELIABILITY 17: CSRF with htmx ---------------------------------------------------------------


def _hx_headers_token(html: str) -> str:
    match = re.search(r"<body[^>]*hx-headers='([^']+)'", html)
    assert match, "<body> has no hx-headers attribute"
    return json.loads(match.group(1))["x-csrftoken"]


@pytest.mark.django_db
def test_body_carries_the_csrf_token_for_htmx():
    client = Client(enforce_csrf_checks=True)
    token = _hx_headers_token(client.get(reverse("accounts:login")).content.decode())
    assert len(token) >= 32


@pytest.mark.django_db
def test_htmx_post_without_the_csrf_header_is_refused():
    user = factories.LearnerFactory(full_name="Before")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get(reverse("roadmap:profile"))  # sets the CSRF cookie
    response = client.post(
        reverse("roadmap:profile"), {"full_name": "After"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 403
    user.refresh_from_db()
    assert user.full_name == "Before"


@pytest.mark.django_db
def test_htmx_post_with_the_header_from_body_is_accepted():
    user = factories.LearnerFactory(full_name="Before", timezone="UTC")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    token = _hx_headers_token(client.get(reverse("roadmap:profile")).content.decode())
    response = client.post(
        reverse("roadmap:profile"),
        {"full_name": "After", "timezone": "UTC", "weekly_hours": "5"},
        headers={"HX-Request": "true", "X-CSRFToken": token},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.full_name == "After"


def _all_patterns(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            namespace = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
            yield from _all_patterns(pattern, namespace)
        elif isinstance(pattern, URLPattern):
            yield f"{prefix}{pattern.name or pattern.pattern}", pattern.callback


def test_the_only_csrf_exempt_views_are_unsubscribe():
    """RFC 8058 one-click unsubscribe must work without a token; nothing else may."""
    exempt = sorted(name for name, view in _all_patterns() if getattr(view, "csrf_exempt", False))
    assert [name for name in exempt if "unsubscribe" not in name] == [], exempt

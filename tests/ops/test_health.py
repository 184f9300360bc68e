"""/health/: 503 only when the database fails; broker and cache "degraded" with 200; within 1 s
even when Redis hangs; no HTTPS redirect; ?strict=1 fails on anything."""

import time

import pytest
from django.db import connection
from django.urls import reverse

from roadmap.celery import app as celery_app
from tests.services import free_port, frozen, running_redis_process

CLOSED = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there


def _redis_cache(settings, url):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


@pytest.fixture(scope="module")
def redis_process():
    with running_redis_process() as (url, proc):
        yield url, proc


@pytest.mark.django_db
def test_health_reports_every_dependency_ok(client):
    response = client.get(reverse("roadmap:health"))

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": True, "broker": True, "cache": True}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_a_broker_on_a_closed_port_is_degraded_not_down(client, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", CLOSED)

    response = client.get(reverse("roadmap:health"))

    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"] == {"database": True, "broker": False, "cache": True}


@pytest.mark.django_db
def test_a_cache_on_a_closed_port_is_degraded_not_down(client, settings):
    _redis_cache(settings, CLOSED)

    response = client.get(reverse("roadmap:health"))

    assert response.status_code == 200
    assert response.json()["checks"] == {"database": True, "broker": True, "cache": False}


@pytest.mark.django_db
def test_strict_fails_on_a_broker_that_is_down(client, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", CLOSED)

    response = client.get(reverse("roadmap:health"), {"strict": "1"})

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["strict"] is True


@pytest.mark.django_db
def test_strict_is_ok_when_everything_is(client):
    assert client.get(reverse("roadmap:health"), {"strict": "1"}).status_code == 200


@pytest.mark.django_db
def test_a_failing_database_answers_503(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise connection.Database.OperationalError("database is down")

    monkeypatch.setattr(connection, "cursor", broken_cursor)

    response = client.get(reverse("roadmap:health"))

    assert response.status_code == 503
    assert response.json()["checks"]["database"] is False


@pytest.mark.redis
@pytest.mark.django_db
def test_a_real_redis_broker_and_cache_are_ok(client, settings, monkeypatch, redis_process):
    url, _proc = redis_process
    monkeypatch.setattr(celery_app.conf, "broker_url", url)
    _redis_cache(settings, url.replace("/0", "/1"))

    response = client.get(reverse("roadmap:health"))

    assert response.json()["checks"] == {"database": True, "broker": True, "cache": True}


@pytest.mark.redis
@pytest.mark.django_db
def test_a_frozen_redis_as_broker_and_cache_answers_degraded_within_1_second(
    client, settings, monkeypatch, redis_process
):
    url, proc = redis_process
    monkeypatch.setattr(celery_app.conf, "broker_url", url)
    _redis_cache(settings, url.replace("/0", "/1"))

    with frozen(proc):
        start = time.monotonic()
        response = client.get(reverse("roadmap:health"))
        took = time.monotonic() - start
        strict = client.get(reverse("roadmap:health"), {"strict": "1"})

    assert response.status_code == 200
    assert response.json()["checks"] == {"database": True, "broker": False, "cache": False}
    assert took < 1.0
    assert strict.status_code == 503


@pytest.mark.django_db
def test_plain_http_health_is_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get(reverse("roadmap:health")).status_code == 200
    assert client.get(reverse("roadmap:health"), {"strict": "1"}).status_code == 200
    # Every other page still is.
    assert client.get(reverse("accounts:login")).status_code == 301

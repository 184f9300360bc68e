import pytest
from django.urls import reverse

from roadmap.celery import app as celery_app


@pytest.mark.django_db
def test_health_reports_database_and_broker_ok(client):
    response = client.get(reverse("roadmap:health"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": True, "broker": True}}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_health_answers_503_when_the_broker_is_unreachable(client, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", "redis://127.0.0.1:1/0")

    response = client.get(reverse("roadmap:health"))

    assert response.status_code == 503
    assert response.json()["checks"] == {"database": True, "broker": False}


@pytest.mark.redis
@pytest.mark.django_db
def test_health_with_a_real_redis_broker(client, redis_url, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", redis_url)

    response = client.get(reverse("roadmap:health"))

    assert response.json()["checks"]["broker"] is True

"""Privacy: signed-in pages are private and unstored; the unsubscribe page names no address;
django-axes' records go with the account and after the retention period."""

import datetime

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.urls import reverse
from django.utils import timezone

from accounts.tasks import axes_records_purge_task
from roadmap.services.deliveries import unsubscribe_token
from roadmap.services.progress import account_delete
from tests import factories

pytestmark = pytest.mark.django_db


def _axes_rows(email, when=None):
    when = when or timezone.now()
    common = {"username": email, "ip_address": "203.0.113.7", "user_agent": "t", "path_info": "/"}
    AccessAttempt.objects.create(
        **common, http_accept="*/*", get_data="", post_data="", failures_since_start=1
    )
    AccessLog.objects.create(**common, http_accept="*/*")
    AccessFailureLog.objects.create(**common, http_accept="*/*")
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.filter(username=email).update(attempt_time=when)


def _axes_count(email):
    return sum(
        model.objects.filter(username=email).count()
        for model in (AccessAttempt, AccessLog, AccessFailureLog)
    )


def test_signed_in_pages_are_private_and_not_stored(client):
    client.force_login(factories.LearnerFactory())

    response = client.get(reverse("roadmap:dashboard"))

    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]


def test_anonymous_pages_are_left_alone(client):
    response = client.get("/no-such-page/")

    assert "no-store" not in response.get("Cache-Control", "")


def test_the_unsubscribe_page_shows_no_address(client):
    learner = factories.LearnerFactory(email="private.person@example.com")
    url = reverse("roadmap:unsubscribe", args=[unsubscribe_token(user_id=learner.pk, kind="all")])

    confirm = client.get(url)
    done = client.post(url)

    assert confirm.status_code == done.status_code == 200
    for response in (confirm, done):
        assert "private.person" not in response.content.decode()


def test_account_deletion_deletes_the_users_axes_records():
    learner = factories.LearnerFactory(email="gone@example.com")
    _axes_rows("gone@example.com")
    _axes_rows("stays@example.com")

    account_delete(user=learner)

    assert _axes_count("gone@example.com") == 0
    assert _axes_count("stays@example.com") == 3


def test_the_periodic_task_purges_axes_records_older_than_the_retention(settings):
    settings.AXES_RETENTION_DAYS = 30
    _axes_rows("old@example.com", when=timezone.now() - datetime.timedelta(days=31))
    _axes_rows("recent@example.com", when=timezone.now() - datetime.timedelta(days=29))

    assert axes_records_purge_task() == 3

    assert _axes_count("old@example.com") == 0
    assert _axes_count("recent@example.com") == 3


def test_the_purge_is_on_the_beat_schedule(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["axes-records-purge"]
    assert entry["task"] == "accounts.tasks.axes_records_purge_task"
    from roadmap.celery import app

    app.loader.import_default_modules()
    assert entry["task"] in app.tasks

"""Preferences, notifications and the one-click unsubscribe endpoint."""

import datetime as dt

import pytest
import time_machine
from django.core import signing
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roadmap.models import Delivery, Notification, ReminderPreference
from roadmap.services.deliveries import SALT, unsubscribe_token
from tests import factories
from tests.factories_reminders import NotificationFactory

PREFS = reverse("roadmap:reminder_preferences")
NOTES = reverse("roadmap:notifications")

VALID = {
    "weekly_enabled": "on",
    "inactivity_enabled": "on",
    "milestone_enabled": "on",
    "frequency": "weekly",
    "weekday": "2",
    "hour": "18",
    "inactivity_days": "10",
    "quiet_start": "21",
    "quiet_end": "8",
    "timezone": "Europe/Berlin",
}


@pytest.fixture
def learner(db):
    return factories.LearnerFactory(timezone="UTC")


@pytest.fixture
def learner_client(client, learner):
    client.force_login(learner)
    return client


# --- preferences


def test_preferences_page_shows_the_form(learner_client):
    response = learner_client.get(PREFS)
    assert response.status_code == 200
    assert b"Weekly progress reminder" in response.content


def test_saving_preferences_stores_them_and_the_time_zone(learner_client, learner):
    response = learner_client.post(PREFS, VALID)
    assert response.status_code == 302
    pref = ReminderPreference.objects.get(user=learner)
    assert (pref.weekday, pref.hour, pref.quiet_start, pref.quiet_end) == (
        2,
        18,
        dt.time(21),
        dt.time(8),
    )
    assert pref.digest_enabled is False  # unchecked box
    learner.refresh_from_db()
    assert learner.timezone == "Europe/Berlin"
    page = learner_client.get(PREFS)
    assert b"Your next weekly reminder" in page.content


def test_hour_inside_quiet_hours_is_rejected_with_a_message(learner_client, learner):
    response = learner_client.post(PREFS, {**VALID, "hour": "23"})
    assert response.status_code == 200
    assert b"outside your quiet hours" in response.content
    assert not ReminderPreference.objects.filter(user=learner).exists()


def test_preferences_wrong_method_and_anonymous(client, learner_client):
    assert learner_client.put(PREFS).status_code == 405
    assert Client().get(PREFS).status_code == 302


FIELD_VALUES = {
    "weekly_enabled": st.sampled_from(["on", "", "off", "1"]),
    "frequency": st.sampled_from(["weekly", "fortnightly", "daily", "", "x" * 40]),
    "weekday": st.one_of(st.integers(-3, 10).map(str), st.text(max_size=5)),
    "hour": st.one_of(st.integers(-5, 30).map(str), st.text(max_size=5)),
    "inactivity_days": st.one_of(st.integers(-5, 100).map(str), st.text(max_size=5)),
    "quiet_start": st.one_of(st.integers(-2, 26).map(str), st.text(max_size=3)),
    "quiet_end": st.one_of(st.integers(-2, 26).map(str), st.text(max_size=3)),
    "timezone": st.sampled_from(["Europe/Berlin", "America/New_York", "Mars/Base", "", "UTC"]),
}


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.fixed_dictionaries({}, optional=FIELD_VALUES))
def test_any_preferences_input_is_stored_in_range_or_rejected_never_500(
    learner_client, learner, data
):
    data = {k: v.replace("\x00", "") for k, v in data.items()}
    before_tz = type(learner).objects.get(pk=learner.pk).timezone
    before = ReminderPreference.objects.filter(user=learner).values().first()
    response = learner_client.post(PREFS, data)
    assert response.status_code in (200, 302)
    after = ReminderPreference.objects.filter(user=learner).values().first()
    after_tz = type(learner).objects.get(pk=learner.pk).timezone
    if response.status_code == 200:  # rejected: a message, and nothing written
        assert b'class="error"' in response.content
        assert (after, after_tz) == (before, before_tz)
    else:
        assert 0 <= after["hour"] <= 23 and 0 <= after["weekday"] <= 6
        assert 3 <= after["inactivity_days"] <= 60
        assert after["frequency"] in ("weekly", "fortnightly")
        assert after_tz == data["timezone"]


def test_sample_request_creates_one_pending_delivery_a_day(learner_client, learner, monkeypatch):
    from roadmap.services import reminders

    calls = []
    monkeypatch.setattr(
        reminders, "deliveries_enqueue", lambda *, delivery_ids: calls.append(delivery_ids)
    )
    with time_machine.travel(dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)):
        assert learner_client.post(PREFS, {"send_sample": "1"}).status_code == 302
        assert learner_client.post(PREFS, {"send_sample": "1"}).status_code == 302
    assert Delivery.objects.filter(recipient=learner, period="sample-2026-11-25").count() == 1


# --- notifications


def test_notification_list_shows_only_mine_and_unread_count_in_nav(learner_client, learner):
    NotificationFactory(user=learner, title="Mine unread")
    NotificationFactory(
        user=learner, title="Mine read", read_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    NotificationFactory(title="Someone else's")
    response = learner_client.get(NOTES)
    assert response.status_code == 200
    assert b"Mine unread" in response.content and b"Mine read" in response.content
    assert b"Someone else" not in response.content
    assert response.context["unread_notifications"]() == 1


@pytest.mark.parametrize("size", [3, 25])
def test_notification_list_query_count_is_flat(
    learner_client, learner, size, django_assert_max_num_queries
):
    for _ in range(size):
        NotificationFactory(user=learner)
    with django_assert_max_num_queries(7):
        assert learner_client.get(NOTES).status_code == 200


def test_mark_read_plain_post_and_htmx_fragment(learner_client, learner):
    first = NotificationFactory(user=learner)
    second = NotificationFactory(user=learner)
    url = reverse("roadmap:notification_read", args=[first.pk])
    assert learner_client.post(url).status_code == 302
    first.refresh_from_db()
    assert first.read_at is not None
    response = learner_client.post(
        reverse("roadmap:notification_read", args=[second.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert (
        b"<html" not in response.content
        and f'id="notification-{second.pk}"'.encode() in response.content
    )
    assert learner_client.get(url).status_code == 405


def test_marking_someone_elses_notification_is_404_and_changes_nothing(learner_client):
    other = NotificationFactory()
    response = learner_client.post(reverse("roadmap:notification_read", args=[other.pk]))
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.read_at is None


def test_mark_all_read(learner_client, learner):
    NotificationFactory.create_batch(3, user=learner)
    mine_elsewhere = NotificationFactory()
    assert learner_client.post(reverse("roadmap:notifications_read_all")).status_code == 302
    assert not Notification.objects.for_user(learner).unread().exists()
    mine_elsewhere.refresh_from_db()
    assert mine_elsewhere.read_at is None


# --- unsubscribe


def csrf_client():
    return Client(enforce_csrf_checks=True)


def unsubscribe_url(token):
    return reverse("roadmap:unsubscribe", args=[token])


def test_get_only_shows_a_confirmation_form(learner):
    url = unsubscribe_url(unsubscribe_token(user_id=learner.pk, kind="weekly"))
    response = csrf_client().get(url)
    assert response.status_code == 200
    assert b"<form" in response.content and b"Unsubscribe" in response.content
    assert not ReminderPreference.objects.filter(user=learner).exists()


def test_one_click_post_without_session_or_csrf_answers_200_and_is_idempotent(learner):
    url = unsubscribe_url(unsubscribe_token(user_id=learner.pk, kind="weekly"))
    client = csrf_client()
    for _ in range(2):
        response = client.post(url, {"List-Unsubscribe": "One-Click"})
        assert response.status_code == 200
        assert b"You are unsubscribed" in response.content
    pref = ReminderPreference.objects.get(user=learner)
    assert pref.weekly_enabled is False and pref.inactivity_enabled is True


def test_unsubscribe_all(learner):
    client = csrf_client()
    client.post(unsubscribe_url(unsubscribe_token(user_id=learner.pk, kind="all")))
    pref = ReminderPreference.objects.get(user=learner)
    assert not any(
        [pref.weekly_enabled, pref.inactivity_enabled, pref.milestone_enabled, pref.digest_enabled]
    )


def bad_tokens(learner):
    good = unsubscribe_token(user_id=learner.pk, kind="weekly")
    other_salt = signing.TimestampSigner(salt="gapmap.something-else").sign_object(
        {"u": learner.pk, "k": "weekly"}, compress=True
    )
    plain_signer = signing.dumps({"u": learner.pk, "k": "weekly"})
    wrong_kind = signing.TimestampSigner(salt=SALT).sign_object({"u": learner.pk, "k": "spam"})
    return {
        "tampered": good[:-3] + ("aaa" if not good.endswith("aaa") else "bbb"),
        "other salt": other_salt,
        "default salt": plain_signer,
        "unknown kind": wrong_kind,
        "garbage": "not-a-token",
    }


@pytest.mark.parametrize(
    "case", ["tampered", "other salt", "default salt", "unknown kind", "garbage"]
)
def test_bad_tokens_get_a_clear_page_and_change_nothing(learner, case):
    url = unsubscribe_url(bad_tokens(learner)[case])
    client = csrf_client()
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 400
        assert b"does not work" in response.content
    assert not ReminderPreference.objects.filter(user=learner).exists()


def test_expired_token_changes_nothing(learner):
    with time_machine.travel(dt.datetime(2026, 1, 1, tzinfo=dt.UTC)):
        token = unsubscribe_token(user_id=learner.pk, kind="weekly")
    with time_machine.travel(dt.datetime(2026, 6, 1, tzinfo=dt.UTC)):
        response = csrf_client().post(unsubscribe_url(token))
    assert response.status_code == 400
    assert not ReminderPreference.objects.filter(user=learner).exists()


def test_unsubscribe_is_the_only_csrf_exempt_view():
    from django.urls import get_resolver

    exempt = []

    def walk(resolver, prefix=""):
        for pattern in resolver.url_patterns:
            if hasattr(pattern, "url_patterns"):
                if getattr(pattern, "namespace", None) == "admin":
                    continue
                walk(pattern, prefix + str(pattern.pattern))
            elif getattr(pattern.callback, "csrf_exempt", False):
                exempt.append(pattern.name)

    walk(get_resolver())
    assert exempt == ["unsubscribe"]


# --- admin


def test_failed_deliveries_and_their_error_are_visible_to_staff_in_admin(client, db):
    from tests.factories_reminders import DeliveryFactory

    DeliveryFactory(
        status="failed", attempts=5, last_error="SMTPResponseException: 550 no such user"
    )
    client.force_login(factories.StaffFactory(is_superuser=True))
    response = client.get(reverse("admin:roadmap_delivery_changelist") + "?status__exact=failed")
    assert response.status_code == 200
    assert b"550 no such user" in response.content


def test_staff_can_resend_failed_deliveries_from_admin(client, db):
    from tests.factories_reminders import DeliveryFactory

    delivery = DeliveryFactory(status="failed", attempts=5, last_error="boom")
    client.force_login(factories.StaffFactory(is_superuser=True))
    response = client.post(
        reverse("admin:roadmap_delivery_changelist"),
        {"action": "retry_failed", "_selected_action": [delivery.pk]},
    )
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.enqueued_at) == ("pending", 0, None)

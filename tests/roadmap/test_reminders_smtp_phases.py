"""Every SMTP phase has its rule (RELIABILITY 20), against a real local SMTP server that hangs
and fails on demand (tests/smtp_server.py), in this process: before DATA a failure is retried,
after DATA began with no reply the outcome is "unknown" and never resent by itself."""

import datetime as dt
import time

import pytest
from django.urls import reverse
from django.utils import timezone

from roadmap.models import Delivery
from roadmap.services import deliveries, reminders
from tests import factories
from tests.factories_reminders import DeliveryFactory
from tests.smtp_server import FaultyHandler, running_smtp_server, smtp_mailers

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp(settings):
    handler = FaultyHandler(hang_seconds=3)
    with running_smtp_server(handler) as controller:
        settings.MAILERS = smtp_mailers(controller, timeout=1)
        yield handler


def send(delivery):
    return deliveries.delivery_send(delivery_id=delivery.pk)


def test_accepted_message_is_sent_once_and_handed_off_only_at_data(smtp):
    delivery = DeliveryFactory()
    assert send(delivery).outcome == "sent"
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.handed_off_at is not None
    assert smtp.accepted == [delivery.pk]


def test_hang_after_data_is_unknown_and_never_resent(smtp, django_capture_on_commit_callbacks):
    smtp.hang_data = 1
    delivery = DeliveryFactory()
    result = send(delivery)
    assert result.outcome == "unknown"
    delivery.refresh_from_db()
    assert delivery.status == "unknown" and delivery.handed_off_at is not None
    assert "may or may not have been delivered" in delivery.last_error
    assert send(delivery).outcome == "skipped"  # a redelivered task sends nothing
    with django_capture_on_commit_callbacks(execute=True):
        later = timezone.now() + reminders.send_lease() + reminders.REENQUEUE_AFTER
        result = reminders.reminders_dispatch(now=later)
    assert result.enqueued == 0 and result.reset == 0
    assert smtp.accepted == [delivery.pk]  # the server has it once, and only once


def test_hang_at_rcpt_is_retried_and_delivered_once(smtp):
    smtp.hang_rcpt = 1
    delivery = DeliveryFactory()
    started = time.monotonic()
    result = send(delivery)
    assert time.monotonic() - started < 2.5  # the send's own deadline (1 s), not the hang (3 s)
    assert result.outcome == "retry" and 0 < result.countdown
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.handed_off_at is None
    assert "Timeout" in delivery.last_error or "timed out" in delivery.last_error
    assert send(delivery).outcome == "sent"
    assert smtp.accepted == [delivery.pk]


def test_451_after_data_twice_then_250_is_one_delivery(smtp):
    smtp.fail_data_451 = 2
    delivery = DeliveryFactory()
    outcomes = [send(delivery).outcome for _ in range(3)]
    assert outcomes == ["retry", "retry", "sent"], (smtp.events, smtp.refused, smtp.accepted)
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 3
    assert smtp.accepted == [delivery.pk] and smtp.refused == [delivery.pk, delivery.pk]


def test_550_at_rcpt_fails_at_once_and_is_not_retried(smtp):
    smtp.reject_rcpt_550 = True
    delivery = DeliveryFactory()
    assert send(delivery).outcome == "failed"
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempts == 1
    assert "550" in delivery.last_error and delivery.handed_off_at is None
    assert send(delivery).outcome == "skipped"
    assert smtp.accepted == []


def test_hang_at_connect_is_retried(smtp):
    smtp.hang_ehlo = 1
    delivery = DeliveryFactory()
    assert send(delivery).outcome == "retry"
    assert Delivery.objects.get(pk=delivery.pk).handed_off_at is None
    assert send(delivery).outcome == "sent"
    assert smtp.accepted == [delivery.pk]


def test_a_hung_recipient_delays_no_other_row_and_is_retried_at_once(smtp):
    rows = [DeliveryFactory() for _ in range(6)]
    hung = rows[0]
    smtp.hang_rcpt, smtp.hang_rcpt_for = 1, {hung.recipient.email}
    timeline = []

    def on_retry(delivery_id, countdown):
        timeline.append(("retry", delivery_id, sorted(smtp.accepted), time.monotonic()))

    started = time.monotonic()
    results = deliveries.deliveries_send(delivery_ids=[d.pk for d in rows], on_retry=on_retry)
    elapsed = time.monotonic() - started
    assert elapsed < 2.5, elapsed  # the hung one's own 1 s deadline, not its 3 s hang
    assert {pk: r.outcome for pk, r in results.items()} == {
        hung.pk: "retry",
        **{d.pk: "sent" for d in rows[1:]},
    }
    # The others went out on the other lanes while it hung: all of them before its deadline
    # passed, and its retry was enqueued the moment it did, not when the chunk ended.
    ((_, retried, accepted_by_then, at),) = timeline
    assert retried == hung.pk and accepted_by_then == sorted(d.pk for d in rows[1:])
    assert at - started < 2, at - started
    assert sorted(smtp.accepted) == sorted(d.pk for d in rows[1:])


@pytest.mark.parametrize("phase", ["drip_greeting", "drip_ehlo"])
def test_a_server_that_drips_while_connecting_is_cut_off_at_the_deadline(smtp, phase):
    """A byte every 0.1 s never trips a socket timeout (1 s); the reply would take about 4 s.
    The send's one deadline covers connect, greeting and EHLO: retried, nothing handed over."""
    setattr(smtp, phase, 1)
    delivery = DeliveryFactory()
    started = time.monotonic()
    result = send(delivery)
    assert time.monotonic() - started < 1.8
    assert result.outcome == "retry", result
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.handed_off_at is None
    assert send(delivery).outcome == "sent"
    assert smtp.accepted == [delivery.pk]


def test_a_dripped_go_ahead_for_data_is_retried_since_nothing_was_sent(smtp):
    smtp.drip_354 = 1
    delivery = DeliveryFactory()
    started = time.monotonic()
    assert send(delivery).outcome == "retry"
    assert time.monotonic() - started < 1.8
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.handed_off_at is None
    assert send(delivery).outcome == "sent"
    assert smtp.accepted == [delivery.pk]


def test_a_dripped_reply_after_the_message_is_unknown_and_never_resent(smtp):
    smtp.drip_data = 1
    delivery = DeliveryFactory()
    started = time.monotonic()
    assert send(delivery).outcome == "unknown"
    assert time.monotonic() - started < 1.8
    assert send(delivery).outcome == "skipped"
    assert Delivery.objects.get(pk=delivery.pk).status == "unknown"


def test_a_dripping_server_costs_a_chunk_one_deadline_per_message_it_drips(smtp, settings):
    """One lane, so the rows queue behind the dripping session: each waits one deadline at
    most, since a new session is opened (within its own deadline) after the cut-off."""
    settings.REMINDER_SEND_LANES = 1
    smtp.drip_greeting = 1
    rows = [DeliveryFactory() for _ in range(3)]
    started = time.monotonic()
    results = deliveries.deliveries_send(delivery_ids=[d.pk for d in rows])
    assert time.monotonic() - started < 2.5
    assert [results[d.pk].outcome for d in rows] == ["retry", "sent", "sent"]


def test_retry_that_cannot_be_enqueued_leaves_the_row_pending(smtp):
    smtp.hang_rcpt = 1
    delivery = DeliveryFactory()

    def broker_down(delivery_id, countdown):
        raise ConnectionError("broker down")

    results = deliveries.deliveries_send(delivery_ids=[delivery.pk], on_retry=broker_down)
    assert results[delivery.pk].outcome == "retry"
    assert Delivery.objects.get(pk=delivery.pk).status == "pending"


def test_staff_send_again_puts_an_unknown_row_back_with_a_note(client):
    delivery = DeliveryFactory(status="unknown", attempts=1, last_error="No reply after DATA")
    staff = factories.StaffFactory(is_superuser=True)
    client.force_login(staff)
    listing = client.get(reverse("admin:roadmap_delivery_changelist"), {"status__exact": "unknown"})
    assert listing.status_code == 200 and b"Unknown (may have been delivered)" in listing.content
    response = client.post(
        reverse("admin:roadmap_delivery_changelist"),
        {"action": "retry_failed", "_selected_action": [delivery.pk]},
    )
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.enqueued_at) == ("pending", 0, None)
    assert delivery.last_error.startswith(f"Sent again by {staff.get_username()}")
    assert "No reply after DATA" in delivery.last_error


def test_send_again_leaves_sent_rows_alone(client):
    delivery = DeliveryFactory(status="sent", sent_at=timezone.now() - dt.timedelta(hours=1))
    client.force_login(factories.StaffFactory(is_superuser=True))
    client.post(
        reverse("admin:roadmap_delivery_changelist"),
        {"action": "retry_failed", "_selected_action": [delivery.pk]},
    )
    assert Delivery.objects.get(pk=delivery.pk).status == "sent"

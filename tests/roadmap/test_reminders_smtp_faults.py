"""The README's fault runs as tests (RELIABILITY 20): a real Redis broker, a real Celery worker
process and a local SMTP server that hangs and fails on demand (tests/smtp_server.py). Every due
reminder is delivered exactly once, or recorded truthfully as "unknown" and never resent."""

import time

import pytest
from django.utils import timezone

from roadmap.models import Delivery
from roadmap.services import reminders
from tests.factories_reminders import bulk_due_learners
from tests.roadmap.smtp_runs import after_the_lease, later_ticks_resend_nothing, smtp_worker
from tests.services import deliveries_settled, wait_until

pytestmark = pytest.mark.redis


def delivery_ids():
    return sorted(Delivery.objects.values_list("pk", flat=True))


def statuses():
    return dict(Delivery.objects.values_list("pk", "status"))


def test_hang_after_data_is_unknown_and_not_resent(web_broker, smtp, transactional_db):
    bulk_due_learners(3)
    smtp.hang_data = 1  # the first message's reply is lost; the others are answered
    with smtp_worker(web_broker, smtp, deadline_seconds=1) as w:
        reminders.reminders_dispatch()
        assert wait_until(deliveries_settled), w.output()[-3000:]
        later_ticks_resend_nothing(smtp)
    assert sorted(statuses().values()) == ["sent", "sent", "unknown"]
    unknown = Delivery.objects.get(status="unknown")
    assert unknown.handed_off_at is not None and unknown.attempts == 1
    assert sorted(smtp.accepted) == delivery_ids()  # each once: the unknown one was never resent


def test_hang_at_rcpt_is_retried_and_delivered_once(web_broker, smtp, transactional_db):
    bulk_due_learners(3)
    smtp.hang_rcpt = 1
    with smtp_worker(web_broker, smtp, deadline_seconds=1) as w:
        reminders.reminders_dispatch()
        assert wait_until(deliveries_settled), w.output()[-3000:]
        later_ticks_resend_nothing(smtp)
    assert set(statuses().values()) == {"sent"}
    assert sorted(smtp.accepted) == delivery_ids()
    assert sorted(Delivery.objects.values_list("attempts", flat=True)) == [1, 1, 2]


def test_a_hung_recipient_holds_no_other_row_of_its_chunk_past_its_deadline(
    web_broker, smtp, transactional_db
):
    """Ten reminders in one chunk; the first RCPT the server sees hangs (4 s, against a 1 s
    deadline per send). The other nine go out on the other lanes meanwhile: each is accepted
    before the hung one's deadline has passed, and the hung one is retried at its own countdown
    (about 0.5-1 s here), not when the chunk ends, and delivered once."""
    bulk_due_learners(10)
    smtp.hang_rcpt = 1
    with smtp_worker(web_broker, smtp, deadline_seconds=1) as w:
        reminders.reminders_dispatch()
        assert wait_until(deliveries_settled), w.output()[-3000:]
    hung_address, hung_at = smtp.rcpt_at[0]
    hung = Delivery.objects.get(recipient__email=hung_address)
    others = [pk for pk in delivery_ids() if pk != hung.pk]
    assert set(statuses().values()) == {"sent"} and hung.attempts == 2
    assert sorted(smtp.accepted) == delivery_ids()  # each once
    late = {pk: smtp.accepted_at[pk] - hung_at for pk in others}
    assert max(late.values()) < 1.0, late  # none waited for the hung one's deadline
    retried_at = [at for address, at in smtp.rcpt_at[1:] if address == hung_address]
    # Its deadline (1 s), then its countdown (at most 1 s), then the worker picks it up.
    assert len(retried_at) == 1 and retried_at[0] - hung_at < 4, retried_at[0] - hung_at


def test_451_twice_then_250_is_one_delivery(web_broker, smtp, transactional_db):
    bulk_due_learners(1)
    smtp.fail_data_451 = 2
    with smtp_worker(web_broker, smtp, deadline_seconds=1) as w:
        reminders.reminders_dispatch()
        assert wait_until(deliveries_settled), w.output()[-3000:]
    delivery = Delivery.objects.get()
    assert delivery.status == "sent" and delivery.attempts == 3
    assert smtp.accepted == [delivery.pk] and smtp.refused == [delivery.pk, delivery.pk]


def test_550_fails_with_no_retries(web_broker, smtp, transactional_db):
    bulk_due_learners(1)
    smtp.reject_rcpt_550 = True
    with smtp_worker(web_broker, smtp, deadline_seconds=1) as w:
        reminders.reminders_dispatch()
        assert wait_until(deliveries_settled), w.output()[-3000:]
        time.sleep(2)  # a retry, had one been enqueued, would have run by now
    delivery = Delivery.objects.get()
    assert delivery.status == "failed" and delivery.attempts == 1 and "550" in delivery.last_error
    assert [kind for kind, _ in smtp.events].count("rcpt") == 1
    assert smtp.accepted == []


def test_worker_killed_during_connect_delivers_once_after_the_lease(
    web_broker, smtp, transactional_db
):
    bulk_due_learners(1)
    smtp.hang_seconds, smtp.hang_ehlo = 30, 1  # EHLO never answered while the worker lives
    with smtp_worker(web_broker, smtp, deadline_seconds=1) as w:
        reminders.reminders_dispatch()
        assert wait_until(lambda: any(kind == "ehlo" for kind, _ in smtp.events))
        w.kill()
    delivery = Delivery.objects.get()
    assert delivery.status == "sending" and delivery.handed_off_at is None
    with smtp_worker(web_broker, smtp, deadline_seconds=1) as w:
        result = reminders.reminders_dispatch(now=timezone.now() + after_the_lease())
        assert result.reset == 1
        assert wait_until(deliveries_settled), w.output()[-3000:]
        later_ticks_resend_nothing(smtp)
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 2
    assert smtp.accepted == [delivery.pk]


def test_worker_killed_after_data_is_unknown_and_never_resent(web_broker, smtp, transactional_db):
    bulk_due_learners(1)
    smtp.hang_seconds, smtp.hang_data = 30, 1  # took the message; the worker dies waiting
    with smtp_worker(web_broker, smtp, deadline_seconds=1) as w:
        reminders.reminders_dispatch()
        assert wait_until(lambda: len(smtp.accepted) == 1), w.output()[-3000:]
        w.kill()
    delivery = Delivery.objects.get()
    assert delivery.status == "sending" and delivery.handed_off_at is not None
    with smtp_worker(web_broker, smtp, deadline_seconds=1) as w:
        result = reminders.reminders_dispatch(now=timezone.now() + after_the_lease())
        assert result.abandoned == 1 and result.reset == 0
        later_ticks_resend_nothing(smtp)
    delivery.refresh_from_db()
    assert delivery.status == "unknown" and "at most once" in delivery.last_error
    assert smtp.accepted == [delivery.pk]

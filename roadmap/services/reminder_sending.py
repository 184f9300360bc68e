"""Sending reminder deliveries: claim, hand off, send, record, retry.

Guarantee: AT MOST ONCE per crash, with automatic recovery of everything that provably was not
sent. A worker claims a Delivery row with a conditional UPDATE (pending -> sending); only the
worker that changed exactly one row goes on. It renders the e-mail, stamps `handed_off_at` just
before giving the message to the mail server, sends, and marks the row sent. If a worker dies:
- before the hand-off (the slow part: reading content, rendering), the row is stuck in
  "sending" without `handed_off_at`; after the lease the dispatcher puts it back to pending and
  it is sent once;
- after the hand-off but before "sent" was stored (a window of one SMTP call), nobody can know
  whether the mail left; the dispatcher marks the row failed with that explanation for staff and
  never resends it. A duplicate reminder is worse than a rare missing one.

The lease and that recovery are the dispatcher's (`reminders.send_lease`,
`reminders._reconcile_stuck`); what an e-mail says is in `reminder_messages`."""

import logging
import random
import smtplib
import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from roadmap.models import Delivery, Notification, ReminderKind, ReminderPreference
from roadmap.reminders import content
from roadmap.services.reminder_messages import message_parts, reminder_message

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
RETRY_BASE_SECONDS = 30
RETRY_CAP_SECONDS = 600


def retry_countdown(attempt: int) -> float:
    """Exponential backoff with full jitter, capped well inside the broker's visibility timeout."""
    base = getattr(settings, "REMINDER_RETRY_BASE_SECONDS", RETRY_BASE_SECONDS)
    ceiling = min(RETRY_CAP_SECONDS, base * 2 ** max(0, attempt - 1))
    return ceiling / 2 + random.uniform(0, ceiling / 2)


class Outcome:
    SENT = "sent"
    SKIPPED = "skipped"  # someone else claimed it, or it is no longer pending
    RETRY = "retry"
    FAILED = "failed"


@dataclass
class SendResult:
    outcome: str
    attempts: int = 0
    error: str = ""


def is_transient(exc: BaseException) -> bool:
    """4xx replies, dropped connections and timeouts are worth retrying; 5xx replies are not."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(exc, (smtplib.SMTPServerDisconnected, ConnectionError, TimeoutError, OSError))


def deliveries_send(*, delivery_ids: Iterable[int]) -> dict[int, SendResult]:
    """Send a chunk of deliveries one by one, each with its own claim and record exactly as
    `delivery_send`, over one mail connection. What the e-mails say is read for the whole chunk
    at once (a fixed number of queries); what remains per row are the claim, the hand-off and
    the record of the send. A failure of one row touches only that row."""
    from django.core.mail import mailers

    delivery_ids = list(delivery_ids)
    now = timezone.now()
    # Read before claiming, to know whose content to read. A row that changes between this read
    # and its claim fails the claim below (it is conditional on the attempts read here) and is
    # left to the one-row path, which claims and reads it afresh.
    pending = {
        delivery.pk: delivery
        for delivery in _with_recipient(
            Delivery.objects.filter(pk__in=delivery_ids, status=Delivery.Status.PENDING)
        )
    }
    try:
        weekly = content.weekly_contents(
            learners=_unique(
                d.recipient for d in pending.values() if d.kind != ReminderKind.DIGEST
            ),
            now=now,
        )
        parts = message_parts()
    except Exception:  # a bug here must fail the rows one by one, as rendering does, not loop
        logger.exception("reminders: reading a chunk's content failed; reading it per e-mail")
        weekly, parts = {}, None
    connection = mailers.default  # a fresh backend instance, opened on the first send
    results = {}
    try:
        for delivery_id in delivery_ids:
            delivery = pending.pop(delivery_id, None)
            if delivery is not None and _claim(delivery_id, attempts=delivery.attempts):
                delivery.status = Delivery.Status.SENDING
                delivery.attempts += 1
                digest = delivery.kind == ReminderKind.DIGEST  # reads its own content
                data = None if digest else weekly.get(delivery.recipient_id)
                results[delivery_id] = _send_claimed(
                    delivery, connection=connection, data=data, parts=parts
                )
            else:
                results[delivery_id] = delivery_send(delivery_id=delivery_id, connection=connection)
    finally:
        _close_quietly(connection)
    return results


def _unique(users: Iterable[User]) -> list[User]:
    return list({user.pk: user for user in users}.values())


def _with_recipient(deliveries):
    return deliveries.select_related(
        "recipient", "recipient__reminder_preference", "recipient__target_path"
    )


def _claim(delivery_id: int, *, attempts: int | None = None) -> bool:
    """The conditional UPDATE pending -> sending: True only for the one worker that changed the
    row. With `attempts`, only if the row still has the attempts its caller read (then the new
    count is known, and cheaper to write than an F() expression)."""
    rows = Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING)
    if attempts is None:
        count = F("attempts") + 1
    else:
        rows, count = rows.filter(attempts=attempts), attempts + 1
    return (
        rows.update(status=Delivery.Status.SENDING, claimed_at=timezone.now(), attempts=count) == 1
    )


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except Exception:  # a broken connection has nothing left to close
        logger.debug("reminders: closing the mail connection failed", exc_info=True)


def delivery_send(*, delivery_id: int, connection=None) -> SendResult:
    """Claim, render, send and record one delivery (see the module docstring). `connection`
    (a mail backend, opened on first use and closed after an error so the next row starts a
    fresh session) comes from `deliveries_send`."""
    if not _claim(delivery_id):
        return SendResult(Outcome.SKIPPED)
    delivery = _with_recipient(Delivery.objects).get(pk=delivery_id)
    return _send_claimed(delivery, connection=connection)


def _send_claimed(
    delivery: Delivery, *, connection=None, data: dict | None = None, parts: dict | None = None
) -> SendResult:
    """Render, hand off, send and record a delivery this worker has just claimed. `data` (the
    recipient's weekly content) and `parts` come from a caller sending a chunk."""
    delivery_id = delivery.pk
    recipient = delivery.recipient
    pref = ReminderPreference.for_user(recipient)
    asked_for = delivery.period.startswith("sample-")  # a sample the user just requested
    if not recipient.is_active or not (asked_for or pref.is_enabled(delivery.kind)):
        return _finish_failed(delivery, "Cancelled: the recipient turned this reminder off.")
    try:
        message, notification = reminder_message(delivery=delivery, data=data, parts=parts)
    except Exception as exc:  # a rendering bug must not loop forever
        logger.exception("reminders: rendering delivery %s failed", delivery_id)
        return _finish_failed(delivery, f"Rendering failed: {exc!r}")
    _test_delay()
    Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.SENDING).update(
        handed_off_at=timezone.now()
    )
    try:
        if connection is None:
            message.send()
        else:
            connection.open()  # no-op while open; a fresh session after an error closed it
            connection.send_messages([message])
    except Exception as exc:
        if connection is not None:
            _close_quietly(connection)
        error = f"{type(exc).__name__}: {exc}"[:2000]
        if is_transient(exc) and delivery.attempts < MAX_ATTEMPTS:
            Delivery.objects.filter(pk=delivery_id).update(
                status=Delivery.Status.PENDING,
                claimed_at=None,
                handed_off_at=None,
                enqueued_at=timezone.now(),
                last_error=error,
            )
            return SendResult(Outcome.RETRY, delivery.attempts, error)
        return _finish_failed(delivery, error)
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery_id).update(
            status=Delivery.Status.SENT, sent_at=timezone.now(), last_error=""
        )
        Notification.objects.create(user=recipient, kind=delivery.kind, **notification)
    return SendResult(Outcome.SENT, delivery.attempts)


def _finish_failed(delivery: Delivery, error: str) -> SendResult:
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.FAILED, last_error=error)
    logger.warning("reminders: delivery %s failed: %s", delivery.pk, error)
    return SendResult(Outcome.FAILED, delivery.attempts, error)


def _test_delay() -> None:
    """Tests make sends slow (to kill a worker mid-batch) with REMINDER_TEST_SEND_DELAY_MS."""
    delay = getattr(settings, "REMINDER_TEST_SEND_DELAY_MS", 0)
    if delay:
        time.sleep(delay / 1000)

"""Deliveries: what Gapmap sends (reminders, digests) and how: the message, the signed
unsubscribe link, enqueueing the send, then claim, hand off, send, record, retry.

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
`reminders._reconcile_stuck`); what a reminder says is read in `digests`."""

import logging
import random
import smtplib
import time
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from roadmap.celery import app
from roadmap.models import Delivery, Notification, ReminderKind, ReminderPreference
from roadmap.services import digests as content

logger = logging.getLogger(__name__)

# Tasks are enqueued by name, so this module never imports roadmap.tasks (which imports it).
SEND_DELIVERIES_TASK = "roadmap.tasks.send_deliveries_task"
# Deliveries per send task: one task, one mail connection and shared lookups per chunk.
SEND_CHUNK = 50
FAIL_FAST = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}


# --- signed one-click unsubscribe tokens ----------------------------------------------------------
# User id + kind (or "all"), valid without a session. A purpose-specific salt keeps other signed
# values of the site (password reset, sessions) from being accepted here, and these there.
SALT = "gapmap.reminders.unsubscribe"
MAX_AGE = 60 * 60 * 24 * 90  # 90 days: long enough for an old e-mail, short enough to expire
ALL = "all"


@dataclass(frozen=True)
class Unsubscribe:
    user_id: int
    kind: str


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object({"u": user_id, "k": kind}, compress=True)


def unsubscribe_read(token: str, *, valid_kinds) -> Unsubscribe | None:
    """The token's content, or None if it is tampered, expired, from another salt or malformed."""
    try:
        data = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=MAX_AGE)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(data, dict):
        return None
    user_id, kind = data.get("u"), data.get("k")
    if not isinstance(user_id, int) or (kind != ALL and kind not in valid_kinds):
        return None
    return Unsubscribe(user_id, kind)


# --- the e-mail and the in-app notification a delivery becomes ------------------------------------
SUBJECTS = {
    ReminderKind.WEEKLY: "Your week on Gapmap",
    ReminderKind.INACTIVITY: "Pick up where you left off",
    ReminderKind.MILESTONE: "A milestone is due tomorrow",
    ReminderKind.DIGEST: "Your cohorts this week",
}
LINKS = {
    ReminderKind.WEEKLY: "roadmap:dashboard",
    ReminderKind.INACTIVITY: "roadmap:dashboard",
    ReminderKind.MILESTONE: "roadmap:plan",  # where the milestone and its project are
    ReminderKind.DIGEST: "roadmap:mentor_home",
}


def absolute_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def message_parts() -> dict:
    """What every reminder shares, looked up once per chunk: the link paths, the preferences
    URL and the templates (parsed once, rendered per e-mail with its own context)."""
    return {
        "links": {kind: reverse(name) for kind, name in LINKS.items()},
        "preferences_url": absolute_url(reverse("roadmap:reminder_preferences")),
        "templates": {
            name: (get_template(f"emails/{name}.txt"), get_template(f"emails/{name}.html"))
            for name in ("reminder", "digest")
        },
    }


def reminder_message(
    *, delivery: Delivery, data: dict | None = None, parts: dict | None = None
) -> tuple[EmailMultiAlternatives, dict]:
    """The multipart e-mail for a delivery, and the fields of its in-app notification. `data`:
    the recipient's content when the caller read it in bulk; read here otherwise. `parts`: see
    `message_parts`."""
    parts = parts or message_parts()
    recipient = delivery.recipient
    now = timezone.now()
    kind = delivery.kind
    if data is None and kind == ReminderKind.DIGEST:
        data = content.digest_content(mentor=recipient, now=now)
    elif data is None:
        data = content.weekly_content(learner=recipient, now=now)
    link_path = parts["links"][kind]
    unsubscribe_kind = absolute_url(
        reverse("roadmap:unsubscribe", args=[unsubscribe_token(user_id=recipient.pk, kind=kind)])
    )
    unsubscribe_all = absolute_url(
        reverse("roadmap:unsubscribe", args=[unsubscribe_token(user_id=recipient.pk, kind=ALL)])
    )
    ctx = {
        **data,
        "user": recipient,
        "delivery": delivery,
        "kind": kind,
        "kind_label": ReminderKind(kind).label,
        "milestone": delivery.context,
        "link": absolute_url(link_path),
        "preferences_url": parts["preferences_url"],
        "unsubscribe_url": unsubscribe_kind,
        "unsubscribe_all_url": unsubscribe_all,
    }
    subject = SUBJECTS[kind]
    if kind == ReminderKind.MILESTONE and delivery.context.get("title"):
        subject = f"Due tomorrow: {delivery.context['title']}"
    text_template, html_template = parts["templates"][
        "digest" if kind == ReminderKind.DIGEST else "reminder"
    ]
    text = text_template.render(ctx)
    html = html_template.render(ctx)
    message = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers={
            # RFC 8058 one-click: mail providers POST to this URL without a session.
            "List-Unsubscribe": f"<{unsubscribe_kind}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "X-Gapmap-Delivery": str(delivery.pk),
        },
    )
    message.attach_alternative(html, "text/html")
    notification = {"title": subject, "body": _notification_body(kind, ctx), "url": link_path}
    return message, notification


def _notification_body(kind: str, ctx: dict) -> str:
    if kind == ReminderKind.DIGEST:
        return f"{len(ctx.get('cohorts', []))} cohort(s) in this week's digest."
    if ctx.get("readiness") is not None:
        change = ctx.get("readiness_change") or 0
        return f"Readiness {ctx['readiness']}% ({change:+d} since last week)."
    return "Open Gapmap to see your progress."


# --- enqueueing sends -----------------------------------------------------------------------------
def deliveries_enqueue(*, delivery_ids: Iterable[int]) -> bool:
    """Publish one send task per SEND_CHUNK deliveries over one broker connection. Never raises:
    if the broker is unreachable the rows stay pending and the next dispatcher run enqueues them."""
    delivery_ids = list(delivery_ids)
    try:
        # One connection per chunk, giving up after one quick reconnect: a web request must not
        # hang on a broker that is down (kombu would otherwise keep retrying).
        with app.connection_for_write(transport_options=FAIL_FAST) as conn:
            producer = conn.Producer()
            for start in range(0, len(delivery_ids), SEND_CHUNK):
                chunk = delivery_ids[start : start + SEND_CHUNK]
                app.signature(SEND_DELIVERIES_TASK, args=(chunk,)).apply_async(
                    producer=producer, retry=False
                )
    except Exception:
        logger.exception(
            "reminders: could not enqueue %s deliveries; they stay pending for the next dispatch",
            len(delivery_ids),
        )
        return False
    return True


# --- claim, hand off, send, record, retry ---------------------------------------------------------
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

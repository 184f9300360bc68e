"""Reminder dispatch and delivery.

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

Redis is only a doorbell: rows are created in the database first and enqueued after commit; a
lost enqueue (Redis down, restarted empty) is repaired by the next dispatcher run, which
re-enqueues pending rows whose last enqueue is older than REENQUEUE_AFTER."""

import datetime as dt
import logging
import random
import smtplib
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import F
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone

from accounts.models import Cohort, User
from roadmap import schedule
from roadmap.models import Delivery, Notification, ReminderKind, ReminderPreference
from roadmap.reminders import content
from roadmap.reminders.tokens import ALL, unsubscribe_token

logger = logging.getLogger(__name__)

CHUNK = 500
# Deliveries per send task: one task, one mail connection and shared lookups per chunk.
SEND_CHUNK = 50
# Shorter than the beat interval (15 min), so a lost enqueue is repaired by the next tick.
REENQUEUE_AFTER = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 5
RETRY_BASE_SECONDS = 30
RETRY_CAP_SECONDS = 600
FAIL_FAST = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}


def send_lease() -> dt.timedelta:
    """How long a claim may last: longer than the task's hard time limit, so a send still
    running is never taken for a crashed one."""
    return dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


def retry_countdown(attempt: int) -> float:
    """Exponential backoff with full jitter, capped well inside the broker's visibility timeout."""
    base = getattr(settings, "REMINDER_RETRY_BASE_SECONDS", RETRY_BASE_SECONDS)
    ceiling = min(RETRY_CAP_SECONDS, base * 2 ** max(0, attempt - 1))
    return ceiling / 2 + random.uniform(0, ceiling / 2)


# --- dispatch ---------------------------------------------------------------------------------


@dataclass
class DispatchResult:
    examined: int = 0
    due: int = 0
    reset: int = 0
    abandoned: int = 0
    enqueued: int = 0


def reminders_dispatch(*, now: dt.datetime | None = None) -> DispatchResult:
    """Create the Delivery rows due at `now` and enqueue every pending row that needs it.

    Safe to run twice or concurrently: rows are unique per (recipient, kind, period) and
    inserted with ignore_conflicts; a row enqueued twice is sent once (the claim)."""
    now = now or timezone.now()
    result = DispatchResult()
    # Stuck rows first, so that the enqueue after each chunk below carries those put back too.
    result.reset, result.abandoned = _reconcile_stuck(now)
    last_pk = 0
    while True:
        users = list(
            User.objects.filter(is_active=True, pk__gt=last_pk)
            .select_related("reminder_preference")
            .order_by("pk")[:CHUNK]
        )
        if not users:
            break
        last_pk = users[-1].pk
        rows = _due_rows(users, now)
        result.examined += len(users)
        result.due += len(rows)
        Delivery.objects.bulk_create(rows, ignore_conflicts=True)
        # Enqueued chunk by chunk, so workers send to the first users while later ones are read.
        result.enqueued += _enqueue_pending(now)
    if not result.examined:  # no users: lost enqueues and rows put back are still enqueued
        result.enqueued = _enqueue_pending(now)
    logger.info("reminders dispatch at %s: %s", now.isoformat(), result)
    return result


def _due_rows(users: list[User], now: dt.datetime) -> list[Delivery]:
    """Deliveries due for this chunk of users: two queries whatever the chunk's size."""
    ids = [u.pk for u in users]
    mentor_ids = set(
        Cohort.mentors.through.objects.filter(user_id__in=ids).values_list("user_id", flat=True)
    )
    today = now.date()
    milestones: dict[int, list[content.MilestoneDue]] = {}
    for item in content.milestones_due(
        learner_ids=[u.pk for u in users if u.is_learner],
        start=today,
        end=today + dt.timedelta(days=2),
    ):
        milestones.setdefault(item.learner_id, []).append(item)

    rows = []
    for user in users:
        pref = ReminderPreference.for_user(user)
        plan = schedule.Schedule.from_preference(pref)
        zone = schedule.safe_zone(user.timezone)

        def add(kind, period, ctx=None, user=user):
            rows.append(
                Delivery(
                    recipient=user, kind=kind, period=period, context=ctx or {}, created_at=now
                )
            )

        if user.is_learner:
            if pref.weekly_enabled and (period := schedule.weekly_due(plan, zone, now)):
                add(ReminderKind.WEEKLY, period)
            last = user.last_activity_at or user.date_joined
            if pref.inactivity_enabled and (
                period := schedule.inactivity_due(plan, zone, now, last)
            ):
                add(ReminderKind.INACTIVITY, period)
            if pref.milestone_enabled:
                for item in milestones.get(user.pk, []):
                    period = schedule.milestone_due(plan, zone, now, item.key, item.due_date)
                    if period:
                        add(
                            ReminderKind.MILESTONE,
                            period,
                            {"title": item.title, "due_date": item.due_date.isoformat()},
                        )
        if user.pk in mentor_ids and pref.digest_enabled:
            if period := schedule.weekly_due(plan, zone, now):
                add(ReminderKind.DIGEST, period)
    return rows


def _reconcile_stuck(now: dt.datetime) -> tuple[int, int]:
    """Rows in "sending" past the lease: resend if the mail never left, else give up (failed)."""
    stuck = Delivery.objects.stuck_sending(claimed_before=now - send_lease())
    reset = stuck.filter(handed_off_at__isnull=True).update(
        status=Delivery.Status.PENDING,
        claimed_at=None,
        enqueued_at=None,
        last_error="Worker lost before sending; queued again.",
    )
    abandoned = stuck.filter(handed_off_at__isnull=False).update(
        status=Delivery.Status.FAILED,
        last_error="Worker lost while handing the message to the mail server; it may or may not "
        "have been delivered, so it is not resent (at most once).",
    )
    if reset or abandoned:
        logger.warning("reminders: %s stuck deliveries requeued, %s abandoned", reset, abandoned)
    return reset, abandoned


def _enqueue_pending(now: dt.datetime) -> int:
    ids = list(
        Delivery.objects.needing_enqueue(before=now - REENQUEUE_AFTER)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        with transaction.atomic():
            Delivery.objects.filter(pk__in=chunk).update(enqueued_at=now)
            transaction.on_commit(partial(deliveries_enqueue, delivery_ids=chunk))
    return len(ids)


def deliveries_enqueue(*, delivery_ids: Iterable[int]) -> bool:
    """Publish one send task per SEND_CHUNK deliveries over one broker connection. Never raises:
    if the broker is unreachable the rows stay pending and the next dispatcher run enqueues them."""
    from roadmap.celery import app
    from roadmap.tasks import send_deliveries_task

    delivery_ids = list(delivery_ids)
    try:
        # One connection per chunk, giving up after one quick reconnect: a web request must not
        # hang on a broker that is down (kombu would otherwise keep retrying).
        with app.connection_for_write(transport_options=FAIL_FAST) as conn:
            producer = conn.Producer()
            for start in range(0, len(delivery_ids), SEND_CHUNK):
                chunk = delivery_ids[start : start + SEND_CHUNK]
                send_deliveries_task.apply_async((chunk,), producer=producer, retry=False)
    except Exception:
        logger.exception(
            "reminders: could not enqueue %s deliveries; they stay pending for the next dispatch",
            len(delivery_ids),
        )
        return False
    return True


def reminder_sample_request(*, user: User, now: dt.datetime | None = None) -> tuple[Delivery, bool]:
    """Queue a sample of the weekly reminder for `user` (at most one a day). Returns (row, new)."""
    now = now or timezone.now()
    period = f"sample-{now.astimezone(schedule.safe_zone(user.timezone)).date().isoformat()}"
    with transaction.atomic():
        delivery, created = Delivery.objects.get_or_create(
            recipient=user,
            kind=ReminderKind.WEEKLY,
            period=period,
            defaults={"created_at": now, "enqueued_at": now},
        )
        if created:
            transaction.on_commit(partial(deliveries_enqueue, delivery_ids=[delivery.pk]))
    return delivery, created


# --- sending ----------------------------------------------------------------------------------


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


# --- content ----------------------------------------------------------------------------------

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


# --- preferences ------------------------------------------------------------------------------


def reminder_unsubscribe(*, user_id: int, kind: str) -> bool:
    """Turn off one kind (or all) for a user. Idempotent; False if the user does not exist."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return False
    pref, _ = ReminderPreference.objects.get_or_create(user=user)
    kinds = [k.value for k in ReminderKind] if kind == ALL else [kind]
    fields = [f"{k}_enabled" for k in kinds]
    for field in fields:
        setattr(pref, field, False)
    pref.save(update_fields=[*fields, "updated_at"])
    return True


@transaction.atomic
def reminder_preferences_save(*, user: User, preference: ReminderPreference, timezone_name: str):
    """Store validated preferences and the user's time zone together (all or nothing)."""
    preference.user = user
    preference.save()
    if user.timezone != timezone_name:
        user.timezone = timezone_name
        user.save(update_fields=["timezone"])
    return preference

"""Deliveries: what Gapmap sends (reminders, digests) and how: the message, the signed
unsubscribe link, enqueueing the send, then claim, hand off, send, record, retry.

Guarantee: AT MOST ONCE, and nothing dropped that provably was not sent. A worker claims a
Delivery row with a conditional UPDATE (pending -> sending); only the worker that changed exactly
one row goes on. It renders the e-mail and drives the SMTP phases itself (`mail_send`): connect,
EHLO, MAIL, RCPT, then it stamps `handed_off_at` and only then begins DATA. So:
- a failure before DATA (connect, MAIL, RCPT, a 4xx reply, a timeout) handed nothing over: the
  row goes back to pending and is retried with backoff and jitter, up to MAX_ATTEMPTS, then
  `failed`; a 5xx reply is `failed` at once;
- after DATA began, a reply code is still the server's word (4xx retry, 5xx failed), but a
  timeout or a dropped connection means the server may have queued the message: the row becomes
  `unknown`, is never retried by itself, and staff who checked the mail log can "send again" in
  admin;
- a worker that dies before DATA leaves the row in "sending" without `handed_off_at`: after the
  lease the dispatcher puts it back to pending and it is sent once; one that dies after the stamp
  leaves it with `handed_off_at`: the dispatcher marks it `unknown`. A duplicate reminder is
  worse than a rare one that staff must look at.

Each message has its own deadline (the mailer's `timeout`, over the whole SMTP exchange, connect
included: roadmap/smtp.py), a chunk sends over several mail connections at once (`_Lanes`), and
a row that needs a retry is handed to `on_retry` as soon as it fails, so a hung recipient holds
up no other row while a lane is free. The lease and the recovery are the dispatcher's
(`reminders.send_lease`, `reminders._reconcile_stuck`); what a reminder says is read in
`digests`."""

import email.policy
import logging
import queue
import random
import re
import smtplib
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, mailers
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.db import transaction
from django.db.models import F
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from roadmap.celery import app
from roadmap.models import (
    MESSAGE_KINDS,
    Delivery,
    Notification,
    ReminderKind,
    ReminderPreference,
)
from roadmap.services import digests as content
from roadmap.smtp import smtp_drop, smtp_quit, smtp_session

logger = logging.getLogger(__name__)

# Tasks are enqueued by name, so this module never imports roadmap.tasks (which imports it).
SEND_DELIVERIES_TASK = "roadmap.tasks.send_deliveries_task"
# Deliveries per send task: one task, one mail connection and shared lookups per chunk.
SEND_CHUNK = 50
# A web request that enqueues gives up within about 2 s on a broker that is down or hung (connect
# and read timeouts, one quick reconnect); the row stays pending for the next dispatcher run.
FAIL_FAST = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
    "socket_timeout": 0.5,
    "socket_connect_timeout": 0.5,
    "retry_on_timeout": False,
}


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
            for name in ("reminder", "digest", "message")
        },
    }


def reminder_message(
    *, delivery: Delivery, data: dict | None = None, parts: dict | None = None
) -> tuple[EmailMultiAlternatives, dict]:
    """The multipart e-mail for a delivery, and the fields of its in-app notification. `data`:
    the recipient's content when the caller read it in bulk; read here otherwise. `parts`: see
    `message_parts`."""
    parts = parts or message_parts()
    if delivery.kind in MESSAGE_KINDS:
        return _message_email(delivery, parts), {}
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


def _unsubscribe_urls(user_id: int, kind: str) -> tuple[str, str]:
    return tuple(
        absolute_url(
            reverse("roadmap:unsubscribe", args=[unsubscribe_token(user_id=user_id, kind=k)])
        )
        for k in (kind, ALL)
    )


def _message_email(delivery: Delivery, parts: dict) -> EmailMultiAlternatives:
    """The e-mail of a message kind (feedback, a reply, an announcement, an invitation, ...):
    its words were stored in the row's context when it happened (conversations), so a resend
    says the same. Its in-app notification was created then too."""
    data = delivery.context
    recipient = delivery.recipient
    url = data.get("url", "")
    ctx = {
        "name": recipient.display_name if recipient else delivery.to_address.split("@")[0],
        "intro": data.get("intro", ""),
        "body": data.get("body", ""),
        "action": data.get("action", "Open Gapmap"),
        "link": url if url.startswith(("http://", "https://")) else absolute_url(url or "/"),
        "sender": data.get("sender", "a mentor"),
        "preferences_url": parts["preferences_url"],
    }
    headers = {"X-Gapmap-Delivery": str(delivery.pk)}
    if recipient is not None:  # an invitee has no account, so no preferences to change
        ctx["unsubscribe_url"], ctx["unsubscribe_all_url"] = _unsubscribe_urls(
            recipient.pk, delivery.kind
        )
        headers["List-Unsubscribe"] = f"<{ctx['unsubscribe_url']}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    text_template, html_template = parts["templates"]["message"]
    message = EmailMultiAlternatives(
        subject=data.get("subject") or ReminderKind(delivery.kind).label,
        body=text_template.render(ctx),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[delivery.address],
        headers=headers,
    )
    message.attach_alternative(html_template.render(ctx), "text/html")
    return message


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
# A send with no timeout configured still ends: each message's whole SMTP exchange (MAIL, RCPT,
# DATA and the reply) must finish within the mailer's `timeout`, or this many seconds.
DEFAULT_SEND_DEADLINE = 20
# A QUIT at the end of a chunk: a server that does not say goodbye in time is simply dropped.
QUIT_SECONDS = 5


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
    UNKNOWN = "unknown"  # DATA began and no reply came: maybe delivered, never resent by itself


@dataclass
class SendResult:
    outcome: str
    attempts: int = 0
    error: str = ""
    countdown: float | None = None  # for RETRY: when the retry is due


RetryHook = Callable[[int, float], None]


class SendFailed(Exception):
    """A send that failed, and whether the message's DATA had begun when it did."""

    def __init__(self, error: BaseException, *, data_started: bool):
        super().__init__(f"{type(error).__name__}: {error}")
        self.error = error
        self.data_started = data_started


def is_transient(exc: BaseException) -> bool:
    """4xx replies, dropped connections and timeouts are worth retrying; 5xx replies are not.
    Only for failures before DATA began: see `send_verdict`."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(exc, (smtplib.SMTPServerDisconnected, ConnectionError, TimeoutError, OSError))


def _is_reply(exc: BaseException) -> bool:
    """The server answered with a code (it said what it did), as opposed to going silent."""
    return isinstance(exc, (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused))


def send_verdict(exc: BaseException, *, data_started: bool) -> str:
    """What a failed send means, by SMTP phase (RFC 5321):
    - before DATA (connect, EHLO, MAIL, RCPT) nothing was handed over: a 4xx, a timeout or a
      dropped connection is retried, a 5xx fails;
    - once DATA has begun, a reply code is still the server's word (4xx: not accepted, retry;
      5xx: refused, failed), but silence (a timeout, a dropped connection, anything else) means
      the message may have been queued: UNKNOWN, never retried by itself."""
    if data_started and not _is_reply(exc):
        return Outcome.UNKNOWN
    return Outcome.RETRY if is_transient(exc) else Outcome.FAILED


def _is_smtp(connection) -> bool:
    return isinstance(connection, SMTPBackend)


def mail_send(*, connection, message: EmailMultiAlternatives, on_data: Callable[[], None]) -> None:
    """Send one message over `connection` (a mail backend), calling `on_data` just before the
    message's DATA begins. Raises SendFailed, which says whether the message had begun to go
    out (the server's go-ahead, 354, received) when it failed.

    Over SMTP the phases are driven here (connect, EHLO, STARTTLS and AUTH when the session is
    new, then MAIL, RCPT, `on_data`, DATA) and the whole exchange has one deadline: the
    backend's `timeout` (roadmap/smtp.py gives every read and write what is left of it), so a
    server that hangs or drips costs one message at most that long. Other backends (file,
    locmem, console) have no phases: `on_data` runs just before they are called, and an error
    they raise means nothing was handed over."""
    if not _is_smtp(connection):
        on_data()
        try:
            connection.send_messages([message])
        except Exception as exc:
            raise SendFailed(exc, data_started=False) from exc
        return
    data_started = False
    try:
        from_email = connection.prep_address(message.from_email)
        recipients = [connection.prep_address(addr) for addr in message.recipients()]
        payload = message.message(policy=email.policy.SMTP).as_bytes()
        smtp = smtp_session(connection, seconds=connection.timeout or DEFAULT_SEND_DEADLINE)
        smtp.ehlo_or_helo_if_needed()
        code, reply = smtp.mail(from_email)
        if code != 250:
            raise smtplib.SMTPSenderRefused(code, reply, from_email)
        refused = {}
        for recipient in recipients:
            code, reply = smtp.rcpt(recipient)
            if code not in (250, 251):
                refused[recipient] = (code, reply)
        if refused:  # one recipient per reminder: refused means not sent at all
            raise smtplib.SMTPRecipientsRefused(refused)
        smtp.deadline.left()  # nothing left: give up before DATA, still safe to retry
        on_data()
        smtp.deadline.left()  # the hand-off took the rest: the same
        code, reply = smtp.docmd("data")
        if code != 354:  # no go-ahead: the server took nothing
            raise smtplib.SMTPDataError(code, reply)
        data_started = True
        smtp.send(_dot_stuffed(payload))
        code, reply = smtp.getreply()
        if code != 250:
            raise smtplib.SMTPDataError(code, reply)
    except Exception as exc:
        mail_drop(connection=connection)
        raise SendFailed(exc, data_started=data_started) from exc


def _dot_stuffed(payload: bytes) -> bytes:
    """The message as DATA carries it (RFC 5321 4.5.2): a leading dot doubled on every line,
    ended by CRLF . CRLF. `payload` already has CRLF line ends (policy SMTP)."""
    body = re.sub(rb"(?m)^\.", b"..", payload)
    if not body.endswith(b"\r\n"):
        body += b"\r\n"
    return body + b".\r\n"


def mail_drop(*, connection) -> None:
    """Close a mail connection after an error without talking to the server again (a polite
    QUIT to a hung server would wait out another timeout); the next send opens a fresh one."""
    if _is_smtp(connection):
        smtp_drop(connection)
    else:
        _close_quietly(connection)


def mail_close(*, connection) -> None:
    """Close a mail connection at the end of its sends: a QUIT, within a short time of its own."""
    if _is_smtp(connection):
        smtp_quit(connection, seconds=min(connection.timeout or QUIT_SECONDS, QUIT_SECONDS))
    else:
        _close_quietly(connection)


def deliveries_send(
    *, delivery_ids: Iterable[int], on_retry: RetryHook | None = None
) -> dict[int, SendResult]:
    """Send a chunk of deliveries, each with its own claim, deadline and record exactly as
    `delivery_send`. What the e-mails say is read for the whole chunk at once (a fixed number of
    queries); what remains per row are the claim, the hand-off and the record of the send.

    Over SMTP up to REMINDER_SEND_LANES messages are on the wire at once, each lane with a mail
    connection of its own (dropped and reopened after a failure): a recipient whose server
    hangs holds one lane for at most one deadline while the rows after it go out on the
    others. A failure touches only its row; `on_retry(delivery_id, countdown)` is called the
    moment a row needs a retry, not when the chunk ends."""
    delivery_ids = list(delivery_ids)
    now = timezone.now()
    # Read before claiming, to know whose content to read. A row that changes between this read
    # and its claim fails the claim below (it is conditional on the attempts read here) and is
    # claimed and read afresh.
    pending = {
        delivery.pk: delivery
        for delivery in _with_recipient(
            Delivery.objects.filter(pk__in=delivery_ids, status=Delivery.Status.PENDING)
        )
    }
    try:
        weekly = content.weekly_contents(
            learners=_unique(
                d.recipient
                for d in pending.values()
                if d.kind != ReminderKind.DIGEST and d.kind not in MESSAGE_KINDS
            ),
            now=now,
        )
        parts = message_parts()
    except Exception:  # a bug here must fail the rows one by one, as rendering does, not loop
        logger.exception("reminders: reading a chunk's content failed; reading it per e-mail")
        weekly, parts = {}, None
    results: dict[int, SendResult] = {}

    def record(job: _Job, failure: "SendFailed | None") -> None:
        result = results[job.delivery.pk] = _record(job, failure)
        if result.outcome == Outcome.RETRY and on_retry is not None:
            _call_retry(on_retry, job.delivery.pk, result.countdown)

    lanes = _Lanes(record)
    try:
        for delivery_id in delivery_ids:
            lanes.wait(until="a lane is free")  # claim a row only when it can go out at once
            delivery = pending.pop(delivery_id, None)
            if delivery is not None and _claim(delivery_id, attempts=delivery.attempts):
                delivery.status = Delivery.Status.SENDING
                delivery.attempts += 1
                digest = delivery.kind == ReminderKind.DIGEST  # reads its own content
                job = _prepare(
                    delivery,
                    data=None if digest else weekly.get(delivery.recipient_id),
                    parts=parts,
                )
            elif _claim(delivery_id):
                job = _prepare(_with_recipient(Delivery.objects).get(pk=delivery_id))
            else:
                job = SendResult(Outcome.SKIPPED)
            if isinstance(job, SendResult):
                results[delivery_id] = job
            else:
                lanes.submit(job)
        lanes.wait(until="all are idle")
    finally:
        lanes.close()
    return results


# Mail connections a chunk sends over at once (REMINDER_SEND_LANES): a few, since mail servers
# limit the connections of one client.
SEND_LANES = 4


@dataclass
class _Job:
    """A claimed delivery, rendered and ready to go."""

    delivery: Delivery
    message: EmailMultiAlternatives
    notification: dict


class _Answer:
    def __init__(self):
        self.done = threading.Event()
        self.error: BaseException | None = None


class _Lanes:
    """Sends on up to REMINDER_SEND_LANES threads, each with a mail connection of its own (one
    lane for the other backends, which have no server to wait for). Only the calling thread
    touches the database: a lane that reaches DATA asks it to stamp the hand-off and waits for
    that, and a finished send is handed back to it to `record`."""

    def __init__(self, record: Callable[[_Job, "SendFailed | None"], None]):
        first = mailers.default  # a fresh backend instance per access, opened on first send
        count = getattr(settings, "REMINDER_SEND_LANES", SEND_LANES) if _is_smtp(first) else 1
        self.connections = [first, *(mailers.default for _ in range(count - 1))]
        self.free = list(self.connections)
        self.busy = 0
        self.record = record
        self.events: queue.SimpleQueue = queue.SimpleQueue()
        self.pool = ThreadPoolExecutor(count, thread_name_prefix="gapmap-send")
        self.stopping = False

    def submit(self, job: _Job) -> None:
        connection = self.free.pop()
        self.busy += 1
        self.pool.submit(self._send, connection, job)

    def _send(self, connection, job: _Job) -> None:
        failure = None
        try:
            _test_delay()
            mail_send(
                connection=connection, message=job.message, on_data=lambda: self._hand_off(job)
            )
        except SendFailed as exc:
            failure = exc
        except BaseException as exc:  # a bug must not leave the caller waiting for this lane
            failure = SendFailed(exc, data_started=False)
        self.events.put(("done", connection, job, failure))

    def _hand_off(self, job: _Job) -> None:
        answer = _Answer()
        self.events.put(("hand off", None, job, answer))
        answer.done.wait()
        if answer.error is not None:
            raise answer.error

    def wait(self, *, until: str) -> None:
        """Serve the lanes (hand-offs, finished sends) until "a lane is free" or "all are idle"."""
        while self.busy if until == "all are idle" else not self.free:
            kind, connection, job, extra = self.events.get()
            if kind == "hand off":
                try:
                    if self.stopping:
                        raise RuntimeError("the chunk stopped before this message's DATA")
                    _hand_off(job.delivery.pk)
                except Exception as exc:
                    extra.error = exc
                extra.done.set()
                continue
            self.free.append(connection)
            self.busy -= 1
            try:
                self.record(job, extra)
            except Exception:
                if not self.stopping:
                    raise
                # Stopping after an error: the row stays "sending" for the lease to sort out.
                logger.exception("reminders: recording delivery %s failed", job.delivery.pk)

    def close(self) -> None:
        """Let every lane finish (a lane waiting to hand off is told no: its row stays claimed
        and unstamped, for the lease to put back), then end each connection."""
        self.stopping = True
        self.wait(until="all are idle")
        self.pool.shutdown(wait=True)
        for connection in self.connections:
            mail_close(connection=connection)


def _call_retry(on_retry: RetryHook, delivery_id: int, countdown: float) -> None:
    try:
        on_retry(delivery_id, countdown)
    except Exception:  # the row is pending: the dispatcher's next run enqueues it again
        logger.exception("reminders: could not enqueue the retry of delivery %s", delivery_id)


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


def delivery_send(*, delivery_id: int) -> SendResult:
    """Claim, render, send and record one delivery (see the module docstring), over a mail
    connection of its own."""
    if not _claim(delivery_id):
        return SendResult(Outcome.SKIPPED)
    job = _prepare(_with_recipient(Delivery.objects).get(pk=delivery_id))
    if isinstance(job, SendResult):
        return job
    connection = mailers.default
    _test_delay()
    try:
        mail_send(
            connection=connection,
            message=job.message,
            on_data=lambda: _hand_off(delivery_id),
        )
    except SendFailed as failure:
        return _record(job, failure)
    finally:
        mail_close(connection=connection)
    return _record(job, None)


def _prepare(delivery: Delivery, *, data: dict | None = None, parts: dict | None = None):
    """A delivery this worker has just claimed, checked and rendered: a _Job to send, or the
    SendResult when it is not to be sent (turned off, rendering failed). `data` (the recipient's
    weekly content) and `parts` come from a caller sending a chunk."""
    recipient = delivery.recipient  # None for an invitation to an address without an account
    if recipient is not None:
        pref = ReminderPreference.for_user(recipient)
        asked_for = delivery.period.startswith("sample-")  # a sample the user just requested
        if not recipient.is_active or not (asked_for or pref.is_enabled(delivery.kind)):
            return _finish_failed(delivery, "Cancelled: the recipient turned this reminder off.")
    try:
        message, notification = reminder_message(delivery=delivery, data=data, parts=parts)
    except Exception as exc:  # a rendering bug must not loop forever
        logger.exception("reminders: rendering delivery %s failed", delivery.pk)
        return _finish_failed(delivery, f"Rendering failed: {exc!r}")
    return _Job(delivery, message, notification)


def _hand_off(delivery_id: int) -> None:
    # Stored before DATA begins: from here on a lost worker means "unknown", never a resend.
    Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.SENDING).update(
        handed_off_at=timezone.now()
    )


def _record(job: _Job, failure: "SendFailed | None") -> SendResult:
    """Store what became of a send (see `send_verdict`)."""
    delivery = job.delivery
    delivery_id = delivery.pk
    if failure is None:
        with transaction.atomic():
            Delivery.objects.filter(pk=delivery_id).update(
                status=Delivery.Status.SENT, sent_at=timezone.now(), last_error=""
            )
            if job.notification:  # message kinds were notified in-app when they happened
                Notification.objects.create(
                    user=delivery.recipient, kind=delivery.kind, **job.notification
                )
        return SendResult(Outcome.SENT, delivery.attempts)
    error = str(failure)[:2000]
    verdict = send_verdict(failure.error, data_started=failure.data_started)
    if verdict == Outcome.UNKNOWN:
        Delivery.objects.filter(pk=delivery_id).update(
            status=Delivery.Status.UNKNOWN,
            last_error=f"No reply after the message's DATA began ({error}); it may or may "
            "not have been delivered, so it is not resent (at most once). Check the mail "
            "server's log, then use “Send again” in admin if it never arrived.",
        )
        logger.warning("reminders: delivery %s outcome unknown: %s", delivery_id, error)
        return SendResult(Outcome.UNKNOWN, delivery.attempts, error)
    if verdict == Outcome.RETRY and delivery.attempts < MAX_ATTEMPTS:
        Delivery.objects.filter(pk=delivery_id).update(
            status=Delivery.Status.PENDING,
            claimed_at=None,
            handed_off_at=None,
            enqueued_at=timezone.now(),
            last_error=error,
        )
        countdown = retry_countdown(delivery.attempts)
        return SendResult(Outcome.RETRY, delivery.attempts, error, countdown)
    return _finish_failed(delivery, error)


def _finish_failed(delivery: Delivery, error: str) -> SendResult:
    Delivery.objects.filter(pk=delivery.pk).update(status=Delivery.Status.FAILED, last_error=error)
    logger.warning("reminders: delivery %s failed: %s", delivery.pk, error)
    return SendResult(Outcome.FAILED, delivery.attempts, error)


def _test_delay() -> None:
    """Tests make sends slow (to kill a worker mid-batch) with REMINDER_TEST_SEND_DELAY_MS."""
    delay = getattr(settings, "REMINDER_TEST_SEND_DELAY_MS", 0)
    if delay:
        time.sleep(delay / 1000)

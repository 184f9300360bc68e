"""Reminder dispatch, and the preferences that turn reminders off.

The dispatcher (beat's tick) creates the Delivery rows that are due and enqueues their sends; the
sends themselves, and the AT MOST ONCE guarantee they keep, are in `deliveries`. The
dispatcher's share of that guarantee is `_reconcile_stuck`: after the lease it puts a row whose
DATA never began back to pending, and marks one whose DATA may have begun "unknown".

Redis is only a doorbell: rows are created in the database first and enqueued after commit; a
lost enqueue (Redis down, restarted empty) is repaired by the next dispatcher run, which
re-enqueues pending rows whose last enqueue is older than REENQUEUE_AFTER."""

import datetime as dt
import logging
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import Case, DateTimeField, F, Q, Value, When
from django.utils import timezone

from accounts.models import Cohort, User
from roadmap.lib import schedule
from roadmap.models import Delivery, ReminderKind, ReminderPreference
from roadmap.services import digests as content
from roadmap.services.deliveries import ALL, deliveries_enqueue

logger = logging.getLogger(__name__)

CHUNK = 500
# Shorter than the beat interval (15 min), so a lost enqueue is repaired by the next tick.
REENQUEUE_AFTER = dt.timedelta(minutes=10)


def send_lease() -> dt.timedelta:
    """How long a claim may last: longer than the task's hard time limit, so a send still
    running is never taken for a crashed one."""
    return dt.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)


# --- dispatch -------------------------------------------------------------------------------------


@dataclass
class DispatchResult:
    examined: int = 0
    due: int = 0
    reset: int = 0
    abandoned: int = 0
    enqueued: int = 0


def reminders_dispatch(*, now: dt.datetime | None = None) -> DispatchResult:
    """Create the Delivery rows due at `now` and enqueue every pending row that needs it.

    Reads only the users whose `reminders_due_at` has come (an index range; one probe when
    nobody is due), and sets each one's next instant from `schedule.next_due_at`.

    Safe to run twice or concurrently: rows are unique per (recipient, kind, period) and
    inserted with ignore_conflicts; a row enqueued twice is sent once (the claim)."""
    now = now or timezone.now()
    result = DispatchResult()
    # Stuck rows first, so that the enqueue after each chunk below carries those put back too.
    result.reset, result.abandoned = _reconcile_stuck(now)
    after = None
    while users := _due_users(now, after=after):
        after = (users[-1].reminders_due_at, users[-1].pk)
        rows, next_at = _examine(users, now)
        result.examined += len(users)
        result.due += len(rows)
        # Rows first: a crash between the two leaves the users due, and the next tick's insert
        # of the same rows changes nothing.
        Delivery.objects.bulk_create(rows, ignore_conflicts=True)
        _store_due_at(users, next_at)
        # Enqueued chunk by chunk, so workers send to the first users while later ones are read.
        result.enqueued += _enqueue_pending(now)
    if not result.examined:  # nobody due: lost enqueues and rows put back are still enqueued
        result.enqueued = _enqueue_pending(now)
    logger.info("reminders dispatch at %s: %s", now.isoformat(), result)
    return result


def _due_users(now: dt.datetime, *, after: tuple | None) -> list[User]:
    """The next chunk of active users whose instant has come, in (instant, id) order after
    `after`. In that order, with a LIMIT, PostgreSQL reads the partial index on
    (reminders_due_at, id) even when its statistics are stale (the instants move forward all
    the time): it stops at the first entry after `now`, so nobody due costs one index probe."""
    users = User.objects.filter(is_active=True, reminders_due_at__lte=now)
    if after is not None:
        due_at, pk = after
        users = users.filter(Q(reminders_due_at__gt=due_at) | Q(reminders_due_at=due_at, pk__gt=pk))
    return list(
        users.select_related("reminder_preference").order_by("reminders_due_at", "pk")[:CHUNK]
    )


def _milestones_by_user(user_ids, now: dt.datetime) -> dict[int, list[content.MilestoneDue]]:
    """Milestones whose reminder can fall before `now + HORIZON` in any zone (a local date is
    the UTC one give or take a day; the reminder goes out the day before)."""
    today = now.date()
    milestones: dict[int, list[content.MilestoneDue]] = {}
    for item in content.milestones_due(
        learner_ids=list(user_ids),
        start=today - dt.timedelta(days=1),
        end=today + schedule.HORIZON + dt.timedelta(days=2),
    ):
        milestones.setdefault(item.learner_id, []).append(item)
    return milestones


def _reminders(user: User, pref: ReminderPreference, milestones) -> schedule.Reminders:
    """What `user` may be reminded of, for the schedule (whatever their role)."""
    return schedule.Reminders(
        schedule=schedule.Schedule.from_preference(pref),
        zone=schedule.safe_zone(user.timezone),
        weekly=pref.weekly_enabled or pref.digest_enabled,
        inactivity=pref.inactivity_enabled,
        last_activity=user.last_activity_at or user.date_joined,
        milestones=tuple((m.key, m.due_date) for m in milestones) if pref.milestone_enabled else (),
    )


def _examine(users: list[User], now: dt.datetime) -> tuple[list[Delivery], dict[int, dt.datetime]]:
    """The deliveries due for this chunk of users, and when to look at each one next: three
    queries whatever the chunk's size."""
    ids = [u.pk for u in users]
    mentor_ids = set(
        Cohort.mentors.through.objects.filter(user_id__in=ids).values_list("user_id", flat=True)
    )
    milestones = _milestones_by_user(ids, now)

    rows, next_at = [], {}
    for user in users:
        pref = ReminderPreference.for_user(user)
        plan = schedule.Schedule.from_preference(pref)
        zone = schedule.safe_zone(user.timezone)
        mine = milestones.get(user.pk, [])
        next_at[user.pk] = schedule.next_due_at(_reminders(user, pref, mine), now)

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
                for item in mine:
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
    return rows, next_at


def _store_due_at(users: list[User], next_at: dict[int, dt.datetime]) -> None:
    """One UPDATE for the chunk, per row conditional on the instant this tick read: a user whose
    instant a preference save or a plan change set meanwhile keeps that one (it was computed
    from newer data than this tick's)."""
    if not users:
        return
    unchanged = [
        When(pk=u.pk, reminders_due_at=u.reminders_due_at, then=Value(next_at[u.pk])) for u in users
    ]
    User.objects.filter(pk__in=[u.pk for u in users]).update(
        reminders_due_at=Case(
            *unchanged, default=F("reminders_due_at"), output_field=DateTimeField()
        )
    )


def reminders_reschedule(*, user: User, now: dt.datetime | None = None) -> dt.datetime:
    """Set when the dispatcher next looks at `user`, after a change of what they want or where
    they are (preferences, time zone, path): at its next tick if something is due now (it may
    not have been sent), else at the first instant something becomes due. Three queries."""
    now = now or timezone.now()
    pref = ReminderPreference.for_user(user)
    reminders = _reminders(user, pref, _milestones_by_user([user.pk], now).get(user.pk, []))
    due_at = now if schedule.due_periods(reminders, now) else schedule.next_due_at(reminders, now)
    User.objects.filter(pk=user.pk).update(reminders_due_at=due_at)
    user.reminders_due_at = due_at
    return due_at


def _reconcile_stuck(now: dt.datetime) -> tuple[int, int]:
    """Rows in "sending" past the lease: resend if DATA never began, else record the outcome as
    unknown (never resent by itself; staff can send it again from admin)."""
    stuck = Delivery.objects.stuck_sending(claimed_before=now - send_lease())
    reset = stuck.filter(handed_off_at__isnull=True).update(
        status=Delivery.Status.PENDING,
        claimed_at=None,
        enqueued_at=None,
        last_error="Worker lost before sending; queued again.",
    )
    abandoned = stuck.filter(handed_off_at__isnull=False).update(
        status=Delivery.Status.UNKNOWN,
        last_error="Worker lost after the message's DATA began; it may or may not have been "
        "delivered, so it is not resent (at most once). Check the mail server's log, then use "
        "“Send again” in admin if it never arrived.",
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


# --- preferences ----------------------------------------------------------------------------------


def reminder_unsubscribe(*, user_id: int, kind: str) -> bool:
    """Turn off one kind (or all) for a user. Idempotent; False if the user does not exist."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return False
    pref, _ = ReminderPreference.objects.get_or_create(user=user)
    # Every kind with a preference (an invitation has none: it goes to an address).
    kinds = [k.value for k in ReminderKind if k != ReminderKind.INVITE] if kind == ALL else [kind]
    fields = [f"{k}_enabled" for k in kinds]
    for field in fields:
        setattr(pref, field, False)
    pref.save(update_fields=[*fields, "updated_at"])
    reminders_reschedule(user=user)
    return True


@transaction.atomic
def reminder_preferences_save(*, user: User, preference: ReminderPreference, timezone_name: str):
    """Store validated preferences and the user's time zone together (all or nothing)."""
    preference.user = user
    preference.save()
    if user.timezone != timezone_name:
        user.timezone = timezone_name
        user.save(update_fields=["timezone"])
    reminders_reschedule(user=user)
    return preference

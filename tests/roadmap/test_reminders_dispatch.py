"""Dispatcher and sends against the database (no broker: enqueues are recorded)."""

import datetime as dt
import os
import smtplib
import subprocess
import sys
import threading

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection, transaction
from django.utils import timezone

from roadmap.models import Delivery, Notification, PlanItem, ReminderKind
from roadmap.services import deliveries, reminders
from roadmap.services import digests as content
from roadmap.tasks import send_delivery_task
from tests import factories
from tests.factories_plans import PlanFactory, PlanItemFactory
from tests.factories_reminders import (
    DeliveryFactory,
    ReminderPreferenceFactory,
    bulk_due_learners,
    due_learner,
)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def enqueued(monkeypatch):
    """Record what would go to the broker instead of publishing it."""
    calls: list[int] = []
    lock = threading.Lock()

    def record(*, delivery_ids):
        with lock:
            calls.extend(delivery_ids)
        return True

    monkeypatch.setattr(reminders, "deliveries_enqueue", record)
    return calls


@pytest.fixture
def dispatch(enqueued, django_capture_on_commit_callbacks):
    """reminders_dispatch with its after-commit enqueues run (tests run inside a transaction)."""

    def run(**kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return reminders.reminders_dispatch(**kwargs)

    return run


def send_all(ids):
    return [deliveries.delivery_send(delivery_id=pk).outcome for pk in ids]


@pytest.mark.django_db
def test_dispatch_creates_one_row_per_due_learner_and_enqueues_after_commit(
    enqueued, django_capture_on_commit_callbacks
):
    learners = [due_learner() for _ in range(3)]
    factories.LearnerFactory()  # recently active: nothing due
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = reminders.reminders_dispatch()
    rows = Delivery.objects.all()
    assert {r.recipient_id for r in rows} == {u.pk for u in learners}
    assert {r.kind for r in rows} == {ReminderKind.INACTIVITY}
    assert sorted(enqueued) == sorted(r.pk for r in rows)
    assert result.due == 3 and result.enqueued == 3
    assert len(callbacks) == 1


@pytest.mark.django_db
def test_rollback_enqueues_nothing_and_commit_enqueues_once(
    enqueued, django_capture_on_commit_callbacks
):
    due_learner()
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                reminders.reminders_dispatch()
                raise RuntimeError("roll back")
    assert enqueued == [] and not Delivery.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            reminders.reminders_dispatch()
            assert enqueued == []  # not before the commit
    assert len(enqueued) == 1


@pytest.mark.django_db
def test_beat_twice_is_harmless(enqueued, dispatch):
    for _ in range(4):
        due_learner()
    now = timezone.now()
    dispatch(now=now)
    dispatch(now=now)
    assert Delivery.objects.count() == 4
    assert len(enqueued) == 4  # the second tick found nothing new to enqueue
    outcomes = send_all(enqueued + enqueued)  # even a doubled queue sends once each
    assert outcomes.count("sent") == 4 and outcomes.count("skipped") == 4
    assert len(mail.outbox) == 4


@pytest.mark.django_db
@pytest.mark.parametrize("size", [5, 40])
def test_dispatch_query_count_does_not_grow_with_learners(
    size, enqueued, django_assert_max_num_queries
):
    bulk_due_learners(size)
    cohort = factories.CohortFactory()
    cohort.mentors.add(factories.MentorFactory())
    # reconcile x2, users chunk, mentors, milestones, insert, select pending,
    # savepoint+update+release, the empty users chunk
    with django_assert_max_num_queries(12):
        reminders.reminders_dispatch()
    assert Delivery.objects.count() == size


@pytest.mark.django_db
def test_turned_off_kinds_and_inactive_users_get_nothing(enqueued, dispatch):
    learner = due_learner()
    learner.reminder_preference.inactivity_enabled = False
    learner.reminder_preference.save()
    due_learner(is_active=False)
    dispatch()
    assert not Delivery.objects.exists()


@pytest.mark.django_db
def test_a_reminder_turned_off_after_dispatch_is_not_sent(enqueued, dispatch):
    learner = due_learner()
    dispatch()
    learner.reminder_preference.inactivity_enabled = False
    learner.reminder_preference.save()
    assert send_all(enqueued) == ["failed"]
    assert mail.outbox == []
    assert "turned this reminder off" in Delivery.objects.get().last_error


def _learner_with_plan(learner, *, due: dt.date, status="planned"):
    """Give `learner` a current plan with one item whose only milestone (its project's one
    checkpoint, due on the item's last day) is due on `due`."""
    plan = PlanFactory(learner=learner)
    learner.target_path = plan.path
    learner.save(update_fields=["target_path"])
    item = PlanItemFactory(
        plan=plan,
        status=status,
        planned_start=due - dt.timedelta(days=7),
        planned_end=due,
    )
    checkpoint = factories.ProjectCheckpointFactory(project=item.project, title="RAG app deployed")
    return item, checkpoint


@pytest.mark.django_db
def test_learner_with_a_milestone_due_tomorrow_gets_a_milestone_reminder(enqueued, dispatch):
    learner = due_learner()
    learner.reminder_preference.inactivity_enabled = False
    learner.reminder_preference.save()
    now = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
    item, checkpoint = _learner_with_plan(learner, due=dt.date(2026, 11, 26))
    # due the day after tomorrow: nothing yet; on a done item: never (they get other nudges)
    _learner_with_plan(due_learner(), due=dt.date(2026, 11, 27))
    _learner_with_plan(due_learner(), due=dt.date(2026, 11, 26), status="done")
    dispatch(now=now)
    rows = [r for r in Delivery.objects.all() if r.kind == "milestone"]
    assert [(r.recipient_id, r.period) for r in rows] == [
        (learner.pk, f"milestone-{item.pk}-{checkpoint.pk}-2026-11-26")
    ]
    send_all([rows[0].pk])
    message = next(m for m in mail.outbox if m.to == [learner.email])
    assert message.subject == "Due tomorrow: RAG app deployed"
    assert "/plan/" in message.body


@pytest.mark.django_db
def test_milestones_due_is_two_queries_for_a_chunk(django_assert_num_queries):
    learners = [factories.LearnerFactory() for _ in range(5)]
    for learner in learners:
        _learner_with_plan(learner, due=dt.date(2026, 11, 26))
    moved_on = learners[0]
    moved_on.target_path = factories.PathFactory()  # an old plan's milestones are not due
    moved_on.save(update_fields=["target_path"])
    with django_assert_num_queries(2):  # the open items in the window, their checkpoints
        due = content.milestones_due(
            learner_ids=[u.pk for u in learners],
            start=dt.date(2026, 11, 25),
            end=dt.date(2026, 11, 27),
        )
    assert {d.learner_id for d in due} == {u.pk for u in learners[1:]}
    assert all(d.title == "RAG app deployed" for d in due)


@pytest.mark.django_db
def test_weekly_email_names_the_next_plan_item(enqueued, dispatch, django_assert_num_queries):
    learner = factories.LearnerFactory()
    assert content.next_plan_item(learner=learner) is None
    item, _ = _learner_with_plan(learner, due=dt.date.today())
    later = PlanItemFactory(plan=item.plan, planned_start=item.planned_start)
    PlanItem.objects.filter(pk=later.pk).update(status="started")
    with django_assert_num_queries(1):
        summary = content.next_plan_item(learner=learner)
    assert summary.title == later.project.name  # a started project comes first
    PlanItem.objects.filter(pk=later.pk).update(status="done")
    assert content.next_plan_item(learner=learner).title == item.project.name

    delivery = DeliveryFactory(recipient=learner, kind=ReminderKind.WEEKLY)
    send_all([delivery.pk])
    message = mail.outbox[0]
    assert f"Next on your plan: {item.project.name}" in message.body
    assert item.project.name in message.alternatives[0][0]


@pytest.mark.django_db
def test_weekly_reminder_for_learners_and_digest_for_mentors(enqueued, dispatch):
    monday_9_berlin = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
    learner = factories.LearnerFactory(timezone="Europe/Berlin", last_activity_at=monday_9_berlin)
    mentor = factories.MentorFactory(timezone="Europe/Berlin")
    cohort = factories.CohortFactory()
    cohort.mentors.add(mentor)
    factories.CohortMembershipFactory(cohort=cohort, learner=learner)
    dispatch(now=monday_9_berlin - dt.timedelta(minutes=15))
    assert not Delivery.objects.exists()
    dispatch(now=monday_9_berlin)
    rows = {(r.recipient_id, r.kind, r.period) for r in Delivery.objects.all()}
    assert rows == {(learner.pk, "weekly", "2026-W48"), (mentor.pk, "digest", "2026-W48")}
    send_all(enqueued)
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects == {
        learner.email: "Your week on Gapmap",
        mentor.email: "Your cohorts this week",
    }
    digest = next(m for m in mail.outbox if m.to == [mentor.email])
    assert cohort.name in digest.body


@pytest.mark.django_db(transaction=True)
def test_two_dispatchers_at_once_over_1000_due_learners(enqueued):
    """RELIABILITY 1 on SQLite (the suite's database); the same code path runs on PostgreSQL."""
    bulk_due_learners(1000)
    now = timezone.now()
    errors = []
    barrier = threading.Barrier(2)

    def run():
        try:
            barrier.wait()
            reminders.reminders_dispatch(now=now)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Delivery.objects.count() == 1000
    assert Delivery.objects.values("recipient", "kind", "period").distinct().count() == 1000
    # Every row was enqueued (possibly by both); the claim turns a doubled message into a no-op
    # (test_beat_twice_is_harmless sends a doubled queue).
    assert set(enqueued) == set(Delivery.objects.values_list("pk", flat=True))


@pytest.mark.django_db
def test_crash_after_claim_before_handoff_is_sent_once_after_the_lease(enqueued, dispatch):
    delivery = DeliveryFactory(recipient=factories.LearnerFactory())
    Delivery.objects.filter(pk=delivery.pk).update(
        status="sending", claimed_at=timezone.now(), attempts=1
    )
    dispatch(now=timezone.now())  # inside the lease: left alone
    assert Delivery.objects.get(pk=delivery.pk).status == "sending"
    later = timezone.now() + reminders.send_lease() + dt.timedelta(minutes=1)
    result = dispatch(now=later)
    assert result.reset == 1
    assert delivery.pk in enqueued
    send_all(set(enqueued))
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 2
    assert len([m for m in mail.outbox if m.to == [delivery.recipient.email]]) == 1


@pytest.mark.django_db
def test_crash_after_data_began_is_unknown_never_resent_and_shows_why(enqueued, dispatch):
    delivery = DeliveryFactory()
    long_ago = timezone.now() - reminders.send_lease() - dt.timedelta(minutes=1)
    Delivery.objects.filter(pk=delivery.pk).update(
        status="sending", claimed_at=long_ago, handed_off_at=long_ago
    )
    result = dispatch()
    assert result.abandoned == 1
    delivery.refresh_from_db()
    assert delivery.status == "unknown" and "at most once" in delivery.last_error
    assert delivery.pk not in enqueued
    dispatch(now=timezone.now() + reminders.send_lease() * 2)  # and later ticks leave it alone
    assert Delivery.objects.get(pk=delivery.pk).status == "unknown" and delivery.pk not in enqueued


@pytest.mark.django_db
def test_lost_enqueue_is_repaired_by_the_next_tick(enqueued, dispatch):
    due_learner()
    now = timezone.now()
    dispatch(now=now)
    enqueued.clear()  # the broker lost them
    dispatch(now=now + dt.timedelta(minutes=15))
    assert len(enqueued) == 1


@pytest.mark.django_db
def test_lost_enqueue_is_repaired_even_when_no_user_is_active(enqueued, dispatch):
    learner = due_learner()
    now = timezone.now()
    dispatch(now=now)
    enqueued.clear()  # the broker lost it
    learner.is_active = False
    learner.save(update_fields=["is_active"])
    assert dispatch(now=now + dt.timedelta(minutes=15)).enqueued == 1
    assert enqueued == [Delivery.objects.get().pk]  # (the send then cancels it)


@pytest.mark.django_db
def test_each_chunk_of_users_is_enqueued_as_soon_as_its_rows_exist(
    enqueued, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr(reminders, "CHUNK", 2)
    learners = [due_learner() for _ in range(5)]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        result = reminders.reminders_dispatch()
    assert len(callbacks) == 3 and result.enqueued == 5
    first_batch = callbacks[0].keywords["delivery_ids"]
    assert {d.recipient_id for d in Delivery.objects.filter(pk__in=first_batch)} == {
        u.pk for u in learners[:2]
    }
    assert sorted(enqueued) == sorted(Delivery.objects.values_list("pk", flat=True))


@pytest.fixture
def flaky(monkeypatch):
    """The mail backend raises the queued exceptions first, then delivers (locmem)."""
    failures: list[Exception] = []
    original = LocmemBackend.send_messages

    def send_messages(self, messages):
        if failures:
            raise failures.pop(0)
        return original(self, messages)

    monkeypatch.setattr(LocmemBackend, "send_messages", send_messages)
    return failures


@pytest.mark.django_db
def test_smtp_fails_twice_then_succeeds_one_delivery(flaky, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    flaky.extend(
        [smtplib.SMTPServerDisconnected("gone"), smtplib.SMTPResponseException(421, b"busy")]
    )
    delivery = DeliveryFactory()
    send_delivery_task.apply(args=[delivery.pk])
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 3
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_permanent_smtp_error_fails_at_once_and_is_not_retried(flaky):
    flaky.append(smtplib.SMTPRecipientsRefused({"x@example.com": (550, b"no such user")}))
    delivery = DeliveryFactory()
    send_delivery_task.apply(args=[delivery.pk])
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempts == 1
    assert "550" in delivery.last_error
    assert send_delivery_task.apply(args=[delivery.pk]).result == "skipped"
    assert mail.outbox == []


@pytest.mark.django_db
def test_transient_errors_stop_after_max_attempts(flaky):
    flaky.extend([ConnectionRefusedError("down")] * 10)
    delivery = DeliveryFactory()
    send_delivery_task.apply(args=[delivery.pk])
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempts == deliveries.MAX_ATTEMPTS
    assert "ConnectionRefusedError" in delivery.last_error


def test_backoff_grows_has_jitter_and_stays_short():
    for attempt in range(1, 10):
        values = {deliveries.retry_countdown(attempt) for _ in range(20)}
        assert len(values) > 1
        assert all(0 < v <= deliveries.RETRY_CAP_SECONDS for v in values)
    assert max(deliveries.retry_countdown(1) for _ in range(50)) <= deliveries.RETRY_BASE_SECONDS


@pytest.mark.django_db
def test_every_reminder_is_multipart_with_rfc8058_headers(enqueued, dispatch, settings):
    settings.SITE_URL = "https://gapmap.example"
    path = factories.PathFactory()
    competency = factories.CompetencyFactory(name="Prompt design")
    factories.PathCompetencyFactory(path=path, competency=competency, target_level=3, weight=2)
    stale = factories.CompetencyFactory(name="Vector databases")
    learner = due_learner(target_path=path)
    factories.RatingFactory(
        learner=learner,
        competency=competency,
        level=1,
        created_at=timezone.now() - dt.timedelta(days=10),
    )
    factories.RatingFactory(
        learner=learner,
        competency=stale,
        level=1,
        created_at=timezone.now() - dt.timedelta(days=40),
    )
    dispatch()
    send_all(enqueued)
    (message,) = mail.outbox
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<https://gapmap.example/unsubscribe/") and unsubscribe.endswith(
        ">"
    )
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = message.alternatives[0].content
    assert message.alternatives[0].mimetype == "text/html"
    for part in (message.body, html):
        assert "https://gapmap.example/dashboard/" in part
        assert "Prompt design" in part  # the top gap
        assert "Vector databases" in part  # not rated for four weeks
        assert "33%" in part
    raw = message.message().as_string()
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in raw
    note = Notification.objects.get(user=learner)
    assert note.url == "/dashboard/" and "33%" in note.body


@pytest.mark.django_db
@pytest.mark.parametrize("size", [2, 12])
def test_digest_content_queries_do_not_grow_with_the_cohort(size, django_assert_max_num_queries):
    mentor = factories.MentorFactory()
    cohort = factories.CohortFactory()
    cohort.mentors.add(mentor)
    factories.PathCompetencyFactory(path=cohort.path)
    for _ in range(size):
        learner = factories.LearnerFactory()
        factories.CohortMembershipFactory(cohort=cohort, learner=learner)
        factories.RatingFactory(learner=learner)
    with django_assert_max_num_queries(4):
        data = content.digest_content(mentor=mentor, now=timezone.now())
    assert len(data["cohorts"][0]["stuck"]) == size


def test_broker_visibility_timeout_exceeds_task_time_limit_and_retry_countdowns():
    """RELIABILITY 7, with production-like settings (REDIS_URL set) in a fresh interpreter."""
    code = (
        "from django.conf import settings as s;"
        "print(s.CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout'], s.CELERY_TASK_TIME_LIMIT,"
        " s.CELERY_TASK_ACKS_LATE, s.CELERY_TASK_REJECT_ON_WORKER_LOST)"
    )
    env = {
        **os.environ,
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "DJANGO_SETTINGS_MODULE": "roadmap.settings",
    }
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    visibility, time_limit = int(out[0]), int(out[1])
    assert out[2:] == ["True", "True"]
    assert visibility > time_limit + deliveries.RETRY_CAP_SECONDS
    assert reminders.send_lease().total_seconds() > time_limit
    assert reminders.REENQUEUE_AFTER < dt.timedelta(minutes=15)


@pytest.mark.django_db
def test_preference_defaults_without_a_row():
    learner = factories.LearnerFactory()
    pref = ReminderPreferenceFactory.build(user=learner)
    assert pref.hour == 9 and pref.quiet_start == dt.time(21) and pref.inactivity_days == 10


def test_beat_runs_the_dispatcher_every_15_minutes_in_utc(settings):
    from roadmap.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["reminders-dispatch"]
    assert entry["task"] == "roadmap.tasks.reminders_dispatch_task"
    assert entry["task"] in app.tasks
    assert entry["schedule"] == 15 * 60
    assert settings.CELERY_TIMEZONE == "UTC"


@pytest.mark.django_db
def test_chunk_retries_only_the_failed_row_and_sends_the_others_once(flaky, monkeypatch):
    from roadmap.tasks import send_deliveries_task

    retried = []
    monkeypatch.setattr(
        send_delivery_task, "apply_async", lambda args, **kw: retried.append(args[0])
    )
    rows = [DeliveryFactory() for _ in range(3)]
    flaky.append(smtplib.SMTPResponseException(421, b"busy"))  # the first send of the chunk
    outcomes = send_deliveries_task.apply(args=[[d.pk for d in rows]]).result
    assert outcomes == {"retry": 1, "sent": 2}
    assert retried == [rows[0].pk]
    assert len(mail.outbox) == 2
    statuses = dict(Delivery.objects.values_list("pk", "status"))
    assert statuses == {rows[0].pk: "pending", rows[1].pk: "sent", rows[2].pk: "sent"}
    send_delivery_task.run(rows[0].pk)  # the single-row retry
    assert Delivery.objects.get(pk=rows[0].pk).status == "sent"
    assert len(mail.outbox) == 3
    # The chunk redelivered (acks_late after a crash) resends nothing.
    assert send_deliveries_task.apply(args=[[d.pk for d in rows]]).result == {"skipped": 3}
    assert len(mail.outbox) == 3

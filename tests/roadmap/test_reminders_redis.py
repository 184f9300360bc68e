"""Reminders end to end: a real Redis broker, a real Celery worker process, the test database.

The worker writes e-mail with Django's file backend into a temporary directory; each message
carries X-Gapmap-Delivery, so the tests count exactly which deliveries went out, and how often."""

import datetime as dt
import re
import tempfile
import time
from collections import Counter
from pathlib import Path

import pytest
import redis
from django.utils import timezone

from roadmap.celery import app
from roadmap.models import Delivery
from roadmap.services import reminders
from tests import factories
from tests.factories_reminders import bulk_due_learners
from tests.services import deliveries_settled, free_port, running_celery_worker, wait_until

pytestmark = pytest.mark.redis


@pytest.fixture
def web_broker(redis_url):
    """The test process (the "web side") publishes to the throwaway Redis, not eagerly."""
    saved = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url = redis_url
    app.conf.task_always_eager = False
    yield redis_url
    app.conf.broker_url, app.conf.task_always_eager = saved


@pytest.fixture
def mail_dir():
    with tempfile.TemporaryDirectory(prefix="gapmap-mail-") as path:
        yield Path(path)


@pytest.fixture
def clean_redis(redis_url):
    client = redis.Redis.from_url(redis_url)
    client.flushall()
    yield client
    client.flushall()


def worker_env(mail_dir, **extra):
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "REMINDER_RETRY_BASE_SECONDS": "1",
        **extra,
    }


def sent_counts(mail_dir: Path) -> Counter:
    """How many e-mails each delivery id produced."""
    counts = Counter()
    for file in mail_dir.glob("*.log"):
        for match in re.finditer(r"^X-Gapmap-Delivery: (\d+)$", file.read_text(), re.M):
            counts[int(match.group(1))] += 1
    return counts


def test_dispatch_for_50_due_learners_delivers_exactly_50_and_twice_still_50(
    web_broker, clean_redis, mail_dir, transactional_db
):
    bulk_due_learners(50)
    with running_celery_worker(web_broker, extra_env=worker_env(mail_dir)) as worker:
        reminders.reminders_dispatch()
        assert wait_until(deliveries_settled), worker.output()[-3000:]
        reminders.reminders_dispatch()  # a second tick, as if beat fired twice
        time.sleep(1.5)
    counts = sent_counts(mail_dir)
    assert len(counts) == 50 and set(counts.values()) == {1}
    assert Delivery.objects.filter(status="sent").count() == 50
    assert Delivery.objects.count() == 50


def test_worker_killed_mid_batch_and_restarted_delivers_each_once(
    web_broker, clean_redis, mail_dir, transactional_db
):
    ids = bulk_due_learners(30)
    env = worker_env(mail_dir, REMINDER_TEST_SEND_DELAY_MS="400")
    with running_celery_worker(web_broker, extra_env=env) as worker:
        reminders.reminders_dispatch()
        assert wait_until(lambda: Delivery.objects.filter(status="sent").count() >= 4)
        worker.kill()  # SIGKILL mid-batch: tasks in flight and prefetched ones are lost
    assert Delivery.objects.exclude(status="sent").exists()
    with running_celery_worker(web_broker, extra_env=env) as worker:
        # The next ticks, once the send lease of the killed claims has run out.
        before = Counter(Delivery.objects.values_list("status", flat=True))
        wait = max(reminders.send_lease(), reminders.REENQUEUE_AFTER) + dt.timedelta(minutes=1)
        result = reminders.reminders_dispatch(now=timezone.now() + wait)
        assert result.reset + result.enqueued >= 1, (before, result)
        assert wait_until(deliveries_settled, timeout=90), worker.output()[-3000:]
    counts = sent_counts(mail_dir)
    assert Delivery.objects.filter(status="sent").count() == len(ids)
    assert len(counts) == len(ids) and set(counts.values()) == {1}


def test_redis_restarted_empty_pending_reminders_go_out_within_two_runs(
    web_broker, clean_redis, mail_dir, transactional_db
):
    bulk_due_learners(10)
    now = timezone.now()
    reminders.reminders_dispatch(now=now)  # first run: rows created, messages in Redis
    assert clean_redis.llen("celery") == 1  # one send task per chunk of up to SEND_CHUNK rows
    clean_redis.flushall()  # Redis restarted with nothing
    with running_celery_worker(web_broker, extra_env=worker_env(mail_dir)) as worker:
        reminders.reminders_dispatch(now=now + dt.timedelta(minutes=15))  # second run
        assert wait_until(deliveries_settled), worker.output()[-3000:]
    assert Delivery.objects.filter(status="sent").count() == 10
    assert set(sent_counts(mail_dir).values()) == {1}


def test_web_request_survives_a_dead_broker_and_the_next_dispatch_delivers(
    web_broker, clean_redis, mail_dir, transactional_db, client
):
    learner = factories.LearnerFactory()
    client.force_login(learner)
    app.conf.broker_url = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    response = client.post("/me/reminders/", {"send_sample": "1"}, follow=True)
    assert response.status_code == 200
    delivery = Delivery.objects.get(recipient=learner)
    assert delivery.status == "pending"
    app.conf.broker_url = web_broker
    with running_celery_worker(web_broker, extra_env=worker_env(mail_dir)) as worker:
        reminders.reminders_dispatch(now=timezone.now() + dt.timedelta(minutes=15))
        assert wait_until(deliveries_settled), worker.output()[-3000:]
    delivery.refresh_from_db()
    assert delivery.status == "sent"
    assert sent_counts(mail_dir) == {delivery.pk: 1}


def test_smtp_failing_twice_then_succeeding_sends_once_through_the_worker(
    web_broker, clean_redis, mail_dir, transactional_db
):
    (flaky_dir := mail_dir / "state").mkdir()
    bulk_due_learners(1)
    env = worker_env(
        mail_dir,
        EMAIL_BACKEND="tests.mail_backends.FlakyFileBackend",
        FLAKY_FAILURES="2",
        FLAKY_STATE_DIR=str(flaky_dir),
    )
    with running_celery_worker(web_broker, extra_env=env) as worker:
        reminders.reminders_dispatch()
        assert wait_until(deliveries_settled, timeout=60), worker.output()[-3000:]
    delivery = Delivery.objects.get()
    assert delivery.status == "sent" and delivery.attempts == 3
    assert sent_counts(mail_dir) == {delivery.pk: 1}

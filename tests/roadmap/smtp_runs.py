"""What the real-worker SMTP tests share (test_reminders_smtp_faults, test_conversations_delivery):
the web side publishing to the throwaway Redis, a local SMTP server that fails on demand, a
worker process that sends to it, and the check that later dispatcher runs resend nothing."""

import datetime as dt
import time

import pytest
import redis
from django.utils import timezone

from roadmap.celery import app
from roadmap.services import reminders
from tests.services import running_celery_worker
from tests.smtp_server import FaultyHandler, running_smtp_server


def after_the_lease() -> dt.timedelta:
    """Far enough ahead that every claimed row's lease has run out."""
    return max(reminders.send_lease(), reminders.REENQUEUE_AFTER) + dt.timedelta(minutes=1)


@pytest.fixture
def web_broker(redis_url):
    """The test process publishes to the throwaway Redis (emptied before and after), not
    eagerly."""
    saved = app.conf.broker_url, app.conf.task_always_eager
    app.conf.broker_url, app.conf.task_always_eager = redis_url, False
    client = redis.Redis.from_url(redis_url)
    client.flushall()
    yield redis_url
    client.flushall()
    app.conf.broker_url, app.conf.task_always_eager = saved


@pytest.fixture
def smtp():
    handler = FaultyHandler(hang_seconds=4)
    with running_smtp_server(handler) as controller:
        handler.controller = controller
        yield handler


def smtp_worker(broker, smtp, *, deadline_seconds: int):
    """A Celery worker process sending to `smtp`, each message within `deadline_seconds`."""
    env = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": smtp.controller.hostname,
        "EMAIL_PORT": str(smtp.controller.port),
        "EMAIL_USE_TLS": "false",
        "EMAIL_TIMEOUT": str(deadline_seconds),
        "REMINDER_RETRY_BASE_SECONDS": "1",
    }
    return running_celery_worker(broker, extra_env=env)


def later_ticks_resend_nothing(smtp):
    """Two dispatcher runs after every lease: nothing more reaches the server."""
    before = sorted(smtp.accepted)
    for minutes in (0, 15):
        reminders.reminders_dispatch(
            now=timezone.now() + after_the_lease() + dt.timedelta(minutes=minutes)
        )
    time.sleep(2)
    assert sorted(smtp.accepted) == before

"""No request waits on a hung broker (RELIABILITY 21): a real redis-server that accepts
connections and never answers (frozen with SIGSTOP)."""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time

import pytest

from roadmap.celery import app
from roadmap.models import Delivery
from tests import factories
from tests.services import running_redis_server

pytestmark = pytest.mark.redis


def redis_server_pid(url: str) -> int:
    port = url.rsplit(":", 1)[1].split("/")[0]
    found = subprocess.run(
        ["pgrep", "-f", f"redis-server.*{port}"], capture_output=True, text=True, check=False
    )
    pids = [int(pid) for pid in found.stdout.split()]
    assert len(pids) == 1, found
    return pids[0]


class Hung(Exception):
    pass


@contextlib.contextmanager
def alarm_after(seconds: int):
    def ring(signum, frame):
        raise Hung(f"still waiting after {seconds}s")

    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def frozen_broker():
    """A broker of its own (the session's stays usable), frozen for the test, thawed after."""
    with running_redis_server() as url:
        pid = redis_server_pid(url)
        saved = app.conf.broker_url, app.conf.task_always_eager
        app.conf.broker_url, app.conf.task_always_eager = url, False
        os.kill(pid, signal.SIGSTOP)
        try:
            yield url
        finally:
            os.kill(pid, signal.SIGCONT)
            app.conf.broker_url, app.conf.task_always_eager = saved


def test_send_a_sample_gives_up_on_a_frozen_broker_within_2_s_and_leaves_the_row_pending(
    frozen_broker, client, transactional_db
):
    learner = factories.LearnerFactory()
    client.force_login(learner)
    assert client.get("/me/reminders/").status_code == 200  # warm (templates, URLconf)
    started = time.monotonic()
    with alarm_after(15):  # a regression fails here instead of hanging the suite
        response = client.post("/me/reminders/", {"send_sample": "1"}, follow=True)
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert elapsed < 3, f"the request waited {elapsed:.1f}s on a frozen broker"
    delivery = Delivery.objects.get(recipient=learner)
    assert delivery.status == "pending"  # the next dispatcher run enqueues it


def test_broker_result_backend_and_cache_have_connect_and_read_timeouts():
    """With Redis configured, every Redis client the app makes has both timeouts."""
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'broker': s.CELERY_BROKER_TRANSPORT_OPTIONS, "
        "'result': [s.CELERY_REDIS_SOCKET_TIMEOUT, s.CELERY_REDIS_SOCKET_CONNECT_TIMEOUT, "
        "s.CELERY_REDIS_RETRY_ON_TIMEOUT], 'cache': s.CACHES['default']['OPTIONS']}))"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "roadmap.settings",
        "REDIS_URL": "redis://127.0.0.1:1/0",
        "CACHE_URL": "redis://127.0.0.1:1/1",
    }
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    found = json.loads(out.strip().splitlines()[-1])
    broker = found["broker"]
    assert 0 < broker["socket_timeout"] <= 5 and 0 < broker["socket_connect_timeout"] <= 2
    assert broker["retry_on_timeout"] is False
    assert broker["visibility_timeout"] > broker["socket_timeout"]
    timeout, connect_timeout, retry_on_timeout = found["result"]
    assert 0 < timeout <= 5 and 0 < connect_timeout <= 2 and retry_on_timeout is False
    cache = found["cache"]
    assert 0 < cache["socket_timeout"] <= 0.5 and 0 < cache["socket_connect_timeout"] <= 0.5

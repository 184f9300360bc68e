"""Logged hours sent at once: the same form from several requests is logged once, and entries
racing for one day never take it past 24 hours. Never a 500."""

import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from roadmap.models import LoggedHours
from roadmap.services.plans import plan_generate
from tests import factories
from tests.factories_plans import curriculum_with_gaps

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 6


@pytest.fixture
def started():
    learner = factories.LearnerFactory(weekly_hours=6)
    path, _c, _p = curriculum_with_gaps(learner, projects=1)
    item = plan_generate(learner=learner, path=path).items.get()
    item.start()
    return learner, item


def _post_at_once(learner, item, payloads):
    barrier = threading.Barrier(len(payloads))
    responses = []

    def post(data):
        client = Client(raise_request_exception=False)
        client.force_login(learner)
        barrier.wait()
        try:
            responses.append(client.post(reverse("roadmap:plan_item_hours", args=[item.pk]), data))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(data,)) for data in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return responses


def test_one_form_sent_at_once_is_logged_once(started):
    learner, item = started
    data = {"hours": "2", "token": str(uuid.uuid4())}
    responses = _post_at_once(learner, item, [data] * THREADS)
    assert sorted(r.status_code for r in responses) == [302] * THREADS
    assert LoggedHours.objects.filter(learner=learner).count() == 1


def test_entries_racing_for_one_day_never_pass_24_hours(started):
    learner, item = started
    payloads = [{"hours": "5", "token": str(uuid.uuid4())} for _ in range(THREADS)]
    responses = _post_at_once(learner, item, payloads)
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [302] * 4 + [400] * (THREADS - 4)
    total = sum(LoggedHours.objects.filter(learner=learner).values_list("hours", flat=True))
    assert total == Decimal(20)

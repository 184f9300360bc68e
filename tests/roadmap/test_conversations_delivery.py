"""Announcements and invitations by e-mail end to end: the web side (the test client) enqueues
on a real Redis after commit, a real Celery worker process sends over SMTP to a local server
(tests/smtp_server.py), and every message reaches it exactly once: through a 451 retry, a
resubmitted form, and dispatcher ticks long after."""

import uuid

import pytest
from django.urls import reverse

from roadmap.models import Delivery, ReminderPreference
from tests import factories
from tests.roadmap.smtp_runs import later_ticks_resend_nothing, smtp_worker
from tests.services import deliveries_settled, wait_until

pytestmark = pytest.mark.redis


def rcpts(smtp):
    return sorted(address for kind, address in smtp.events if kind == "rcpt")


@pytest.fixture
def cohort(transactional_db):
    mentor = factories.MentorFactory(full_name="Mia Mentor")
    cohort = factories.CohortFactory(name="Autumn cohort")
    cohort.mentors.add(mentor)
    learners = [factories.LearnerFactory(email=f"learner{i}@example.com") for i in range(6)]
    for i, learner in enumerate(learners):
        factories.CohortMembershipFactory(cohort=cohort, learner=learner)
        ReminderPreference.objects.create(user=learner, announcement_enabled=i < 4, **QUIET)
    ReminderPreference.objects.create(user=mentor, **QUIET)
    return cohort, mentor, learners


# The dispatcher ticks below must find no reminder due: only what this test sends is counted.
QUIET = {
    "weekly_enabled": False,
    "inactivity_enabled": False,
    "milestone_enabled": False,
    "digest_enabled": False,
}


def test_announcement_is_emailed_once_to_each_member_who_asked(client, web_broker, smtp, cohort):
    cohort, mentor, learners = cohort
    client.force_login(mentor)
    url = reverse("roadmap:cohort_announcements", args=[cohort.pk])
    form = {"subject": "Demo day", "body": "Demo day is Friday.", "key": str(uuid.uuid4())}
    smtp.fail_data_451 = 1  # the first message is refused once, then retried
    with smtp_worker(web_broker, smtp, deadline_seconds=2) as w:
        assert client.post(url, form).status_code == 302
        assert wait_until(deliveries_settled), w.output()[-3000:]
        assert client.post(url, form).status_code == 302  # the same form again: nothing more
        later_ticks_resend_nothing(smtp)
    ids = sorted(Delivery.objects.values_list("pk", flat=True))
    assert len(ids) == 4 and sorted(smtp.accepted) == ids
    assert set(Delivery.objects.values_list("status", flat=True)) == {"sent"}
    assert len(smtp.refused) == 1
    assert sorted(set(rcpts(smtp))) == [f"learner{i}@example.com" for i in range(4)]


def test_email_invitations_are_delivered_once_each(client, web_broker, smtp, cohort):
    cohort, mentor, learners = cohort
    account = factories.LearnerFactory(email="has.account@example.com")
    ReminderPreference.objects.create(user=account, **QUIET)
    client.force_login(mentor)
    url = reverse("roadmap:cohort_email_invites", args=[cohort.pk])
    pasted = (
        "a@example.com, b@example.com\nA@example.com; has.account@example.com learner0@example.com"
    )
    with smtp_worker(web_broker, smtp, deadline_seconds=2) as w:
        assert client.post(url, {"addresses": pasted}).status_code == 302
        assert wait_until(deliveries_settled), w.output()[-3000:]
        # pasted again: every address is invited or a member already, nothing is sent
        assert client.post(url, {"addresses": pasted}).status_code == 302
        later_ticks_resend_nothing(smtp)
    rows = Delivery.objects.order_by("pk")
    assert [(d.recipient_id is not None, d.address, d.status) for d in rows] == [
        (False, "a@example.com", "sent"),
        (False, "b@example.com", "sent"),
        (True, "has.account@example.com", "sent"),
    ]
    assert sorted(smtp.accepted) == [d.pk for d in rows]
    assert rcpts(smtp) == ["a@example.com", "b@example.com", "has.account@example.com"]

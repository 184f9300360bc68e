"""Mentor feedback, a verification, a checkpoint sign-off and joining a cohort each notify the
learner in-app, and by e-mail (one Delivery row, enqueued after commit) only for the kinds they
turned on on the reminder preferences page."""

import pytest
from django.core import mail
from django.urls import reverse

from roadmap.models import Delivery, Notification, ReminderPreference
from roadmap.services import deliveries
from tests import factories
from tests.factories_mentoring import CohortInviteFactory
from tests.factories_plans import PlanFactory, PlanItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    path = factories.PathFactory()
    pc = factories.PathCompetencyFactory(path=path, target_level=3)
    mentor = factories.MentorFactory(full_name="Mia Mentor")
    cohort = factories.CohortFactory(path=path, name="Autumn cohort")
    cohort.mentors.add(mentor)
    learner = factories.LearnerFactory(full_name="Ada Learner")
    factories.CohortMembershipFactory(cohort=cohort, learner=learner)
    return {"path": path, "pc": pc, "mentor": mentor, "cohort": cohort, "learner": learner}


def wants(user, **kinds):
    ReminderPreference.objects.update_or_create(
        user=user, defaults={f"{k}_enabled": v for k, v in kinds.items()}
    )


def learner_url(w, name, *args):
    return reverse(f"roadmap:{name}", args=[w["cohort"].pk, w["learner"].pk, *args])


def post_feedback(client, w, body="Try a harder retrieval set."):
    client.force_login(w["mentor"])
    return client.post(learner_url(w, "mentor_feedback"), {"body": body})


def test_feedback_notifies_in_app_without_email_by_default(client, world):
    response = post_feedback(client, world)
    assert response.status_code == 302
    note = Notification.objects.get(user=world["learner"])
    assert note.kind == "feedback" and note.title == "Mia Mentor sent you feedback"
    assert note.body == "Try a harder retrieval set."
    assert note.url == reverse(
        "roadmap:feedback_thread", args=[world["learner"].feedback_received.get().pk]
    )
    assert not Delivery.objects.exists()  # e-mail is off until the learner turns it on


def test_feedback_emails_once_when_turned_on_after_commit(
    client, world, django_capture_on_commit_callbacks
):
    wants(world["learner"], feedback=True)
    with django_capture_on_commit_callbacks() as callbacks:
        post_feedback(client, world)
    delivery = Delivery.objects.get()
    assert (delivery.recipient, delivery.kind, delivery.status) == (
        world["learner"],
        "feedback",
        "pending",
    )
    assert delivery.period == f"feedback-{world['learner'].feedback_received.get().pk}"
    assert len(callbacks) == 1  # one enqueue, only once the feedback is committed
    result = deliveries.delivery_send(delivery_id=delivery.pk)
    assert result.outcome == "sent"
    (message,) = mail.outbox
    assert message.to == [world["learner"].email]
    assert message.subject == "Mia Mentor sent you feedback"
    assert "Try a harder retrieval set." in message.body
    assert "/feedback/" in message.body and "List-Unsubscribe" in message.extra_headers
    # the in-app copy was made when the feedback was; sending adds no second one
    assert Notification.objects.filter(user=world["learner"]).count() == 1
    assert deliveries.delivery_send(delivery_id=delivery.pk).outcome == "skipped"
    assert len(mail.outbox) == 1


def test_feedback_turned_off_after_queueing_is_cancelled(client, world):
    wants(world["learner"], feedback=True)
    post_feedback(client, world)
    wants(world["learner"], feedback=False)
    delivery = Delivery.objects.get()
    assert deliveries.delivery_send(delivery_id=delivery.pk).outcome == "failed"
    assert mail.outbox == []


def test_invalid_feedback_notifies_nobody(client, world):
    response = post_feedback(client, world, body="")
    assert response.status_code == 400
    assert not Notification.objects.exists() and not Delivery.objects.exists()


def test_verification_notifies_once_even_when_verified_twice(client, world):
    wants(world["learner"], verification=True)
    rating = factories.RatingFactory(learner=world["learner"], competency=world["pc"].competency)
    client.force_login(world["mentor"])
    url = learner_url(world, "mentor_rating_verify", rating.pk)
    assert client.post(url, {"comment": "Matches the repo"}).status_code == 302
    assert client.post(url, {"comment": "again"}).status_code == 302
    note = Notification.objects.get(user=world["learner"])
    assert note.kind == "verification" and "verified your" in note.title
    assert note.body == "Matches the repo"
    assert Delivery.objects.filter(kind="verification").count() == 1


def test_sign_off_notifies_the_learner(client, world):
    wants(world["learner"], signoff=True)
    project = factories.ProjectFactory(path=world["path"], name="RAG app")
    checkpoint = factories.ProjectCheckpointFactory(project=project, title="Eval report")
    plan = PlanFactory(learner=world["learner"], path=world["path"])
    PlanItemFactory(plan=plan, project=project, status="started")  # sign-off needs a start
    client.force_login(world["mentor"])
    url = learner_url(world, "mentor_checkpoint_signoff", checkpoint.pk)
    assert client.post(url, {"comment": ""}).status_code == 302
    client.post(url, {"comment": ""})
    note = Notification.objects.get(user=world["learner"])
    assert note.title == "Mia Mentor signed off “Eval report” of RAG app"
    assert Delivery.objects.filter(kind="signoff").count() == 1


def test_joining_with_a_code_notifies_and_emails_if_asked(client, world):
    newcomer = factories.LearnerFactory()
    wants(newcomer, joined=True)
    invite = CohortInviteFactory(cohort=world["cohort"], created_by=world["mentor"])
    client.force_login(newcomer)
    assert client.post(reverse("roadmap:join"), {"code": invite.code.lower()}).status_code == 302
    note = Notification.objects.get(user=newcomer)
    assert note.title == "You joined Autumn cohort" and "Mia Mentor" in note.body
    delivery = Delivery.objects.get(kind="joined")
    assert deliveries.delivery_send(delivery_id=delivery.pk).outcome == "sent"
    assert mail.outbox[0].subject == "You joined Autumn cohort"
    # joining again while in it is no new event
    client.post(reverse("roadmap:join"), {"code": invite.code})
    assert Notification.objects.filter(user=newcomer).count() == 1


def test_preferences_page_offers_and_stores_the_email_kinds(client, world):
    learner = world["learner"]
    client.force_login(learner)
    page = client.get(reverse("roadmap:reminder_preferences"))
    assert "E-mail me when a mentor sends me feedback" in page.text
    assert "E-mail me my cohort&#x27;s announcements" in page.text or "announcements" in page.text
    form = page.context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and v is not False}
    data.update(
        {
            "timezone": "UTC",
            "frequency": "weekly",
            "weekday": 0,
            "hour": 9,
            "inactivity_days": 10,
            "quiet_start": 21,
            "quiet_end": 8,
            "feedback_enabled": "on",
            "announcement_enabled": "on",
        }
    )
    data = {k: v for k, v in data.items() if not k.endswith("_enabled") or v == "on"}
    response = client.post(reverse("roadmap:reminder_preferences"), data)
    assert response.status_code == 302, response.context["form"].errors
    pref = ReminderPreference.objects.get(user=learner)
    assert pref.feedback_enabled and pref.announcement_enabled
    assert not pref.reply_enabled and not pref.weekly_enabled


def test_unsubscribe_from_all_turns_message_kinds_off_too(client, world):
    wants(world["learner"], feedback=True, reply=True)
    token = deliveries.unsubscribe_token(user_id=world["learner"].pk, kind="all")
    assert client.post(reverse("roadmap:unsubscribe", args=[token])).status_code == 200
    pref = ReminderPreference.objects.get(user=world["learner"])
    assert not pref.feedback_enabled and not pref.reply_enabled and not pref.weekly_enabled


def test_unsubscribe_link_of_a_feedback_email_turns_off_only_feedback(client, world):
    wants(world["learner"], feedback=True, reply=True)
    token = deliveries.unsubscribe_token(user_id=world["learner"].pk, kind="feedback")
    assert client.post(reverse("roadmap:unsubscribe", args=[token])).status_code == 200
    pref = ReminderPreference.objects.get(user=world["learner"])
    assert not pref.feedback_enabled and pref.reply_enabled


def test_notifications_page_lists_the_feedback(client, world):
    post_feedback(client, world)
    client.force_login(world["learner"])
    page = client.get(reverse("roadmap:notifications"))
    assert "Mia Mentor sent you feedback" in page.text

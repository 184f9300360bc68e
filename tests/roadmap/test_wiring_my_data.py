"""My data with every area merged: the JSON export holds the learner's plans, mentoring records
and reminders (a fixed number of queries), and deleting an account with all of them works."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import CohortMembership, User
from roadmap.models import (
    CheckpointSignOff,
    Delivery,
    Feedback,
    Notification,
    Plan,
    PlanItem,
    Rating,
    RatingVerification,
    ReminderPreference,
)
from roadmap.services.assessment import rating_record
from tests import factories
from tests.factories_mentoring import (
    CheckpointSignOffFactory,
    FeedbackFactory,
    RatingVerificationFactory,
)
from tests.factories_plans import PlanFactory, PlanItemFactory
from tests.factories_reminders import (
    DeliveryFactory,
    NotificationFactory,
    ReminderPreferenceFactory,
)

pytestmark = pytest.mark.django_db


def _learner_with_everything(email, *, items=1):
    learner = factories.LearnerFactory(email=email)
    mentor = factories.MentorFactory(full_name="Mia Mentor")
    plan = PlanFactory(learner=learner)
    learner.target_path = plan.path
    learner.save(update_fields=["target_path"])
    cohort = factories.CohortFactory(path=plan.path)
    cohort.mentors.add(mentor)
    factories.CohortMembershipFactory(cohort=cohort, learner=learner)
    competency = factories.PathCompetencyFactory(path=plan.path).competency
    rating = rating_record(learner=learner, competency=competency, level=2)
    for _ in range(items):
        item = PlanItemFactory(plan=plan)
        checkpoint = factories.ProjectCheckpointFactory(
            project=item.project, title=f"{item.project.name} demo"
        )
        CheckpointSignOffFactory(learner=learner, checkpoint=checkpoint, mentor=mentor)
        FeedbackFactory(learner=learner, author=mentor, body=f"Note on {item.project.name}")
        DeliveryFactory(recipient=learner)
        NotificationFactory(user=learner)
    PlanItem.objects.filter(plan=plan).update(verified_at=timezone.now(), verified_by=mentor)
    RatingVerificationFactory(rating=rating, mentor=mentor, comment="Seen the repo")
    ReminderPreferenceFactory(user=learner, hour=7)
    return learner, mentor, plan


def test_json_export_holds_plans_mentoring_and_reminders(client):
    alice, _, plan = _learner_with_everything("alice@example.com")
    _learner_with_everything("bob@example.com")
    client.force_login(alice)
    data = json.loads(client.get(reverse("roadmap:export_json")).content)
    item = plan.items.get()
    [exported_plan] = data["plans"]
    assert exported_plan["path_slug"] == plan.path.slug
    [exported_item] = exported_plan["items"]
    assert exported_item["project_slug"] == item.project.slug
    assert exported_item["verified_at"] is not None
    assert exported_item["milestones"][0]["title"] == f"{item.project.name} demo"
    assert [f["body"] for f in data["feedback_received"]] == [f"Note on {item.project.name}"]
    assert data["feedback_received"][0]["author_name"] == "Mia Mentor"
    assert data["rating_verifications"][0]["comment"] == "Seen the repo"
    assert len(data["checkpoint_sign_offs"]) == 1
    assert data["reminder_preferences"]["hour"] == 7
    assert len(data["reminder_deliveries"]) == 1 and len(data["notifications"]) == 1
    assert "bob@example.com" not in json.dumps(data)


@pytest.mark.parametrize("items", [1, 10])
def test_json_export_queries_do_not_grow(client, items, django_assert_max_num_queries):
    learner, _, _ = _learner_with_everything(f"l{items}@example.com", items=items)
    client.force_login(learner)
    # the same limit as tests/roadmap/test_my_data.py
    # the studied resources, the celebrations and the logged hours are one more query each
    with django_assert_max_num_queries(17):
        data = json.loads(client.get(reverse("roadmap:export_json")).content)
    assert len(data["plans"][0]["items"]) == items
    assert len(data["notifications"]) == items


def test_learner_with_everything_deletes_their_account(client):
    alice, mentor, plan = _learner_with_everything("alice@example.com")
    bob, _, bob_plan = _learner_with_everything("bob@example.com")
    # alice verified by a mentor who also taught bob; bob's data must survive alice's deletion
    client.force_login(alice)
    response = client.post(reverse("roadmap:delete_account"), {"email": "alice@example.com"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=alice.pk).exists()
    assert not Plan.objects.filter(pk=plan.pk).exists()
    for model, field in [
        (PlanItem, "plan__learner"),
        (Feedback, "learner"),
        (RatingVerification, "rating__learner"),
        (CheckpointSignOff, "learner"),
        (Delivery, "recipient"),
        (Notification, "user"),
        (ReminderPreference, "user"),
        (CohortMembership, "learner"),
        (Rating, "learner"),
    ]:
        assert not model.objects.filter(**{f"{field}_id": alice.pk}).exists(), model
        assert model.objects.filter(**{f"{field}_id": bob.pk}).exists(), model
    assert User.objects.filter(pk=mentor.pk).exists()
    assert PlanItem.objects.filter(plan=bob_plan, verified_by__isnull=False).exists()


def test_mentor_who_verified_and_gave_feedback_can_delete_their_account(client):
    learner, mentor, plan = _learner_with_everything("carol@example.com")
    mentor.email = "mia@example.com"
    mentor.save(update_fields=["email"])
    client.force_login(mentor)
    response = client.post(reverse("roadmap:delete_account"), {"email": "mia@example.com"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=mentor.pk).exists()
    item = plan.items.get()
    assert item.verified_at is not None and item.verified_by is None
    assert Feedback.objects.get(learner=learner).author is None
    assert CheckpointSignOff.objects.filter(learner=learner).exists()

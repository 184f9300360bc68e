"""The dashboard as the learner's hub: plan updates count as activity, a mentoring card linking
to the learner's feedback, and the next plan item (or a way to make a plan)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from roadmap.models import Notification, PathSelection, PlanItem
from roadmap.services import mentoring as svc
from roadmap.services.assessment import rating_record
from roadmap.services.progress import activity_moments
from tests import factories
from tests.factories_admin import PathSelectionFactory
from tests.factories_mentoring import FeedbackFactory, RatingVerificationFactory
from tests.factories_plans import PlanFactory, PlanItemFactory
from tests.factories_progress import path_with_competencies
from tests.factories_reminders import NotificationFactory

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
URL = "/dashboard/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def learner():
    path, competencies = path_with_competencies(3)
    learner = factories.LearnerFactory(target_path=path)
    rating_record(learner=learner, competency=competencies[0], level=2, at=NOW)
    return learner


def test_plan_updates_count_as_active_days(client, learner):
    plan = PlanFactory(learner=learner, path=learner.target_path)
    item = PlanItemFactory(plan=plan, planned_start=NOW.date(), status="started")
    PlanItem.objects.filter(pk=item.pk).update(
        started_at=NOW - timedelta(days=2), completed_at=NOW - timedelta(days=1), status="done"
    )
    # another learner's plan updates do not count
    other = PlanItemFactory(status="started")
    PlanItem.objects.filter(pk=other.pk).update(started_at=NOW - timedelta(days=3))
    client.force_login(learner)
    html = client.get(URL).text
    # Three days, all this week (Monday to Wednesday): one week.
    assert "<strong>Active 1 week</strong>" in html
    assert "3 active days in the last 26 weeks" in html


def test_next_plan_item_or_make_a_plan(client, learner):
    client.force_login(learner)
    html = client.get(URL).text
    assert "Make a plan" in html and f'href="{reverse("roadmap:plan")}"' in html
    plan = PlanFactory(learner=learner, path=learner.target_path)
    first = PlanItemFactory(plan=plan, planned_start=NOW.date())
    PlanItemFactory(plan=plan, planned_start=NOW.date() + timedelta(days=14))
    html = client.get(URL).text
    assert "Make a plan" not in html
    assert first.project.name in html and f"#item-{first.pk}" in html
    plan.items.update(status="done")
    assert "Every project on your plan is done" in client.get(URL).text


def test_mentoring_card_shows_unread_latest_feedback_and_verifications(client, learner):
    client.force_login(learner)
    assert "From your mentor" not in client.get(URL).text
    mentor = factories.MentorFactory(full_name="Mia Mentor")
    FeedbackFactory(
        learner=learner, author=mentor, body="Older note", created_at=NOW - timedelta(1)
    )
    FeedbackFactory(learner=learner, author=mentor, body="Try a harder retrieval set")
    RatingVerificationFactory(rating=learner.ratings.first(), mentor=mentor)
    FeedbackFactory(body="Someone else's feedback")
    html = client.get(URL).text
    assert "From your mentor" in html
    assert "3 new" in html
    assert "Try a harder retrieval set" in html and "Older note" not in html
    assert "Mia Mentor" in html
    assert "1 rating or checkpoint verified" in html
    assert f'href="{reverse("roadmap:my_feedback")}"' in html
    svc.mentoring_mark_read(learner)
    html = client.get(URL).text
    assert "3 new" not in html and "All feedback and verifications" in html


def test_mentoring_unread_count_is_one_query(learner, django_assert_num_queries):
    FeedbackFactory(learner=learner)
    RatingVerificationFactory(rating=learner.ratings.first())
    with django_assert_num_queries(1):
        assert svc.mentoring_unread_count(learner) == 2
    assert svc.mentoring_unread_count(factories.LearnerFactory()) == 0


@pytest.mark.parametrize("size", [2, 20])
def test_hub_queries_do_not_grow(client, learner, size, django_assert_max_num_queries):
    plan = PlanFactory(learner=learner, path=learner.target_path)
    for n in range(size):
        item = PlanItemFactory(plan=plan, status="started")
        PlanItem.objects.filter(pk=item.pk).update(started_at=timezone.now() - timedelta(days=n))
        FeedbackFactory(learner=learner)
    client.force_login(learner)
    client.get(URL)
    # one more than tests/roadmap/test_progress_dashboard.py: the next plan item's details
    with django_assert_max_num_queries(7):
        assert client.get(URL).status_code == 200


def test_activity_moments_are_every_path_choice_start_and_completion(learner):
    plan = PlanFactory(learner=learner, path=learner.target_path)
    moments = [NOW - timedelta(days=d) for d in range(1, 6)]
    started, both, done = (PlanItemFactory(plan=plan, planned_start=NOW.date()) for _ in range(3))
    PlanItem.objects.filter(pk=started.pk).update(started_at=moments[0])
    PlanItem.objects.filter(pk=both.pk).update(started_at=moments[1], completed_at=moments[2])
    # Completed without a start (data from before starts were recorded): still a moment.
    PlanItem.objects.filter(pk=done.pk).update(completed_at=moments[3])
    PlanItemFactory(plan=plan, planned_start=NOW.date())  # neither: no moment
    selection = PathSelectionFactory(learner=learner, path=learner.target_path)
    PathSelection.objects.filter(pk=selection.pk).update(created_at=moments[4])
    assert sorted(activity_moments(learner=learner)) == sorted(moments)


def test_next_plan_item_name_is_escaped(client, learner):
    plan = PlanFactory(learner=learner, path=learner.target_path)
    item = PlanItemFactory(plan=plan, planned_start=NOW.date(), status="started")
    item.project.name = '<script>alert("x")</script>'
    item.project.save()
    client.force_login(learner)
    html = client.get(URL).text
    assert '<script>alert("x")' not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert '<span class="badge warn">Started</span>' in html


def test_nav_shows_the_unread_notifications_count_the_hub_read(client, learner):
    NotificationFactory(user=learner)
    NotificationFactory(user=learner)
    NotificationFactory(user=learner, read_at=NOW)
    NotificationFactory()  # someone else's
    client.force_login(learner)
    html = client.get(URL).text
    assert '<span class="badge warn">2<span class="visually-hidden"> unread</span></span>' in html
    Notification.objects.filter(user=learner).update(read_at=NOW)
    assert "unread</span>" not in client.get(URL).text

"""Mentoring meets plans: who is behind, the plan on the mentor's learner page, and sign-off of
every checkpoint verifying the learner's plan items (shown on the plan page and portfolio)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from roadmap.models import PlanItem
from roadmap.services import mentoring as svc
from tests import factories
from tests.factories_plans import PlanFactory, PlanItemFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()


def _learner_with_plan(path, *, end_days, status=PlanItem.Status.PLANNED):
    learner = factories.LearnerFactory(target_path=path)
    plan = PlanFactory(learner=learner, path=path)
    PlanItemFactory(
        plan=plan,
        status=status,
        planned_start=TODAY - dt.timedelta(days=30),
        planned_end=TODAY + dt.timedelta(days=end_days),
    )
    return learner


def test_behind_plan_ids_one_query(django_assert_num_queries):
    path = factories.PathFactory()
    behind = _learner_with_plan(path, end_days=-3)
    started_behind = _learner_with_plan(path, end_days=-10, status=PlanItem.Status.STARTED)
    on_time = _learner_with_plan(path, end_days=3)
    done_late = _learner_with_plan(path, end_days=-3, status=PlanItem.Status.DONE)
    skipped = _learner_with_plan(path, end_days=-3, status=PlanItem.Status.SKIPPED)
    # behind on an old plan for a path they no longer target: not behind
    moved_on = _learner_with_plan(path, end_days=-3)
    moved_on.target_path = factories.PathFactory()
    moved_on.save(update_fields=["target_path"])
    outside = _learner_with_plan(path, end_days=-3)
    ids = [u.pk for u in (behind, started_behind, on_time, done_late, skipped, moved_on)]
    with django_assert_num_queries(1):
        result = svc.behind_plan_ids(ids)
    assert result == {behind.pk, started_behind.pk}
    assert outside.pk not in result


def test_cohort_dashboard_flags_learner_behind_plan(client):
    path = factories.PathFactory()
    factories.PathCompetencyFactory(path=path)
    mentor = factories.MentorFactory()
    cohort = factories.CohortFactory(path=path)
    cohort.mentors.add(mentor)
    learner = _learner_with_plan(path, end_days=-8)
    learner.last_activity_at = timezone.now()
    learner.save(update_fields=["last_activity_at"])
    factories.CohortMembershipFactory(cohort=cohort, learner=learner)
    client.force_login(mentor)
    url = reverse("roadmap:cohort_detail", args=[cohort.pk])
    # 8 days late is 1 week: under the default rule (2 weeks), not flagged
    assert "behind their plan" not in client.get(url).text
    cohort.attention_behind_weeks = 1
    cohort.save(update_fields=["attention_behind_weeks"])
    assert "behind their plan by 1 week" in client.get(url).text


def test_plan_summary_one_query_with_markers(django_assert_num_queries):
    path = factories.PathFactory()
    learner = _learner_with_plan(path, end_days=-8)
    plan = learner.plans.get()
    PlanItemFactory(plan=plan, verified_at=timezone.now(), status=PlanItem.Status.DONE)
    PlanFactory(learner=learner)  # another path's plan is not shown
    with django_assert_num_queries(1):
        items = svc.plan_summary(learner)
        names = [i.project.name for i in items]
    assert len(names) == 2
    assert items[0].behind == 2 and items[1].behind == 0
    assert svc.plan_summary(factories.LearnerFactory()) == []


def test_mentor_learner_page_shows_plan(client):
    path = factories.PathFactory()
    mentor = factories.MentorFactory()
    cohort = factories.CohortFactory(path=path)
    cohort.mentors.add(mentor)
    learner = _learner_with_plan(path, end_days=-8)
    item = learner.plans.get().items.get()
    PlanItem.objects.filter(pk=item.pk).update(verified_at=timezone.now())
    factories.CohortMembershipFactory(cohort=cohort, learner=learner)
    client.force_login(mentor)
    text = client.get(reverse("roadmap:mentor_learner", args=[cohort.pk, learner.pk])).text
    plan_section = text[text.index('id="plan-h"') : text.index('id="history-h"')]
    assert item.project.name in plan_section
    assert "Planned" in plan_section
    assert "behind by 2 weeks" in plan_section
    assert "verified" in plan_section
    assert item.planned_end.strftime("%Y") in plan_section


def test_signing_off_every_checkpoint_verifies_the_plan_item(client):
    path = factories.PathFactory()
    mentor = factories.MentorFactory(full_name="Mia Mentor")
    cohort = factories.CohortFactory(path=path)
    cohort.mentors.add(mentor)
    learner = factories.LearnerFactory(target_path=path)
    factories.CohortMembershipFactory(cohort=cohort, learner=learner)
    other = factories.LearnerFactory(target_path=path)
    plan = PlanFactory(learner=learner, path=path)
    item = PlanItemFactory(plan=plan)
    item.complete(evidence_url="https://example.com/work")
    other_item = PlanItemFactory(plan=PlanFactory(learner=other, path=path), project=item.project)
    first, second = (factories.ProjectCheckpointFactory(project=item.project) for _ in range(2))
    client.force_login(mentor)

    def sign(cp):
        url = reverse("roadmap:mentor_checkpoint_signoff", args=[cohort.pk, learner.pk, cp.pk])
        assert client.post(url, {"comment": "ok"}).status_code == 302

    sign(first)
    item.refresh_from_db()
    assert item.verified_at is None
    sign(second)
    item.refresh_from_db()
    assert item.verified_at is not None and item.verified_by == mentor
    stamp = item.verified_at
    sign(second)  # again: the first verification stands
    item.refresh_from_db()
    assert item.verified_at == stamp
    other_item.refresh_from_db()
    assert other_item.verified_at is None

    client.force_login(learner)
    assert "verified" in client.get(reverse("roadmap:plan")).text
    portfolio = client.get(reverse("roadmap:portfolio")).text
    assert "verified by Mia Mentor" in portfolio

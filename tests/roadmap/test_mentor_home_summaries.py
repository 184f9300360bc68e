"""The mentor's home: each cohort's size, median readiness and needs-attention count, added up by
the database (roadmap.services.cohorts.cohort_summaries), equal to the pure functions' answer
over the same data, in a fixed number of queries whatever the number of learners."""

import datetime as dt
import random

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import CohortMembership
from curriculum.models import PathCompetency
from roadmap.lib import cohorts
from roadmap.lib.gaps import Requirement, readiness, readiness_display
from roadmap.models import CurrentRating, PlanItem, Rating
from roadmap.services.assessment import rating_record
from roadmap.services.cohorts import cohort_rules, cohort_summaries
from tests import factories
from tests.factories_plans import PlanFactory, PlanItemFactory

pytestmark = pytest.mark.django_db


def _world(size: int, seed: int = 3):
    """A mentor of two cohorts on two paths (one competency retired), learners rating at random,
    one learner in both cohorts, one who left, some behind their plan, some never active."""
    rng = random.Random(seed)
    mentor = factories.MentorFactory()
    made = []
    for name in ("Spring", "Autumn"):
        path = factories.PathFactory()
        pcs = [
            factories.PathCompetencyFactory(
                path=path, target_level=rng.randint(1, 4), weight=rng.randint(1, 3)
            )
            for _ in range(4)
        ]
        PathCompetency.objects.filter(pk=pcs[-1].pk).update(retired_at=timezone.now())
        cohort = factories.CohortFactory(path=path, name=name, attention_idle_days=10)
        cohort.mentors.add(mentor)
        made.append((cohort, pcs))
    learners = []
    for i in range(size):
        cohort, pcs = made[i % 2]
        learner = factories.LearnerFactory(
            target_path=cohort.path,
            last_activity_at=None
            if i % 5 == 0
            else timezone.now() - dt.timedelta(days=rng.randint(0, 30)),
        )
        factories.CohortMembershipFactory(cohort=cohort, learner=learner)
        for pc in rng.sample(pcs, 3):
            rating_record(
                learner=learner,
                competency=pc.competency,
                level=rng.randint(0, 4),
                at=timezone.now() - dt.timedelta(days=rng.randint(0, 40)),
            )
        if i % 3 == 0:
            rating_record(
                learner=learner,
                competency=pcs[0].competency,
                level=4,
                source=Rating.Source.MENTOR,
                rated_by=mentor,
            )
        if i % 4 == 1:
            plan = PlanFactory(learner=learner, path=cohort.path)
            end = timezone.now().date() - dt.timedelta(days=rng.randint(1, 40))
            PlanItemFactory(plan=plan, planned_start=end - dt.timedelta(days=7), planned_end=end)
        learners.append(learner)
    both = learners[0]
    factories.CohortMembershipFactory(cohort=made[1][0], learner=both)
    left = learners[1]
    CohortMembership.objects.filter(learner=left).update(left_at=timezone.now())
    return mentor


def _reference(mentor, now):
    """The same figures from the pure functions, reading row by row."""
    result = []
    for summary in cohort_summaries(mentor, now=now):
        cohort = summary.cohort
        reqs = [
            Requirement(pc.competency_id, pc.target_level, pc.weight)
            for pc in PathCompetency.objects.current().filter(path=cohort.path)
        ]
        ready, attention = [], 0
        for membership in CohortMembership.objects.active().filter(cohort=cohort):
            learner = membership.learner
            levels = dict(
                CurrentRating.objects.filter(
                    learner=learner, source=Rating.Source.SELF
                ).values_list("competency_id", "level")
            )
            ready.append(readiness(reqs, levels))
            last = learner.last_activity_at
            if last is None:
                last = (
                    CurrentRating.objects.filter(learner=learner)
                    .order_by("-created_at")
                    .values_list("created_at", flat=True)
                    .first()
                )
            overdue = (
                PlanItem.objects.filter(
                    plan__learner=learner,
                    plan__path_id=learner.target_path_id,
                    planned_end__lt=now.date(),
                    status__in=["planned", "started"],
                )
                .order_by("planned_end")
                .values_list("planned_end", flat=True)
                .first()
            )
            behind = 0 if overdue is None else (now.date() - overdue).days // 7
            if cohorts.attention_flags(
                last_active=last, now=now, rules=cohort_rules(cohort), behind_weeks=behind
            ):
                attention += 1
        med = cohorts.median(ready)
        result.append(
            (cohort.name, len(ready), None if med is None else readiness_display(med), attention)
        )
    return result


def test_summaries_added_up_by_the_database_match_the_pure_functions():
    mentor = _world(24)
    now = timezone.now()
    got = [
        (s.cohort.name, s.size, s.median_readiness, s.attention)
        for s in cohort_summaries(mentor, now=now)
    ]
    assert got == _reference(mentor, now)
    assert sum(size for _, size, _, _ in got) == 24  # one left, one in both
    assert all(attention for *_, attention in got)


def test_a_cohort_without_members_has_no_median():
    mentor = factories.MentorFactory()
    factories.CohortFactory(name="Empty").mentors.add(mentor)
    (summary,) = cohort_summaries(mentor)
    assert (summary.size, summary.median_readiness, summary.attention) == (0, None, 0)


@pytest.mark.parametrize("size", [4, 60])
def test_mentor_home_queries_do_not_grow_with_learners(client, size, django_assert_max_num_queries):
    mentor = _world(size)
    client.force_login(mentor)
    # session, user, the nav, then six for the summaries
    with django_assert_max_num_queries(9):
        response = client.get(reverse("roadmap:mentor_home"))
    assert response.status_code == 200
    assert sum(s.size for s in response.context["summaries"]) == size

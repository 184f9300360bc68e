"""manage.py seed_demo: the demo cast, ten weeks of history, idempotent, --reset."""

import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Max, Min
from django.utils import timezone

from accounts.models import Cohort, CohortMembership, User
from roadmap.models import PathSelection, Rating
from roadmap.services.demo import (
    DEMO_PASSWORD,
    INACTIVE_LEARNERS,
    demo_seed,
    demo_wipe,
    learner_email,
)
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def curriculum():
    """Stand-ins for the default curriculum's two main paths, seven competencies each."""
    for slug, name in [("ai-developer", "AI Developer"), ("ai-engineer", "AI Engineer")]:
        path = factories.PathFactory(slug=slug, name=name)
        for _ in range(7):
            factories.PathCompetencyFactory(path=path)


@pytest.fixture(autouse=True)
def debug_on(settings):
    settings.DEBUG = True  # as in development, where the demo belongs


def _seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def _counts():
    return (
        User.objects.count(),
        Cohort.objects.count(),
        CohortMembership.objects.count(),
        PathSelection.objects.count(),
        Rating.objects.count(),
    )


def test_seed_creates_the_demo_cast(curriculum):
    _seed()
    assert User.objects.filter(is_superuser=True, is_staff=True).get().email == "admin@gapmap.test"
    mentors = User.objects.filter(role=User.Role.MENTOR)
    assert sorted(mentors.values_list("email", flat=True)) == [
        "mentor1@gapmap.test",
        "mentor2@gapmap.test",
    ]
    learners = User.objects.filter(email__startswith="learner")
    assert learners.count() == 24
    assert all(user.is_learner for user in learners)
    assert Cohort.objects.count() == 2
    for cohort in Cohort.objects.all():
        assert cohort.mentors.count() == 1
        members = cohort.memberships.active()
        assert members.count() == 12
        assert {m.learner.target_path_id for m in members} == {cohort.path_id}
    assert PathSelection.objects.count() == 24
    zones = set(learners.values_list("timezone", flat=True))
    assert {"Europe/Berlin", "America/New_York", "Asia/Kolkata"} <= zones
    hours = set(learners.values_list("weekly_hours", flat=True))
    assert min(hours) >= 3 and max(hours) <= 15 and len(hours) > 5
    for user in User.objects.all():
        assert user.check_password(DEMO_PASSWORD)


def test_seed_twice_creates_nothing_new(curriculum):
    _seed()
    before = _counts()
    out = _seed()
    assert _counts() == before
    assert "nothing created" in out


def test_reset_recreates_the_demo_users_only(curriculum):
    outsider = factories.LearnerFactory(email="real@example.com")
    factories.RatingFactory(learner=outsider)
    _seed()
    before = _counts()
    old_ids = set(User.objects.filter(email__endswith="@gapmap.test").values_list("pk", flat=True))
    _seed("--reset")
    assert _counts() == before
    new_ids = set(User.objects.filter(email__endswith="@gapmap.test").values_list("pk", flat=True))
    assert not old_ids & new_ids
    assert Rating.objects.filter(learner=outsider).count() == 1


def test_history_spans_ten_weeks_and_trends_upward(curriculum):
    now = timezone.now()
    demo_seed(now=now)
    span = Rating.objects.aggregate(first=Min("created_at"), last=Max("created_at"))
    assert span["first"] >= now - datetime.timedelta(weeks=10)
    assert span["first"] < now - datetime.timedelta(weeks=10) + datetime.timedelta(days=1)
    assert span["last"] <= now
    assert span["last"] > now - datetime.timedelta(weeks=1)
    for number in (1, 2, 9):
        learner = User.objects.get(email=learner_email(number))
        first = Rating.objects.latest_levels(learner, at=now - datetime.timedelta(weeks=9, days=6))
        latest = Rating.objects.latest_levels(learner)
        assert len(first) == 7  # a first full assessment of the path
        assert sum(latest.values()) > sum(first.values())
        assert learner.last_activity_at > now - datetime.timedelta(weeks=2)


def test_some_learners_have_been_inactive_for_three_weeks(curriculum):
    now = timezone.now()
    demo_seed(now=now)
    three_weeks_ago = now - datetime.timedelta(weeks=3)
    for number in range(1, 25):
        learner = User.objects.get(email=learner_email(number))
        recent = Rating.objects.filter(learner=learner, created_at__gt=three_weeks_ago).exists()
        assert recent == (number not in INACTIVE_LEARNERS), number
        if number in INACTIVE_LEARNERS:
            assert learner.last_activity_at <= three_weeks_ago


def test_seed_is_deterministic(curriculum):
    now = timezone.now()
    demo_seed(now=now)
    first = list(
        Rating.objects.order_by("learner__email", "created_at").values_list("level", flat=True)
    )
    demo_wipe()
    demo_seed(now=now)
    again = list(
        Rating.objects.order_by("learner__email", "created_at").values_list("level", flat=True)
    )
    assert first == again


def test_printed_logins(curriculum):
    out = _seed()
    assert "admin@gapmap.test" in out and "mentor2@gapmap.test" in out
    assert "learner01@gapmap.test" in out and "learner24@gapmap.test" in out
    assert out.count(DEMO_PASSWORD) >= 27
    assert "/accounts/login/" in out


def test_without_the_curriculum_the_command_says_to_import_it():
    with pytest.raises(CommandError, match="import_curriculum"):
        _seed()
    assert not User.objects.exists()


def test_seed_is_fast_enough(curriculum, django_assert_max_num_queries):
    # Bulk writes for users, memberships and selections; ratings go through rating_record.
    with django_assert_max_num_queries(4000) as queries:
        demo_seed()
    print(len(queries.captured_queries), "queries")


def test_refuses_in_production_unless_told(curriculum, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="allow-production"):
        _seed()
    assert not User.objects.exists()
    _seed("--allow-production")
    assert User.objects.count() == 27


def test_demo_learners_have_plans_in_progress_and_the_inactive_ones_stay_inactive(curriculum):
    from curriculum.models import Path
    from roadmap.models import PlanItem
    from roadmap.services.demo import INACTIVE_LEARNERS, learner_email

    for path in Path.objects.all():
        for pc in path.path_competencies.all():
            project = factories.ProjectFactory(path=path, estimated_hours=10)
            factories.ProjectCompetencyFactory(
                project=project, competency=pc.competency, builds_to_level=4
            )
    _seed()

    statuses = set(PlanItem.objects.values_list("status", flat=True))
    assert {"done", "started", "planned"} <= statuses
    inactive = User.objects.get(email=learner_email(min(INACTIVE_LEARNERS)))
    assert inactive.last_activity_at < timezone.now() - datetime.timedelta(days=14)
    assert not inactive.plans.get().items.filter(status="done").exists()

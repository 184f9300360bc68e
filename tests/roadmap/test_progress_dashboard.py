"""The learner dashboard: readiness now and per week, trends, since last week, curriculum
changes shown once, activity, and a query count that does not grow with history or path size."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from curriculum.models import PathCompetency
from curriculum.services import curriculum_changed
from roadmap.models import CurriculumSnapshot, Rating
from roadmap.services.assessment import path_select, rating_record
from tests import factories
from tests.factories_progress import path_with_competencies, rating_history

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday
URL = "/dashboard/"


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def learner(db):
    path, competencies = path_with_competencies(3, slug="ai-developer", name="AI Developer")
    learner = factories.LearnerFactory(target_path=path)
    learner.competencies = competencies
    return learner


def test_url_name_and_path_are_kept():
    assert reverse("roadmap:dashboard") == URL


def test_anonymous_goes_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_post_is_not_allowed(client, learner):
    client.force_login(learner)
    assert client.post(URL).status_code == 405


def test_learner_without_path_is_sent_to_onboarding_or_shown_a_call_to_action(client, db):
    learner = factories.LearnerFactory(target_path=None)
    client.force_login(learner)
    response = client.get(URL)
    try:
        onboarding = reverse("roadmap:onboarding")
    except NoReverseMatch:
        assert response.status_code == 200
        assert "Choose the path you are aiming for" in response.text
    else:
        assert response.status_code == 302 and response["Location"] == onboarding


def test_no_ratings_shows_what_to_do_next_and_no_chart(client, learner):
    client.force_login(learner)
    response = client.get(URL)
    assert response.status_code == 200
    assert "You have not rated yourself yet" in response.text
    assert "readiness-chart" not in response.text
    assert "activity-calendar" not in response.text  # no activity at all: no empty calendar
    try:
        assert f'href="{reverse("roadmap:assess")}"' in response.text
    except NoReverseMatch:
        pass


def test_history_draws_one_point_per_week_with_a_text_alternative(client, learner):
    rating_history(learner, learner.competencies, weeks=10, now=NOW)
    client.force_login(learner)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.text
    assert 'role="img"' in html and '<title id="readiness-chart-title">' in html
    assert '<desc id="readiness-chart-desc">10 weeks' in html
    assert html.count('<circle class="dot"') == 10
    assert html.count("<td>Mon ") == 10  # the table of the same numbers
    assert html.count('class="sparkline"') == 3
    # Last rating is level 4 on a target of 3 everywhere: fully ready.
    assert '<span class="big-number">100%</span>' in html


def test_since_last_week_names_what_rose_fell_and_is_new(client, db):
    path, (python, sql, docker) = path_with_competencies(3)
    learner = factories.LearnerFactory(target_path=path)
    last_week = NOW - timedelta(days=9)
    rating_record(learner=learner, competency=python, level=1, at=last_week)
    rating_record(learner=learner, competency=sql, level=3, at=last_week)
    rating_record(learner=learner, competency=python, level=3, at=NOW - timedelta(hours=2))
    rating_record(learner=learner, competency=sql, level=2, at=NOW - timedelta(hours=2))
    rating_record(learner=learner, competency=docker, level=2, at=NOW - timedelta(hours=1))
    client.force_login(learner)
    html = client.get(URL).text
    assert f"<strong>{python.name}</strong> rose from 1 to 3" in html
    assert f"<strong>{sql.name}</strong> fell from 3 to 2" in html
    assert f"<strong>{docker.name}</strong> rated 2 for the first time" in html
    # readiness 4/9 -> 7/9 of the targets: 44% -> 77%
    assert "+33 points since last week" in html
    assert "so readiness stays" not in html  # python rose to its target, from below it


def test_a_rise_past_the_target_says_why_readiness_stays(client, db):
    path, (python,) = path_with_competencies(1)  # target 3
    learner = factories.LearnerFactory(target_path=path)
    rating_record(learner=learner, competency=python, level=3, at=NOW - timedelta(days=9))
    rating_record(learner=learner, competency=python, level=4, at=NOW - timedelta(hours=2))
    client.force_login(learner)
    html = client.get(URL).text
    assert (
        f'<strong>{python.name}</strong> rose from 3 to 4 <span class="muted small">'
        "(already at its target of 3, so readiness stays)</span>"
    ) in html
    assert "±0 points since last week" in html


def test_weeks_follow_the_learners_timezone(client, db):
    path, (python,) = path_with_competencies(1)
    learner = factories.LearnerFactory(target_path=path, timezone="Asia/Tokyo")
    # Monday 00:30 in Tokyo = Sunday 15:30 UTC: this week for the learner.
    rating_record(
        learner=learner, competency=python, level=2, at=datetime(2026, 11, 22, 15, 30, tzinfo=UTC)
    )
    client.force_login(learner)
    html = client.get(URL).text
    assert "1 week," in html
    assert "rated 2 for the first time" in html


def test_ratings_by_a_mentor_and_of_other_paths_do_not_count(client, learner):
    other = factories.CompetencyFactory()
    rating_record(learner=learner, competency=other, level=4)
    mentor = factories.MentorFactory()
    rating_record(
        learner=learner,
        competency=learner.competencies[0],
        level=4,
        source=Rating.Source.MENTOR,
        rated_by=mentor,
    )
    client.force_login(learner)
    assert "You have not rated yourself yet" in client.get(URL).text


def test_activity_shows_streaks_from_ratings_and_path_choices(client, learner):
    path_select(learner=learner, path=learner.target_path)  # today
    for days_ago in (1, 2, 5):
        rating_record(
            learner=learner,
            competency=learner.competencies[0],
            level=2,
            at=NOW - timedelta(days=days_ago),
        )
    client.force_login(learner)
    html = client.get(URL).text
    assert "<strong>Active 2 weeks in a row</strong>" in html
    assert "4 active days in the last 26 weeks" in html
    assert html.count('<rect class="cell') == 25 * 7 + 3


# --- curriculum changes ---------------------------------------------------------------------------


def test_first_visit_stores_a_snapshot_without_a_notice(client, learner):
    client.force_login(learner)
    html = client.get(URL).text
    assert "changed since your last visit" not in html
    snapshot = CurriculumSnapshot.objects.get(learner=learner, path=learner.target_path)
    assert set(snapshot.requirements) == {str(c.pk) for c in learner.competencies}


def test_admin_changes_are_listed_once_and_history_stays(client, learner):
    python, sql, docker = learner.competencies
    for competency in learner.competencies:
        rating_record(learner=learner, competency=competency, level=3, at=NOW - timedelta(days=8))
    client.force_login(learner)
    assert "100%" in client.get(URL).text

    # An admin renames one competency, raises another's target and retires the third.
    python.name = "Python and SQL"
    python.save()
    PathCompetency.objects.filter(competency=sql).update(target_level=4)
    PathCompetency.objects.filter(competency=docker).update(retired_at=timezone.now())
    curriculum_changed()  # as every curriculum writer does (the admin, the import)

    html = client.get(URL).text
    assert "changed since your last visit" in html
    assert "is now called <strong>Python and SQL</strong>" in html
    assert f"The target for <strong>{sql.name}</strong> changed from 3 to 4." in html
    assert f"<strong>{docker.name}</strong> was retired" in html
    # Readiness recomputed without the retired one: (3 + 3) of (3 + 4) targets.
    assert '<span class="big-number">85%</span>' in html
    # The retired competency's history stays visible, marked.
    assert html.count('class="sparkline"') == 3
    assert '<span class="badge warn">retired</span>' in html
    assert html.index(f"{docker.name}\n") > html.index(f"{sql.name}\n")  # retired ones last
    assert Rating.objects.filter(learner=learner).count() == 3

    assert "changed since your last visit" not in client.get(URL).text


def test_added_competency_is_listed(client, learner):
    client.force_login(learner)
    client.get(URL)
    added = factories.PathCompetencyFactory(path=learner.target_path, target_level=2)
    curriculum_changed()
    html = client.get(URL).text
    assert f"<strong>{added.competency.name}</strong> was added (target 2)" in html


# --- query counts ---------------------------------------------------------------------------------


def _count_queries(client, learner):
    client.force_login(learner)
    client.get(URL)  # first visit writes the snapshot
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("weeks", [10, 52])
def test_query_count_does_not_grow_with_history(client, db, weeks, django_assert_max_num_queries):
    path, competencies = path_with_competencies(8)
    learner = factories.LearnerFactory(target_path=path)
    rating_history(learner, competencies, weeks=weeks, now=NOW)
    client.force_login(learner)
    client.get(URL)
    cache.clear()  # the rating history computed again, as on the first view after a rating
    # 5: session, user, the hub (mentoring card, next plan item, path name, last snapshot, unread
    # notifications for the nav, newest rating id, curriculum token), ratings, other activity;
    # the path's competencies come from the curriculum cache. With a next plan item, its details
    # make one more (tests/roadmap/test_wiring_dashboard.py); the cached history one fewer
    # (tests/roadmap/test_dashboard_history_cache.py).
    with django_assert_max_num_queries(5):
        assert client.get(URL).status_code == 200


@pytest.mark.parametrize("count", [10, 160])
def test_query_count_does_not_grow_with_path_size(client, db, count, django_assert_max_num_queries):
    path, competencies = path_with_competencies(count)
    learner = factories.LearnerFactory(target_path=path)
    rating_history(learner, competencies, weeks=4, now=NOW)
    client.force_login(learner)
    client.get(URL)
    cache.clear()  # the rating history computed again, as on the first view after a rating
    # 5: session, user, the hub (mentoring card, next plan item, path name, last snapshot, unread
    # notifications for the nav, newest rating id, curriculum token), ratings, other activity;
    # the path's competencies come from the curriculum cache. With a next plan item, its details
    # make one more (tests/roadmap/test_wiring_dashboard.py); the cached history one fewer
    # (tests/roadmap/test_dashboard_history_cache.py).
    with django_assert_max_num_queries(5):
        assert client.get(URL).status_code == 200


def test_same_query_count_small_and_large(client, db):
    small_path, small = path_with_competencies(10)
    small_learner = factories.LearnerFactory(target_path=small_path)
    rating_history(small_learner, small, weeks=10, now=NOW)
    large_path, large = path_with_competencies(160)
    large_learner = factories.LearnerFactory(target_path=large_path)
    rating_history(large_learner, large, weeks=52, now=NOW)
    assert _count_queries(client, small_learner) == _count_queries(client, large_learner)


def test_retired_competencies_are_listed_after_current_ones(client, learner):
    first, second, third = learner.competencies
    for competency in learner.competencies:
        rating_record(learner=learner, competency=competency, level=2)
    PathCompetency.objects.filter(competency=first).update(retired_at=timezone.now())
    client.force_login(learner)
    html = client.get(URL).text
    rows = [html.index(f"{c.name}\n") for c in (second, third, first)]
    assert rows == sorted(rows)


def test_competency_names_are_escaped_on_the_page(client, learner):
    script = '<script>alert("x")</script>'
    competency = learner.competencies[0]
    competency.name = script
    competency.save()
    rating_record(learner=learner, competency=competency, level=2, at=NOW - timedelta(days=8))
    rating_record(learner=learner, competency=competency, level=3)
    client.force_login(learner)
    html = client.get(URL).text
    assert script not in html
    # the trend table row, the since-last-week line and the celebration (it met its target)
    assert html.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;") == 3


def test_ratings_read_as_text_are_the_stored_moments_and_local_days(learner):
    from zoneinfo import ZoneInfo

    from roadmap.services.progress import self_ratings_dated

    first, second, _ = learner.competencies
    moments = [NOW - timedelta(days=3, microseconds=1), NOW, NOW + timedelta(hours=11, minutes=30)]
    for competency, moment in zip([first, second, first], moments, strict=True):
        rating_record(learner=learner, competency=competency, level=2, at=moment)
    tokyo = ZoneInfo("Asia/Tokyo")
    events = self_ratings_dated(learner=learner, zone=tokyo)
    stored = Rating.objects.filter(learner=learner).order_by("created_at", "id")
    assert [(cid, level, at) for cid, level, at, _ in events] == list(
        stored.values_list("competency_id", "level", "created_at")
    )
    assert [at for _, _, at, _ in events] == moments
    assert [day for *_, day in events] == [m.astimezone(tokyo).date() for m in moments]
    assert events[-1][3] == NOW.date() + timedelta(days=1)  # 08:30 next day in Tokyo

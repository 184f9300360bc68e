"""The dashboard keeps what it computes from the learner's self-ratings in the cache: every change
of what that is computed from shows on the next view (a new rating, a back-dated one, a curriculum
edit, the time zone, the target path, a new day or week), and the query count stays flat whether
the history is cached or read again."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from curriculum.models import PathCompetency
from curriculum.services import curriculum_changed
from roadmap.services.assessment import rating_record
from tests import factories
from tests.admin.helpers import admin_url, post_data_from
from tests.factories_progress import path_with_competencies, rating_history

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday
URL = "/dashboard/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def learner():
    path, competencies = path_with_competencies(3, name="AI Developer")
    learner = factories.LearnerFactory(target_path=path)
    learner.competencies = competencies
    return learner


def _readiness(html: str) -> str:
    return re.search(r'<span class="big-number">(\d+)%</span>', html).group(1)


def _weeks(html: str) -> str:
    return re.search(r'<desc id="readiness-chart-desc">(\d+) weeks?', html).group(1)


def _chart_values(html: str) -> list[str]:
    """Each week's percent, as the chart's dots say it."""
    return re.findall(r"<title>Week of [^:]+: (\d+)%</title>", html)


def _view(client, learner) -> str:
    client.force_login(learner)
    response = client.get(URL)
    assert response.status_code == 200
    return response.text


def test_a_second_view_shows_the_same_page(client, learner):
    rating_history(learner, learner.competencies, weeks=10, now=NOW)
    first = _view(client, learner)
    second = _view(client, learner)
    # The CSRF token and the scripts' nonce are new on every response; the rest is the same.
    fresh = re.compile(r'(csrfmiddlewaretoken" value=|x-csrftoken": |nonce=)"[^"]+"')
    assert fresh.sub("", first) == fresh.sub("", second)
    assert _chart_values(second) and _readiness(second) == "100"


def test_a_new_rating_shows_on_the_next_view(client, learner):
    rating_history(learner, learner.competencies, weeks=10, now=NOW - timedelta(hours=5))
    before = _view(client, learner)
    assert _readiness(before) == "100"

    rating_record(learner=learner, competency=learner.competencies[0], level=0)

    after = _view(client, learner)
    # (0 + 3 + 3) of 9 target levels
    assert _readiness(after) == "66"
    assert _chart_values(after)[-1] == "66" and _chart_values(before)[-1] == "100"
    assert _chart_values(after)[:-1] == _chart_values(before)[:-1]
    # the end of last week's level was 3 (rating_history's levels rise to 4 this week)
    assert f"<strong>{learner.competencies[0].name}</strong> fell from 3 to 0" in after


def test_a_back_dated_rating_shows_on_the_next_view(client, learner):
    rating_history(learner, learner.competencies, weeks=10, now=NOW)
    before = _view(client, learner)
    assert _weeks(before) == "10"

    # Added later, dated before the whole history: the chart starts earlier, nothing else moves.
    rating_record(
        learner=learner, competency=learner.competencies[1], level=3, at=NOW - timedelta(weeks=14)
    )

    after = _view(client, learner)
    assert _weeks(after) == "15"
    assert _chart_values(after)[:5] == ["33"] * 5  # 3 of 9 target levels, before the rest
    assert _chart_values(after)[5:] == _chart_values(before)
    assert _readiness(after) == _readiness(before)


def test_a_back_dated_rating_inside_the_history_shows_on_the_next_view(client, learner):
    first, *_ = learner.competencies
    rating_record(learner=learner, competency=first, level=3, at=NOW - timedelta(weeks=3))
    before = _view(client, learner)
    assert _chart_values(before) == ["33", "33", "33", "33"]

    rating_record(learner=learner, competency=first, level=1, at=NOW - timedelta(weeks=2))

    # From the week it is dated, it is that competency's newest rating: 1 of 9.
    assert _chart_values(_view(client, learner)) == ["33", "11", "11", "11"]


def test_curriculum_changed_after_a_new_target_shows_on_the_next_view(client, learner):
    for competency in learner.competencies:
        rating_record(learner=learner, competency=competency, level=3, at=NOW - timedelta(days=8))
    assert _readiness(_view(client, learner)) == "100"

    PathCompetency.objects.filter(competency=learner.competencies[0]).update(target_level=4)
    curriculum_changed()

    html = _view(client, learner)
    assert _readiness(html) == "90"  # (3 + 3 + 3) of (4 + 3 + 3)
    assert _chart_values(html) == ["90", "90"]
    assert "changed since your last visit" in html


def test_an_admin_edit_of_a_target_shows_on_the_next_view(client, learner):
    for competency in learner.competencies:
        rating_record(learner=learner, competency=competency, level=3, at=NOW - timedelta(days=8))
    assert _readiness(_view(client, learner)) == "100"

    admin = Client()
    admin.force_login(factories.StaffFactory(email="root@example.com", is_superuser=True))
    link = PathCompetency.objects.get(competency=learner.competencies[0])
    url = admin_url(PathCompetency, "change", link.pk)
    data = post_data_from(admin.get(url))
    data["target_level"] = "4"
    assert admin.post(url, data).status_code == 302

    html = _view(client, learner)
    assert _readiness(html) == "90"
    assert f"The target for <strong>{learner.competencies[0].name}</strong> changed" in html
    # The trend table says the new target and that it is no longer met.
    assert "<td>4</td>" in html


def test_a_new_time_zone_shows_on_the_next_view(client, learner):
    python = learner.competencies[0]
    rating_record(learner=learner, competency=python, level=1, at=NOW - timedelta(days=10))
    # Sunday 15:30 UTC: last week in UTC, Monday 00:30 (this week) in Tokyo.
    rating_record(
        learner=learner, competency=python, level=3, at=datetime(2026, 11, 22, 15, 30, tzinfo=UTC)
    )
    html = _view(client, learner)
    assert "No new ratings this week yet" in html
    assert _chart_values(html) == ["11", "33", "33"]

    learner.timezone = "Asia/Tokyo"
    learner.save(update_fields=["timezone"])

    html = _view(client, learner)
    assert f"<strong>{python.name}</strong> rose from 1 to 3" in html
    assert _chart_values(html) == ["11", "11", "33"]


def test_a_new_target_path_shows_on_the_next_view(client, learner):
    for competency in learner.competencies:
        rating_record(learner=learner, competency=competency, level=3, at=NOW - timedelta(days=8))
    assert _readiness(_view(client, learner)) == "100"

    # A path sharing one competency with the first, and one never rated.
    other = factories.PathFactory(name="Data Engineer")
    factories.PathCompetencyFactory(path=other, competency=learner.competencies[0])
    unrated = factories.PathCompetencyFactory(path=other)
    learner.target_path = other
    learner.save(update_fields=["target_path"])

    html = _view(client, learner)
    assert "Readiness for Data Engineer" in html
    assert _readiness(html) == "50"  # 3 of 6 target levels
    assert html.count('class="sparkline"') == 1
    assert f"{unrated.competency.name}\n" in html and "not rated yet" in html


def test_a_new_week_shows_on_the_next_view(client, learner, time_machine):
    # Sunday night, then Monday just after midnight: a new week, well within the time an entry
    # may stay in the cache.
    sunday_night = datetime(2026, 11, 29, 23, 30, tzinfo=UTC)
    time_machine.move_to(sunday_night, tick=False)
    python = learner.competencies[0]
    rating_record(
        learner=learner, competency=python, level=1, at=datetime(2026, 11, 20, tzinfo=UTC)
    )
    rating_record(
        learner=learner, competency=python, level=3, at=datetime(2026, 11, 25, tzinfo=UTC)
    )
    html = _view(client, learner)
    assert f"<strong>{python.name}</strong> rose from 1 to 3" in html
    assert _chart_values(html) == ["11", "33"]

    time_machine.move_to(sunday_night + timedelta(minutes=40), tick=False)
    html = _view(client, learner)
    assert "No new ratings this week yet" in html
    assert _chart_values(html) == ["11", "33", "33"]


def test_a_rating_dated_tomorrow_counts_from_tomorrow(client, learner, time_machine):
    late = datetime(2026, 11, 25, 23, 50, tzinfo=UTC)  # Wednesday
    time_machine.move_to(late, tick=False)
    python = learner.competencies[0]
    rating_record(learner=learner, competency=python, level=3, at=late - timedelta(days=1))
    rating_record(learner=learner, competency=python, level=1, at=late + timedelta(hours=8))
    html = _view(client, learner)
    assert _readiness(html) == "33"

    time_machine.move_to(late + timedelta(minutes=20), tick=False)  # Thursday
    assert _readiness(_view(client, learner)) == "11"


def test_a_mentor_rating_changes_nothing_the_learner_sees(
    client, learner, django_assert_max_num_queries
):
    rating_record(learner=learner, competency=learner.competencies[0], level=2)
    before = _view(client, learner)
    rating_record(
        learner=learner,
        competency=learner.competencies[0],
        level=4,
        source="mentor",
        rated_by=factories.MentorFactory(),
    )
    # The key names the newest self-rating only: the history is still the cached one.
    with django_assert_max_num_queries(4):
        html = client.get(URL).text
    assert _readiness(html) == _readiness(before) == "22"


@pytest.mark.parametrize("weeks", [10, 52])
def test_query_count_is_flat_cached_or_not(client, weeks, django_assert_max_num_queries):
    path, competencies = path_with_competencies(8)
    learner = factories.LearnerFactory(target_path=path)
    rating_history(learner, competencies, weeks=weeks, now=NOW - timedelta(hours=5))
    client.force_login(learner)
    client.get(URL)  # the first visit writes the curriculum snapshot

    rating_record(learner=learner, competency=competencies[0], level=1)
    # 5: session, user, the hub (with the newest rating id and the curriculum token), the
    # ratings, other activity
    with django_assert_max_num_queries(5):
        assert client.get(URL).status_code == 200
    # 4: the same without the ratings, whose history comes from the cache
    with django_assert_max_num_queries(4):
        assert client.get(URL).status_code == 200

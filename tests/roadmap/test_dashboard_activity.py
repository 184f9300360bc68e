"""The dashboard's activity card through HTTP: the streak in weeks, in plain words; the calendar
with month labels in a box that scrolls on a phone, and its list alternative; flat queries."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache

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
    path, competencies = path_with_competencies(2)
    learner = factories.LearnerFactory(target_path=path)
    learner.competencies = competencies
    return learner


def _rate_weeks_ago(learner, *weeks):
    for w in weeks:
        rating_record(
            learner=learner,
            competency=learner.competencies[0],
            level=1 + w % 3,
            at=NOW - timedelta(weeks=w),
        )


def _activity(client, learner) -> str:
    client.force_login(learner)
    html = client.get(URL).text
    start = html.index('aria-labelledby="activity-heading"')
    return html[start : html.index("</section>", start)]


def test_the_streak_counts_weeks_in_a_row_in_plain_words(client, learner):
    _rate_weeks_ago(learner, 0, 1, 2, 3, 4, 7, 8, 9, 10, 11, 12)
    card = _activity(client, learner)
    assert "<strong>Active 5 weeks in a row</strong>" in card
    assert "your longest run: 6 weeks in a row" in card


def test_a_run_is_not_broken_until_a_whole_week_passes(client, learner):
    _rate_weeks_ago(learner, 1, 2)  # nothing yet this week
    assert "<strong>Active 2 weeks in a row</strong>" in _activity(client, learner)


def test_after_a_quiet_week_the_card_says_how_to_start_again(client, learner):
    _rate_weeks_ago(learner, 3, 4)
    card = _activity(client, learner)
    assert "<strong>No activity for over a week</strong>" in card
    assert "starts a new run" in card and "your longest run: 2 weeks in a row" in card


def test_one_week_is_not_called_a_run(client, learner):
    path_select(learner=learner, path=learner.target_path)
    card = _activity(client, learner)
    assert "<strong>Active 1 week</strong>" in card and "in a row" not in card


def test_the_calendar_names_months_and_scrolls_in_its_own_named_box(client, learner):
    _rate_weeks_ago(learner, 0, 6)
    card = _activity(client, learner)
    assert (
        '<div class="activity-scroll" role="region" '
        'aria-label="Activity calendar, newest week on the right" tabindex="0">'
    ) in card
    months = [part.split("<")[0] for part in card.split('class="month-label"')[1:]]
    assert [m.split(">")[1] for m in months] == ["Jun 2026", "Jul", "Aug", "Sep", "Oct", "Nov"]
    # The weekday labels sit right of the newest week.
    assert '<text class="day-label" x="368" y="25">Mon</text>' in card
    # The list alternative stays.
    assert "<summary>List the active days</summary>" in card
    assert "<li>Wed 25 Nov 2026: 1</li>" in card and "<li>Wed 14 Oct 2026: 1</li>" in card


@pytest.mark.parametrize("weeks", [3, 52])
def test_the_activity_card_costs_the_same_queries_at_any_history(
    client, db, weeks, django_assert_max_num_queries
):
    path, competencies = path_with_competencies(10)
    learner = factories.LearnerFactory(target_path=path)
    rating_history(learner, competencies, weeks=weeks, now=NOW - timedelta(days=20))
    client.force_login(learner)
    client.get(URL)
    cache.clear()
    # session, user, hub, ratings, other activity (the same as without the activity card)
    with django_assert_max_num_queries(5):
        html = client.get(URL).text
    assert "Active" in html and "weeks in a row" in html

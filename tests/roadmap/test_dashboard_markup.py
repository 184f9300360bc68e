"""The dashboard's markup, now in templates/roadmap/progress/*.html (rows, chart, calendar):
the same HTML as the Python-built rows gave, for a fixed history on a fixed day (golden copies),
and user text still escaped."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from curriculum.models import PathCompetency
from curriculum.services import curriculum_changed
from roadmap.services.assessment import path_select, rating_record
from tests import factories
from tests.roadmap.golden_pages import assert_matches_golden, main_region

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def learner():
    path = factories.PathFactory(name="Golden Path", slug="golden-path")
    comps = []
    for n, (name, kind) in enumerate(
        [("Python", "skill"), ("SQL", "skill"), ("Docker", "tool"), ("Rust", "skill")]
    ):
        comp = factories.CompetencyFactory(name=name, slug=f"golden-{n}", kind=kind)
        factories.PathCompetencyFactory(
            path=path, competency=comp, target_level=3, weight=2 + n, position=n
        )
        comps.append(comp)
    learner = factories.LearnerFactory(email="golden@example.com", full_name="Golden Learner")
    path_select(learner=learner, path=path)
    python, sql, docker, _rust = comps
    # Ten weeks of history: Python rises past its target, SQL steady, Docker falls.
    for weeks_ago, levels in ((9, (1, 2, 3)), (6, (2, 2, 3)), (3, (3, 2, 2)), (0, (4, 2, 1))):
        for comp, level in zip((python, sql, docker), levels, strict=True):
            rating_record(
                learner=learner,
                competency=comp,
                level=level,
                at=NOW - timedelta(weeks=weeks_ago, hours=2),
            )
    learner.comps = comps
    return learner


def test_the_dashboard_markup_is_unchanged(client, learner):
    client.force_login(learner)
    response = client.get(reverse("roadmap:dashboard"))
    assert response.status_code == 200
    assert_matches_golden("dashboard", main_region(response.text))


def test_the_dashboard_after_curriculum_changes_is_unchanged(client, learner):
    python, sql, docker, _rust = learner.comps
    client.force_login(learner)
    client.get(reverse("roadmap:dashboard"))
    python.name = "Python 3"
    python.save()
    PathCompetency.objects.filter(competency=sql).update(target_level=4)
    PathCompetency.objects.filter(competency=docker).update(retired_at=timezone.now())
    curriculum_changed()
    response = client.get(reverse("roadmap:dashboard"))
    assert "changed since your last visit" in response.text
    assert_matches_golden("dashboard_changed", main_region(response.text))


def test_user_and_curriculum_text_on_the_dashboard_is_escaped(client, learner):
    python, sql, _docker, rust = learner.comps
    python.name = "<script>name()</script>"
    python.save()
    rust.name = "<script>unrated()</script>"
    rust.kind = "<b>k</b>"  # the column holds 10 characters
    rust.save()
    PathCompetency.objects.filter(competency=sql).update(retired_at=timezone.now())
    curriculum_changed()
    client.force_login(learner)
    html = client.get(reverse("roadmap:dashboard")).text
    assert "<script>name()" not in html and "<script>unrated()" not in html
    assert "<b>k</b>" not in html
    assert '<th scope="row">&lt;script&gt;name()&lt;/script&gt;' in html
    assert '<th scope="row">&lt;script&gt;unrated()&lt;/script&gt;' in html
    assert "&lt;b&gt;k&lt;/b&gt;" in html


def test_the_kept_calendar_follows_activity_that_is_not_a_rating(client, learner):
    """The rendered calendar is kept with the rating figures; choosing a path again (activity,
    not a rating) must still show on the next view."""
    client.force_login(learner)

    def today_title():
        html = client.get(reverse("roadmap:dashboard")).text
        start = html.index("<title>Wed 25 Nov 2026: ")
        return html[start : html.index("</title>", start)]

    before = today_title()
    path_select(learner=learner, path=learner.target_path)
    after = today_title()
    assert before != after, (before, after)

"""Onboarding: path cards, the questionnaire's recommendation, confirming, changing path."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from roadmap.models import PathSelection
from tests import factories
from tests.factories_assessment import CareerGoalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def paths():
    dev = factories.PathFactory(
        slug="ai-developer",
        name="AI Developer",
        position=1,
        summary="Builds AI features.",
        best_fit_when="You want visible project output.",
    )
    eng = factories.PathFactory(
        slug="ai-engineer",
        name="AI Engineer",
        position=2,
        summary="Runs AI systems.",
        best_fit_when="You want to own reliability.",
    )
    factories.PathFactory(slug="retired", name="Retired path", is_active=False)
    CareerGoalFactory(
        slug="student",
        label="I am a student and want my first portfolio",
        recommended_path=dev,
        reason="Build visible projects first.",
    )
    CareerGoalFactory(
        slug="reliable",
        label="I want to own reliable AI systems",
        recommended_path=eng,
        reason="Focus on evaluation and deployment.",
    )
    return dev, eng


def test_page_shows_active_path_cards_and_questions(client, paths):
    client.force_login(factories.LearnerFactory())
    response = client.get(reverse("roadmap:onboarding"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "AI Developer" in html and "You want visible project output." in html
    assert "AI Engineer" in html and "You want to own reliability." in html
    assert "Retired path" not in html
    assert "I am a student and want my first portfolio" in html
    assert "What excites you more?" in html


def test_questionnaire_recommends_with_reason_and_preselects(client, paths):
    client.force_login(factories.LearnerFactory())
    url = reverse("roadmap:onboarding") + "?goal=reliable&excites=reliability"
    html = client.get(url).content.decode()
    assert "We recommend <strong>AI Engineer</strong>" in html
    assert "Focus on evaluation and deployment." in html
    assert 'value="ai-engineer" checked' in html


def test_invalid_answers_give_no_recommendation_and_no_error(client, paths):
    client.force_login(factories.LearnerFactory())
    response = client.get(reverse("roadmap:onboarding") + "?goal=nope&excites=<b>")
    assert response.status_code == 200
    assert "We recommend" not in response.content.decode()


def test_confirming_sets_path_hours_and_keeps_history(client, paths):
    dev, eng = paths
    learner = factories.LearnerFactory()
    client.force_login(learner)
    url = reverse("roadmap:onboarding") + "?goal=student"
    response = client.post(url, {"path": "ai-developer", "weekly_hours": "9"})
    assert response.status_code == 302
    assert response["Location"] == reverse("roadmap:assess")
    learner.refresh_from_db()
    assert learner.target_path == dev and learner.weekly_hours == 9
    selection = PathSelection.objects.get(learner=learner)
    assert selection.reason == "Questionnaire: Build visible projects first."

    # Change path later: both choices stay in the history.
    client.post(reverse("roadmap:onboarding"), {"path": "ai-engineer", "weekly_hours": "9"})
    learner.refresh_from_db()
    assert learner.target_path == eng
    assert list(
        PathSelection.objects.filter(learner=learner)
        .order_by("created_at")
        .values_list("path__slug", flat=True)
    ) == ["ai-developer", "ai-engineer"]


def test_confirming_the_same_path_adds_no_history_row(client, paths):
    dev, _ = paths
    learner = factories.LearnerFactory(target_path=dev)
    client.force_login(learner)
    client.post(reverse("roadmap:onboarding"), {"path": "ai-developer", "weekly_hours": "4"})
    learner.refresh_from_db()
    assert learner.weekly_hours == 4
    assert not PathSelection.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"path": "retired", "weekly_hours": "5"},
        {"path": "nope", "weekly_hours": "5"},
        {"weekly_hours": "5"},
        {"path": "ai-developer", "weekly_hours": "0"},
        {"path": "ai-developer", "weekly_hours": "81"},
        {"path": "ai-developer", "weekly_hours": "abc"},
    ],
)
def test_bad_choices_are_refused_with_a_message(client, paths, data):
    learner = factories.LearnerFactory()
    client.force_login(learner)
    response = client.post(reverse("roadmap:onboarding"), data)
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()
    learner.refresh_from_db()
    assert learner.target_path is None and learner.weekly_hours == 6
    assert not PathSelection.objects.exists()


def test_assess_page_links_back_to_change_path(client, paths):
    learner = factories.LearnerFactory(target_path=paths[0])
    client.force_login(learner)
    html = client.get(reverse("roadmap:assess")).content.decode()
    assert f'href="{reverse("roadmap:onboarding")}"' in html


def test_anonymous_goes_to_login(client, paths):
    response = client.get(reverse("roadmap:onboarding"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_wrong_method(client, paths):
    client.force_login(factories.LearnerFactory())
    assert client.put(reverse("roadmap:onboarding")).status_code == 405


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    path=st.one_of(
        st.sampled_from(["ai-developer", "ai-engineer", "retired", ""]), st.text(max_size=20)
    ),
    hours=st.one_of(st.integers(-5, 100).map(str), st.text(max_size=8)),
)
def test_any_onboarding_post_is_stored_in_range_or_refused(client, paths, path, hours):
    learner = factories.LearnerFactory()
    client.force_login(learner)
    response = client.post(reverse("roadmap:onboarding"), {"path": path, "weekly_hours": hours})
    learner.refresh_from_db()
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert learner.target_path.slug == path and learner.target_path.is_active
        assert 1 <= learner.weekly_hours <= 80
        assert PathSelection.objects.filter(learner=learner).count() == 1
    else:
        assert 'class="error"' in response.content.decode()
        assert learner.target_path is None and learner.weekly_hours == 6
        assert not PathSelection.objects.filter(learner=learner).exists()

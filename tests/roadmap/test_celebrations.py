"""Celebrations on the dashboard: a project done or a target met by progress is shown once
(stored), can be closed (plain POST and htmx), is polite to assistive technology (role=status,
no focus taken), and costs no query when there is nothing new."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse

from roadmap.models import Celebration, PlanItem
from roadmap.services.assessment import rating_record
from tests import factories
from tests.factories_plans import PlanFactory, PlanItemFactory
from tests.factories_progress import path_with_competencies, rating_history

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday
URL = "/dashboard/"


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def learner(db):
    path, competencies = path_with_competencies(3, name="AI Developer")
    learner = factories.LearnerFactory(target_path=path)
    learner.competencies = competencies
    return learner


def _done_item(learner, *, at=NOW - timedelta(hours=1), name="RAG app"):
    plan = PlanFactory(learner=learner, path=learner.target_path)
    item = PlanItemFactory(plan=plan, project__name=name, planned_start=NOW.date())
    PlanItem.objects.filter(pk=item.pk).update(status="done", started_at=at, completed_at=at)
    return item


def _celebrations(html: str) -> list[str]:
    return [part.split("</form>")[0] for part in html.split('<div class="celebration"')[1:]]


def test_a_project_done_is_celebrated_once(client, learner):
    _done_item(learner)
    client.force_login(learner)
    first = client.get(URL).text
    [shown] = _celebrations(first)
    assert 'role="status"' in shown
    assert "You finished <strong>RAG app</strong>." in shown
    assert "autofocus" not in shown and "data-focus-after-swap" not in shown
    stored = Celebration.objects.get(learner=learner)
    assert (stored.kind, stored.name, stored.dismissed_at) == ("project_done", "RAG app", None)
    # Shown once: the next view, and the one after the cache is emptied, show nothing.
    assert _celebrations(client.get(URL).text) == []
    cache.clear()
    assert _celebrations(client.get(URL).text) == []
    assert Celebration.objects.count() == 1


def test_a_target_met_by_a_rise_is_celebrated_once(client, learner, time_machine):
    competency = learner.competencies[0]  # target 3
    rating_record(learner=learner, competency=competency, level=1, at=NOW - timedelta(days=3))
    client.force_login(learner)
    assert _celebrations(client.get(URL).text) == []  # a first rating is where they start
    time_machine.move_to(NOW + timedelta(minutes=5), tick=False)
    rating_record(learner=learner, competency=competency, level=3)
    [shown] = _celebrations(client.get(URL).text)
    assert f"You reached your target in <strong>{competency.name}</strong>." in shown
    assert _celebrations(client.get(URL).text) == []


def test_a_first_rating_at_the_target_and_old_achievements_are_not_celebrated(client, learner):
    rating_record(learner=learner, competency=learner.competencies[0], level=4)
    _done_item(learner, at=NOW - timedelta(days=30), name="Old project")
    client.force_login(learner)
    assert _celebrations(client.get(URL).text) == []
    assert not Celebration.objects.exists()


def test_another_learners_project_is_not_celebrated_here(client, learner):
    other = factories.LearnerFactory(target_path=learner.target_path)
    _done_item(other)
    client.force_login(learner)
    assert _celebrations(client.get(URL).text) == []


def test_closing_a_celebration_stores_it_and_goes_back_to_the_dashboard(client, learner):
    _done_item(learner)
    client.force_login(learner)
    client.get(URL)
    celebration = Celebration.objects.get()
    url = reverse("roadmap:celebration_dismiss", args=[celebration.pk])
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == URL
    celebration.refresh_from_db()
    assert celebration.dismissed_at == NOW
    # Closing twice is harmless and keeps the first time.
    assert client.post(url).status_code == 302
    celebration.refresh_from_db()
    assert celebration.dismissed_at == NOW


def test_closing_with_htmx_returns_only_the_fragment_which_takes_the_focus(client, learner):
    _done_item(learner)
    client.force_login(learner)
    html = client.get(URL).text
    celebration = Celebration.objects.get()
    url = reverse("roadmap:celebration_dismiss", args=[celebration.pk])
    assert f'hx-post="{url}"' in html and f'action="{url}"' in html
    response = client.post(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.text.startswith('<p class="celebration-closed visually-hidden"')
    assert "data-focus-after-swap" in response.text
    assert "<html" not in response.text and "Message closed." in response.text


def test_closing_needs_post_a_session_and_ones_own_celebration(client, learner):
    _done_item(learner)
    client.force_login(learner)
    client.get(URL)
    url = reverse("roadmap:celebration_dismiss", args=[Celebration.objects.get().pk])
    assert client.get(url).status_code == 405
    outsider = factories.LearnerFactory(target_path=learner.target_path)
    client.force_login(outsider)
    assert client.post(url).status_code == 404
    assert Celebration.objects.get().dismissed_at is None
    client.logout()
    response = client.post(url)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    missing = reverse("roadmap:celebration_dismiss", args=[999999])
    client.force_login(learner)
    assert client.post(missing).status_code == 404


def test_closing_needs_the_csrf_token(learner):
    from django.test import Client

    _done_item(learner)
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    client.get(URL)
    url = reverse("roadmap:celebration_dismiss", args=[Celebration.objects.get().pk])
    assert client.post(url).status_code == 403
    assert Celebration.objects.get().dismissed_at is None


def test_many_targets_met_at_once_make_one_message_naming_three(client, learner, time_machine):
    path = learner.target_path
    extra = [factories.PathCompetencyFactory(path=path).competency for _ in range(2)]
    competencies = learner.competencies + extra
    for competency in competencies:
        rating_record(learner=learner, competency=competency, level=1, at=NOW - timedelta(days=2))
    time_machine.move_to(NOW + timedelta(minutes=5), tick=False)
    for competency in competencies:
        rating_record(learner=learner, competency=competency, level=3)
    _done_item(learner, at=NOW + timedelta(minutes=1))
    client.force_login(learner)
    [shown] = _celebrations(client.get(URL).text)
    names = sorted(c.name for c in competencies)
    assert "You finished <strong>RAG app</strong>." in shown
    assert (
        "You reached your target in "
        + ", ".join(f"<strong>{name}</strong>" for name in names[:3])
        + " and 2 more."
    ) in shown
    # Closing the message closes all it showed.
    client.post(reverse("roadmap:celebration_dismiss", args=[Celebration.objects.first().pk]))
    assert Celebration.objects.filter(dismissed_at__isnull=True).count() == 0
    assert Celebration.objects.count() == 6


def test_a_project_done_again_later_is_a_new_celebration(client, learner, time_machine):
    item = _done_item(learner)
    client.force_login(learner)
    client.get(URL)
    later = NOW + timedelta(days=1)
    time_machine.move_to(later, tick=False)
    PlanItem.objects.filter(pk=item.pk).update(completed_at=later - timedelta(minutes=1))
    assert len(_celebrations(client.get(URL).text)) == 1
    assert Celebration.objects.count() == 2


@pytest.mark.parametrize("weeks", [4, 40])
def test_no_query_for_celebrations_when_nothing_is_new(
    client, db, weeks, django_assert_max_num_queries
):
    """The rising history meets targets (celebrated on the first view) and a project was done:
    afterwards, with the history computed again, the count is the dashboard's usual, at both
    sizes (session, user, hub, ratings, other activity, the next item's details, the week's
    logged hours)."""
    path, competencies = path_with_competencies(8 if weeks == 4 else 80)
    learner = factories.LearnerFactory(target_path=path)
    rating_history(learner, competencies, weeks=weeks, now=NOW - timedelta(hours=1))
    _done_item(learner)
    client.force_login(learner)
    [shown] = _celebrations(client.get(URL).text)
    assert "You finished <strong>RAG app</strong>." in shown
    cache.clear()
    with django_assert_max_num_queries(7):
        assert _celebrations(client.get(URL).text) == []


@pytest.mark.parametrize("projects", [1, 20])
def test_celebrating_costs_the_same_queries_for_one_project_or_many(
    client, learner, projects, django_assert_max_num_queries
):
    client.force_login(learner)
    client.get(URL)  # the session, the caches and the snapshot out of the way
    plan = PlanFactory(learner=learner, path=learner.target_path)
    at = NOW - timedelta(hours=1)
    for _ in range(projects):
        item = PlanItemFactory(plan=plan, planned_start=NOW.date())
        PlanItem.objects.filter(pk=item.pk).update(status="done", started_at=at, completed_at=at)
    # session, user, hub, other activity, the done projects, the insert (in a savepoint: 3),
    # the pace card's logged hours and started items (2)
    with django_assert_max_num_queries(10):
        [shown] = _celebrations(client.get(URL).text)
    assert shown.count("<strong>Project") == projects
    assert Celebration.objects.count() == projects


def test_celebrations_are_in_the_learners_data_export(client, learner):
    _done_item(learner)
    client.force_login(learner)
    client.get(URL)
    data = json.loads(client.get(reverse("roadmap:export_json")).content)
    assert data["celebrations"] == [
        {
            "kind": "project_done",
            "name": "RAG app",
            "achieved_at": (NOW - timedelta(hours=1)).isoformat(),
            "shown_at": NOW.isoformat(),
            "dismissed_at": None,
            "path_slug": learner.target_path.slug,
        }
    ]

"""The plan you can see, through HTTP: the timeline, the late-target fixes (preview, then one
click), level names in the Why text, due and overdue cues (plan and dashboard), and each open
item's learning resources, with flat query counts."""

import datetime
import importlib
import re

import pytest
import time_machine
from django.apps import apps
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from curriculum.models import Resource, ScaleLevel
from curriculum.services import curriculum_changed
from roadmap.lib.planner import end_at
from roadmap.models import PlanItem
from roadmap.services.plans import learner_today, plan_generate
from tests import factories
from tests.factories_assessment import scale_levels
from tests.factories_plans import PlanItemFactory, curriculum_with_gaps

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
FIX = reverse("roadmap:plan_fix")
APPLY = reverse("roadmap:plan_fix_apply")


@pytest.fixture
def learner():
    return factories.LearnerFactory(weekly_hours=6)


@pytest.fixture
def setup(learner):
    path, comps, projects = curriculum_with_gaps(learner)
    plan = plan_generate(learner=learner, path=path)
    return plan, comps, projects


def _items(plan):
    return list(plan.items.select_related("project").order_by("position", "id"))


def _late(learner, days=20):
    """A target date the plan (33 h at 6 h a week from today: 39 days) misses."""
    learner.target_date = learner_today(learner) + datetime.timedelta(days=days)
    learner.save(update_fields=["target_date"])


def _day(d):
    return f"{d.day} {d:%b} {d.year}"  # the site's one date format


# --- the timeline ---------------------------------------------------------------------------------


def test_the_plan_page_draws_a_timeline_with_a_bar_per_project_and_a_today_line(
    client, learner, setup
):
    plan, _comps, projects = setup
    client.force_login(learner)
    page = client.get(reverse("roadmap:plan")).text
    assert '<svg class="timeline"' in page and 'role="img"' in page
    assert page.count('class="tl-bar tl-planned"') == 3
    assert page.count('<line class="tl-today"') == 1
    # Two checkpoints per project, all ahead: six diamonds in one path.
    [marks] = re.findall(r'<path class="tl-mark" d="([^"]+)"', page)
    assert marks.count("M") == 6 and marks.count("Z") == 6
    # The list alternative: a row per project linking to its card, with its dates.
    for item in _items(plan):
        assert f'<a href="#item-{item.pk}">{item.project.name}</a>' in page
    assert "The timeline as a list" in page and "3 projects from" in page


def test_a_skipped_project_is_left_out_of_the_timeline_and_a_done_one_stays(client, learner, setup):
    plan, _comps, _projects = setup
    first, second, _third = _items(plan)
    first.start()
    first.complete(evidence_url="https://example.com/done")
    second.skip()
    client.force_login(learner)
    page = client.get(reverse("roadmap:plan")).text
    assert page.count('class="tl-bar ') == 2
    assert 'class="tl-bar tl-done"' in page
    assert f'<a href="#item-{second.pk}">' not in page


def test_an_open_project_past_its_end_is_drawn_behind_plan(client, learner, setup):
    plan, _comps, _projects = setup
    first = _items(plan)[0]
    today = learner_today(learner)
    PlanItem.objects.filter(pk=first.pk).update(
        planned_start=today - datetime.timedelta(days=30),
        planned_end=today - datetime.timedelta(days=10),
    )
    client.force_login(learner)
    page = client.get(reverse("roadmap:plan")).text
    assert 'class="tl-bar tl-planned tl-behind"' in page
    assert '<rect class="tl-overdue"' in page
    assert "; 1 behind plan" in page
    assert "overdue by 2 weeks" in page


def test_the_htmx_fragment_after_an_action_redraws_the_timeline(client, learner, setup):
    plan, _comps, _projects = setup
    first = _items(plan)[0]
    client.force_login(learner)
    response = client.post(reverse("roadmap:plan_item_start", args=[first.pk]), **HTMX)
    assert response.status_code == 200 and "<html" not in response.text
    assert 'class="tl-bar tl-started"' in response.text


def test_the_kept_timeline_follows_the_day(client, learner, setup):
    client.force_login(learner)
    now = datetime.datetime.now(datetime.UTC)
    with time_machine.travel(now, tick=False):
        first = re.search(r'<line class="tl-today" x1="([\d.]+)"', client.get("/plan/").text)
    with time_machine.travel(now + datetime.timedelta(days=2), tick=False):
        later = re.search(r'<line class="tl-today" x1="([\d.]+)"', client.get("/plan/").text)
    assert float(later[1]) > float(first[1])


def test_user_text_in_the_timeline_is_escaped(client, learner, setup):
    _plan, _comps, projects = setup
    projects[0].name = "<script>bar()</script>"
    projects[0].save()
    projects[0].checkpoints.update(title="<script>mark()</script>")
    curriculum_changed()
    client.force_login(learner)
    page = client.get(reverse("roadmap:plan")).text
    assert "<script>bar()" not in page and "<script>mark()" not in page
    assert "&lt;script&gt;bar()&lt;/script&gt;" in page


# --- the late-target warning and its fixes --------------------------------------------------------


def test_a_late_plan_offers_both_fixes_as_links_that_work_without_javascript(
    client, learner, setup
):
    plan, _comps, _projects = setup
    _late(learner)
    client.force_login(learner)
    page = client.get(reverse("roadmap:plan")).text
    end = max(i.planned_end for i in _items(plan))
    assert "add 5 h a week to make it" in page
    assert f'href="{FIX}?weekly_hours=11" hx-get="{FIX}?weekly_hours=11"' in page
    assert f'href="{FIX}?target_date={end.isoformat()}"' in page
    assert f"Move the target to {_day(end)}" in page


def test_a_plan_that_fits_offers_no_fix(client, learner, setup):
    _late(learner, days=200)
    client.force_login(learner)
    page = client.get(reverse("roadmap:plan")).text
    assert 'id="target-fix"' not in page and FIX not in page


def test_the_hours_preview_shows_the_new_end_date_and_changes_nothing(client, learner, setup):
    plan, _comps, _projects = setup
    _late(learner)
    before = [(i.planned_start, i.planned_end) for i in _items(plan)]
    client.force_login(learner)
    response = client.get(FIX, {"weekly_hours": 11})
    assert response.status_code == 200 and "<html" in response.text  # the confirm page
    today = learner_today(learner)
    new_end = end_at(today, 33, 11)
    assert new_end <= learner.target_date
    text = response.text
    assert "Preview: 11 h a week" in text
    assert f'<strong class="fix-end">{_day(new_end)}</strong>' in text
    assert "in time for your target" in text
    assert 'name="weekly_hours" value="11"' in text
    assert "hx-post" not in text  # a plain POST on the confirm page
    learner.refresh_from_db()
    assert learner.weekly_hours == 6
    assert [(i.planned_start, i.planned_end) for i in _items(plan)] == before


def test_the_htmx_preview_is_a_fragment_that_posts_into_the_plan_body(client, learner, setup):
    _late(learner)
    client.force_login(learner)
    response = client.get(FIX, {"weekly_hours": 11}, **HTMX)
    assert response.status_code == 200
    html = response.text
    assert "<html" not in html and "<main" not in html
    assert html.lstrip().startswith('<div class="stack fix-preview">')
    assert f'hx-post="{APPLY}" hx-target="#plan-body"' in html
    assert "data-focus-after-swap" in html


def test_the_target_date_preview_keeps_the_plan_end(client, learner, setup):
    plan, _comps, _projects = setup
    _late(learner)
    end = max(i.planned_end for i in _items(plan))
    client.force_login(learner)
    text = client.get(FIX, {"target_date": end.isoformat()}).text
    assert f"Preview: target date {_day(end)}" in text
    assert f"to <strong>{_day(end)}</strong>" in text
    assert f'<strong class="fix-end">{_day(end)}</strong>, in time' in text
    assert f'name="target_date" value="{end.isoformat()}"' in text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"weekly_hours": 0}, "Enter at least 1 hour a week."),
        ({"weekly_hours": 81}, "80 hours a week is the most we plan for."),
        ({"weekly_hours": "many"}, "Enter a whole number of hours, like 6."),
        ({"target_date": "tomorrow"}, "Enter a date like 2027-03-31."),
        ({"target_date": "2020-01-01"}, "Choose a target date today or later."),
        ({}, "Choose one fix: new weekly hours or a new target date."),
        ({"weekly_hours": 9, "target_date": "2099-01-01"}, "Choose one fix"),
    ],
)
def test_a_bad_preview_says_why_with_a_400(client, learner, setup, query, message):
    client.force_login(learner)
    response = client.get(FIX, query)
    assert response.status_code == 400 and message in response.text
    fragment = client.get(FIX, query, **HTMX)
    assert fragment.status_code == 200 and 'role="alert"' in fragment.text
    assert message in fragment.text


def test_the_fix_pages_refuse_the_wrong_method_anonymous_and_a_learner_without_a_plan(
    client, learner, setup
):
    assert client.get(FIX, {"weekly_hours": 9}).status_code == 302
    assert client.post(APPLY, {"weekly_hours": 9}).status_code == 302
    client.force_login(learner)
    assert client.post(FIX, {"weekly_hours": 9}).status_code == 405
    assert client.get(APPLY, {"weekly_hours": 9}).status_code == 405
    outsider = factories.LearnerFactory(weekly_hours=6)
    curriculum_with_gaps(outsider)  # gaps, a path, but no plan yet
    client.force_login(outsider)
    assert client.get(FIX, {"weekly_hours": 9}).status_code == 404
    assert client.post(APPLY, {"weekly_hours": 9}).status_code == 404
    outsider.refresh_from_db()
    assert outsider.weekly_hours == 6


def test_accepting_more_hours_redates_open_projects_and_keeps_every_state(client, learner, setup):
    plan, _comps, _projects = setup
    _late(learner)
    first, second, third = _items(plan)
    first.start()
    first.complete(evidence_url="https://example.com/done")
    second.start()
    third.skip()
    done_dates = (first.planned_start, first.planned_end)
    skipped_dates = (third.planned_start, third.planned_end)
    client.force_login(learner)
    response = client.post(APPLY, {"weekly_hours": 11}, follow=True)
    assert response.status_code == 200
    learner.refresh_from_db()
    assert learner.weekly_hours == 11
    first, second, third = _items(plan)
    assert (first.status, second.status, third.status) == ("done", "started", "skipped")
    assert (first.planned_start, first.planned_end) == done_dates
    assert (third.planned_start, third.planned_end) == skipped_dates
    today = learner_today(learner)
    assert second.planned_start == today
    assert second.planned_end == end_at(today, second.project.estimated_hours, 11)
    assert f"Your plan now runs at 11 h a week and ends on {_day(second.planned_end)}." in (
        response.text
    )
    assert "after your target date" not in response.text


def test_accepting_the_same_fix_twice_changes_nothing_more(client, learner, setup):
    plan, _comps, _projects = setup
    _late(learner)
    client.force_login(learner)
    client.post(APPLY, {"weekly_hours": 11})
    once = [(i.pk, i.status, i.planned_start, i.planned_end) for i in _items(plan)]
    client.post(APPLY, {"weekly_hours": 11})
    assert [(i.pk, i.status, i.planned_start, i.planned_end) for i in _items(plan)] == once


def test_accepting_with_htmx_answers_the_plan_body_with_a_notice_to_focus(client, learner, setup):
    _late(learner)
    client.force_login(learner)
    response = client.post(APPLY, {"weekly_hours": 11}, **HTMX)
    assert response.status_code == 200
    html = response.text
    assert html.lstrip().startswith('<div id="plan-body"')
    assert 'role="status" tabindex="-1" data-focus-after-swap>Your plan now runs at 11 h' in html
    assert 'id="target-fix"' not in html


def test_accepting_a_new_target_date_moves_it_and_keeps_the_dates(client, learner, setup):
    plan, _comps, _projects = setup
    _late(learner)
    before = [(i.planned_start, i.planned_end) for i in _items(plan)]
    end = max(d for _s, d in before)
    client.force_login(learner)
    page = client.post(APPLY, {"target_date": end.isoformat()}, follow=True).text
    learner.refresh_from_db()
    assert learner.target_date == end and learner.weekly_hours == 6
    assert [(i.planned_start, i.planned_end) for i in _items(plan)] == before
    assert f"Your target date is now {_day(end)}." in page
    assert "after your target date" not in page


@pytest.mark.parametrize(
    "data",
    [{"weekly_hours": 81}, {"weekly_hours": ""}, {"target_date": "2020-01-01"}, {}],
)
def test_a_refused_fix_stores_nothing(client, learner, setup, data):
    plan, _comps, _projects = setup
    _late(learner)
    before = [(i.planned_start, i.planned_end) for i in _items(plan)]
    client.force_login(learner)
    response = client.post(APPLY, data)
    assert response.status_code == 400
    learner.refresh_from_db()
    assert learner.weekly_hours == 6
    assert learner.target_date == learner_today(learner) + datetime.timedelta(days=20)
    assert [(i.planned_start, i.planned_end) for i in _items(plan)] == before


def test_a_refused_fix_with_htmx_says_why_on_top_of_the_plan(client, learner, setup):
    _late(learner)
    client.force_login(learner)
    response = client.post(APPLY, {"weekly_hours": 81}, **HTMX)
    assert response.status_code == 200
    html = response.text
    assert html.lstrip().startswith('<div id="plan-body"')
    assert (
        '<p class="alert bad" role="alert" tabindex="-1" data-focus-after-swap>'
        "80 hours a week is the most we plan for.</p>"
    ) in html
    learner.refresh_from_db()
    assert learner.weekly_hours == 6


def test_accepting_needs_the_csrf_token(learner, setup):
    client = Client(enforce_csrf_checks=True)
    client.force_login(learner)
    assert client.post(APPLY, {"weekly_hours": 11}).status_code == 403
    learner.refresh_from_db()
    assert learner.weekly_hours == 6


# --- level names ----------------------------------------------------------------------------------


def test_the_why_text_names_the_levels(client, learner):
    scale_levels()
    ScaleLevel.objects.filter(level=1).update(name="Beginner")
    curriculum_changed()
    path, comps, projects = curriculum_with_gaps(learner)
    plan_generate(learner=learner, path=path)
    client.force_login(learner)
    page = client.get(reverse("roadmap:plan")).text
    assert f"Why: Takes {comps[0].name} from Beginner to Proficient" in page
    assert "from 1 to 3" not in page
    detail = client.get(reverse("roadmap:project_detail", args=[projects[0].slug])).text
    assert f"Takes {comps[0].name} from Beginner to Proficient." in detail


def test_the_migration_names_the_levels_of_stored_explanations():
    migration = importlib.import_module("roadmap.migrations.0018_plan_explanations_level_names")
    old = PlanItemFactory(explanation="Takes RAG from 1 to 3 and Evals from 0 to 2")
    other = PlanItemFactory(explanation="Closes no gap itself; needed before RAG app")
    migration.names_for_levels(apps, None)
    old.refresh_from_db()
    other.refresh_from_db()
    assert old.explanation == "Takes RAG from Aware to Proficient and Evals from None to Working"
    assert other.explanation == "Closes no gap itself; needed before RAG app"


# --- due and overdue cues -------------------------------------------------------------------------


def test_items_due_soon_or_overdue_say_so_and_done_ones_do_not(client, learner, setup):
    plan, _comps, _projects = setup
    first, second, third = _items(plan)
    today = learner_today(learner)
    PlanItem.objects.filter(pk=first.pk).update(
        planned_start=today - datetime.timedelta(days=5), planned_end=today
    )
    PlanItem.objects.filter(pk=second.pk).update(
        planned_start=today, planned_end=today + datetime.timedelta(days=1)
    )
    PlanItem.objects.filter(pk=third.pk).update(
        planned_start=today - datetime.timedelta(days=9),
        planned_end=today - datetime.timedelta(days=3),
    )
    client.force_login(learner)
    page = client.get(reverse("roadmap:plan")).text
    assert '<span class="badge warn">due today</span>' in page
    assert '<span class="badge warn">due tomorrow</span>' in page
    assert '<span class="badge bad">overdue by 3 days</span>' in page
    PlanItem.objects.filter(pk=third.pk).update(status="done", completed_at=first.plan.created_at)
    assert "overdue by" not in client.get(reverse("roadmap:plan")).text


def test_the_dashboard_cues_the_next_item_due_tomorrow(client, learner, setup):
    plan, _comps, _projects = setup
    first = _items(plan)[0]
    today = learner_today(learner)
    PlanItem.objects.filter(pk=first.pk).update(planned_end=today + datetime.timedelta(days=1))
    client.force_login(learner)
    page = client.get(reverse("roadmap:dashboard")).text
    assert '<span class="badge warn">due tomorrow</span>' in page
    PlanItem.objects.filter(pk=first.pk).update(
        planned_start=today - datetime.timedelta(days=20),
        planned_end=today - datetime.timedelta(days=8),
    )
    page = client.get(reverse("roadmap:dashboard")).text
    assert '<span class="badge bad">overdue by 2 weeks</span>' in page


# --- each item's learning resources ---------------------------------------------------------------


def _resource(project, **kwargs):
    return factories.ResourceFactory(competency=None, project=project, **kwargs)


def test_each_open_item_shows_its_own_resources_under_a_disclosure(client, learner, setup):
    plan, _comps, projects = setup
    docs = _resource(projects[0], title="Retrieval docs", position=1)
    course = _resource(projects[0], title="A retrieval course", position=0)
    _resource(projects[1], title="Evaluation guide")
    client.force_login(learner)
    page = client.get(reverse("roadmap:plan")).text
    first, second, third = (
        page.index(f'id="item-{i.pk}"') for i in _items(plan)
    )  # the cards in order
    card = page[first:second]
    assert "What to study for it (2)" in card
    assert card.index(course.title) < card.index(docs.title)  # best first
    assert f'href="{docs.url}"' in card
    assert "Evaluation guide" in page[second:third] and "Evaluation guide" not in card
    assert "What to study" not in page[third:]  # no resources listed for it


def test_the_plan_respects_the_free_only_preference(client, learner, setup):
    _plan, _comps, projects = setup
    _resource(projects[0], title="Free docs")
    _resource(projects[0], title="Paid course", cost=Resource.Cost.PAID)
    client.force_login(learner)
    assert "Paid course" in client.get(reverse("roadmap:plan")).text
    learner.free_resources_only = True
    learner.save(update_fields=["free_resources_only"])
    page = client.get(reverse("roadmap:plan")).text
    assert "Free docs" in page and "Paid course" not in page


def test_a_done_item_lists_no_resources_and_a_curriculum_edit_shows_at_once(client, learner, setup):
    plan, _comps, projects = setup
    first = _items(plan)[0]
    _resource(projects[0], title="Retrieval docs")
    client.force_login(learner)
    assert "Retrieval docs" in client.get(reverse("roadmap:plan")).text
    first.complete(evidence_url="https://example.com/done")
    assert "Retrieval docs" not in client.get(reverse("roadmap:plan")).text
    _resource(projects[1], title="New guide")
    curriculum_changed()  # what admin does on every save
    assert "New guide" in client.get(reverse("roadmap:plan")).text


@pytest.mark.parametrize("size", [2, 8])
def test_the_plan_page_queries_stay_flat_with_timeline_and_resources(
    client, django_assert_max_num_queries, size
):
    learner = factories.LearnerFactory()
    path, _comps, projects = curriculum_with_gaps(learner, projects=size, competencies=size)
    for project in projects:
        for n in range(3):
            _resource(project, title=f"{project.name} resource {n}")
    plan = plan_generate(learner=learner, path=path)
    _late(learner, days=3)
    plan.items.order_by("position").first().start()
    client.force_login(learner)
    with CaptureQueriesContext(connection) as first:
        page = client.get(reverse("roadmap:plan")).text
    assert page.count('class="tl-bar ') == size and page.count("What to study for it (3)") == size
    # The same queries at both sizes, and as many on a second view (timeline and resources kept).
    with django_assert_max_num_queries(len(first)):
        client.get(reverse("roadmap:plan"))
    with django_assert_max_num_queries(11):
        client.get(reverse("roadmap:plan"))

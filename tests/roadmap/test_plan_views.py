"""The plan page and its actions: happy paths, refusals, stored state, htmx fragments."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from curriculum.models import ProjectCheckpoint
from curriculum.services import curriculum_changed
from roadmap.models import Plan, PlanItem
from roadmap.services.plans import item_milestones, path_checkpoints, plan_generate
from tests import factories
from tests.factories_mentoring import CheckpointSignOffFactory
from tests.factories_plans import PlanItemFactory, curriculum_with_gaps

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def learner():
    return factories.LearnerFactory(weekly_hours=6)


@pytest.fixture
def plan(learner):
    path, _comps, _projects = curriculum_with_gaps(learner)
    return plan_generate(learner=learner, path=path)


def _milestones(item):
    return item_milestones(item, path_checkpoints(item.plan.path_id))


def _items(plan):
    return list(plan.items.order_by("position"))


# --- the page and its empty states ----------------------------------------------------------------


def test_without_a_path_the_page_says_to_choose_one(client, learner):
    client.force_login(learner)
    response = client.get(reverse("roadmap:plan"))
    assert response.status_code == 200
    assert "Choose the role you are aiming for" in response.text


def test_without_ratings_the_page_says_to_assess(client, learner):
    path = factories.PathFactory()
    factories.PathCompetencyFactory(path=path)
    learner.target_path = path
    learner.save()
    client.force_login(learner)
    assert "Rate yourself" in client.get(reverse("roadmap:plan")).text


def test_without_gaps_the_page_says_so(client, learner):
    path = factories.PathFactory()
    pc = factories.PathCompetencyFactory(path=path, target_level=2)
    factories.RatingFactory(learner=learner, competency=pc.competency, level=3)
    learner.target_path = path
    learner.save()
    client.force_login(learner)
    assert "You meet every target" in client.get(reverse("roadmap:plan")).text


def test_with_gaps_and_no_plan_the_page_offers_to_generate(client, learner):
    curriculum_with_gaps(learner)
    client.force_login(learner)
    response = client.get(reverse("roadmap:plan"))
    assert "Generate my plan" in response.text
    assert "3 gaps to close" in response.text


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(reverse("roadmap:plan"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


# --- generate / regenerate / reflow ---------------------------------------------------------------


def test_generate_stores_a_dated_explained_plan(client, learner):
    path, comps, projects = curriculum_with_gaps(learner)
    client.force_login(learner)
    response = client.post(reverse("roadmap:plan_generate"))
    assert response.status_code == 302
    plan = Plan.objects.get(learner=learner, path=path)
    items = _items(plan)
    assert [i.project_id for i in items] == [p.id for p in projects]  # fewer hours first
    assert f"Takes {comps[0].name} from 1 to 3" == items[0].explanation
    assert all(len(_milestones(i)) == 2 for i in items)
    assert items[0].planned_end <= items[1].planned_start
    page = client.get(reverse("roadmap:plan")).text
    assert projects[0].name in page and "Why:" in page
    # Each open item lists its checkpoints with the days they are due.
    for m in _milestones(items[0]):
        assert f"{m.due.day} {m.due:%b %Y}: {m.checkpoint.title}</li>" in page


def test_first_generation_and_regeneration_say_which_they_were(client, learner):
    curriculum_with_gaps(learner)
    client.force_login(learner)
    first = client.post(reverse("roadmap:plan_generate"), follow=True).text
    assert "Your plan is ready" in first and "re-planned" not in first
    plan = Plan.objects.get(learner=learner)
    assert plan.regenerated_at is None
    again = client.post(reverse("roadmap:plan_generate"), follow=True).text
    assert "Your plan is re-planned from today" in again
    plan.refresh_from_db()
    assert plan.regenerated_at is not None


def test_generate_refuses_get(client, learner):
    client.force_login(learner)
    assert client.get(reverse("roadmap:plan_generate")).status_code == 405


def test_regenerate_keeps_started_and_done_items(client, learner, plan):
    first, second, third = _items(plan)
    first.complete(evidence_url="https://example.com/a")
    second.start()
    client.force_login(learner)
    client.post(reverse("roadmap:plan_generate"))
    items = _items(plan)
    assert [i.pk for i in items[:2]] == [first.pk, second.pk]
    assert items[1].status == PlanItem.Status.STARTED
    # Still planned, so planned again in place: same row, dated after the started one.
    assert items[2].pk == third.pk and items[2].status == PlanItem.Status.PLANNED
    assert items[2].planned_start >= items[1].planned_end
    assert PlanItem.objects.filter(plan=plan).count() == 3


def test_regenerate_keeps_the_rows_of_projects_still_planned_and_drops_the_rest(client, learner):
    """Item ids survive a regeneration when the project stays planned (calendar events, milestone
    reminders and links are keyed by them); a project no longer needed goes, a new one comes."""
    path, comps, projects = curriculum_with_gaps(learner)
    client.force_login(learner)
    client.post(reverse("roadmap:plan_generate"))
    plan = Plan.objects.get(learner=learner)
    before = {i.project_id: i.pk for i in _items(plan)}
    assert set(before) == {p.pk for p in projects}

    # The first project's gap is closed by a rating; a new project closes another gap.
    factories.RatingFactory(learner=learner, competency=comps[0], level=3)
    extra = factories.ProjectFactory(path=path, position=9, estimated_hours=5)
    factories.ProjectCompetencyFactory(project=extra, competency=comps[1], builds_to_level=3)
    curriculum_changed()
    client.post(reverse("roadmap:plan_generate"))

    after = {i.project_id: i.pk for i in _items(plan)}
    assert projects[0].pk not in after
    assert after[projects[2].pk] == before[projects[2].pk]
    assert extra.pk in after and after[extra.pk] not in before.values()


def test_a_late_item_shows_behind_and_reflow_redates_it(client, learner, plan):
    first = _items(plan)[0]
    PlanItem.objects.filter(pk=first.pk).update(
        planned_start=datetime.date.today() - datetime.timedelta(days=40),
        planned_end=datetime.date.today() - datetime.timedelta(days=15),
    )
    client.force_login(learner)
    page = client.get(reverse("roadmap:plan")).text
    assert "behind by 3 weeks" in page and "Reflow from today" in page
    response = client.post(reverse("roadmap:plan_reflow"), **HTMX)
    assert response.status_code == 200 and "<html" not in response.text
    first.refresh_from_db()
    assert first.planned_start == datetime.date.today()
    assert "behind by" not in response.text


def test_finishing_early_shows_ahead_and_reflow_brings_the_plan_forward(client, learner, plan):
    first, second, third = _items(plan)
    first.complete(evidence_url="https://example.com/a")
    later = datetime.date.today() + datetime.timedelta(days=15)
    PlanItem.objects.filter(pk__in=[second.pk, third.pk]).update(
        planned_start=later, planned_end=later + datetime.timedelta(days=10)
    )
    client.force_login(learner)
    page = client.get(reverse("roadmap:plan")).text
    assert "ahead of plan by 2 weeks" in page and "Bring it forward to today" in page
    response = client.post(reverse("roadmap:plan_reflow"), **HTMX)
    second.refresh_from_db()
    assert second.planned_start == datetime.date.today()
    assert "ahead of plan" not in response.text and "behind by" not in response.text


# --- item actions ---------------------------------------------------------------------------------


def test_start_then_htmx_returns_the_plan_fragment(client, learner, plan):
    item = _items(plan)[0]
    client.force_login(learner)
    response = client.post(reverse("roadmap:plan_item_start", args=[item.pk]), **HTMX)
    assert response.status_code == 200
    assert 'id="plan-body"' in response.text and "<html" not in response.text
    item.refresh_from_db()
    assert item.status == PlanItem.Status.STARTED and item.started_at is not None


def test_start_as_plain_post_redirects(client, learner, plan):
    item = _items(plan)[0]
    client.force_login(learner)
    response = client.post(reverse("roadmap:plan_item_start", args=[item.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("roadmap:plan")


@pytest.mark.parametrize("action", ["start", "skip", "complete", "move"])
def test_another_learners_item_is_404_and_unchanged(client, plan, action):
    item = _items(plan)[0]
    client.force_login(factories.LearnerFactory())
    data = {"evidence_url": "https://example.com", "direction": "down"}
    response = client.post(reverse(f"roadmap:plan_item_{action}", args=[item.pk]), data)
    assert response.status_code == 404
    before = item.status, item.position
    item.refresh_from_db()
    assert (item.status, item.position) == before


@pytest.mark.parametrize("action", ["start", "skip", "complete", "move"])
def test_item_actions_refuse_get(client, learner, plan, action):
    client.force_login(learner)
    item = _items(plan)[0]
    assert client.get(reverse(f"roadmap:plan_item_{action}", args=[item.pk])).status_code == 405


def test_complete_stores_evidence_and_sends_to_reassess(client, learner, plan):
    item = _items(plan)[0]
    client.force_login(learner)
    response = client.post(
        reverse("roadmap:plan_item_complete", args=[item.pk]),
        {"evidence_url": "https://github.com/me/rag", "reflection": "Chunking matters."},
    )
    assert response.status_code == 302
    # Completing asks the learner to reassess what the project builds, pre-filled.
    assert response["Location"].startswith(reverse("roadmap:assess") + "?focus=")
    item.refresh_from_db()
    assert item.status == PlanItem.Status.DONE
    assert item.evidence_url == "https://github.com/me/rag"
    assert item.reflection == "Chunking matters."
    learner.refresh_from_db()
    assert learner.last_activity_at is not None


def test_complete_redirects_to_a_prefilled_reassessment(client, learner, plan, settings):
    settings.ROOT_URLCONF = "tests.roadmap.urls_with_assess"
    item = _items(plan)[0]
    build = item.project.builds.get()
    client.force_login(learner)
    response = client.post(
        reverse("roadmap:plan_item_complete", args=[item.pk]),
        {"evidence_url": "https://github.com/me/rag"},
        **HTMX,
    )
    expected = f"/assess/?focus={build.competency_id}&suggest={build.competency_id}:3"
    assert response["HX-Redirect"] == expected


def test_complete_with_a_non_url_is_an_error_on_the_item(client, learner, plan):
    item = _items(plan)[0]
    client.force_login(learner)
    url = reverse("roadmap:plan_item_complete", args=[item.pk])
    response = client.post(url, {"evidence_url": "not a link"})
    assert response.status_code == 400
    assert "Enter a valid URL" in response.text
    htmx = client.post(url, {"evidence_url": "javascript:alert(1)"}, **HTMX)
    assert htmx.status_code == 200 and "<html" not in htmx.text
    assert "Please fix the evidence" in htmx.text
    item.refresh_from_db()
    assert item.status == PlanItem.Status.PLANNED and item.evidence_url == ""


def test_completing_a_skipped_item_is_refused_and_changes_nothing(client, learner, plan):
    item = _items(plan)[0]
    item.skip()
    client.force_login(learner)
    url = reverse("roadmap:plan_item_complete", args=[item.pk])
    response = client.post(url, {"evidence_url": "https://example.com"}, follow=True)
    assert "was skipped: it cannot be completed" in response.text
    htmx = client.post(url, {"evidence_url": "https://example.com"}, **HTMX)
    assert "was skipped: it cannot be completed" in htmx.text
    item.refresh_from_db()
    assert item.status == PlanItem.Status.SKIPPED and item.evidence_url == ""


@pytest.mark.parametrize(
    ("status", "action"),
    [("done", "start"), ("done", "skip"), ("skipped", "start"), ("started", "start")],
)
def test_unknown_transitions_are_refused_with_a_message(client, learner, plan, status, action):
    item = _items(plan)[0]
    PlanItem.objects.filter(pk=item.pk).update(status=status)
    client.force_login(learner)
    response = client.post(reverse(f"roadmap:plan_item_{action}", args=[item.pk]), follow=True)
    assert "Only a planned" in response.text
    item.refresh_from_db()
    assert item.status == status


def test_move_down_swaps_and_redates(client, learner, plan):
    first, second, third = _items(plan)
    client.force_login(learner)
    response = client.post(
        reverse("roadmap:plan_item_move", args=[first.pk]), {"direction": "down"}, **HTMX
    )
    assert response.status_code == 200
    assert [i.pk for i in _items(plan)] == [second.pk, first.pk, third.pk]
    second.refresh_from_db()
    assert second.planned_start == first.planned_start


def test_move_above_a_prerequisite_is_refused(client, learner, plan):
    first, second, _third = _items(plan)
    second.project.prerequisites.add(first.project)
    client.force_login(learner)
    response = client.post(
        reverse("roadmap:plan_item_move", args=[second.pk]), {"direction": "up"}, follow=True
    )
    assert "is needed before" in response.text
    assert [i.pk for i in _items(plan)][:2] == [first.pk, second.pk]


def test_move_with_a_bad_direction_changes_nothing(client, learner, plan):
    before = [i.pk for i in _items(plan)]
    client.force_login(learner)
    response = client.post(
        reverse("roadmap:plan_item_move", args=[before[0]]), {"direction": "sideways"}, follow=True
    )
    assert "Move a project up or down" in response.text
    assert [i.pk for i in _items(plan)] == before


def test_target_date_warning(client, learner, plan):
    learner.target_date = datetime.date.today() + datetime.timedelta(days=7)
    learner.save()
    client.force_login(learner)
    page = client.get(reverse("roadmap:plan")).text
    assert "after your target date; add" in page


@pytest.mark.parametrize("size", [2, 8])
def test_plan_page_queries_stay_flat(client, django_assert_max_num_queries, size):
    learner = factories.LearnerFactory()
    path, _c, _p = curriculum_with_gaps(learner, projects=size, competencies=size)
    plan_item = plan_generate(learner=learner, path=path)
    assert plan_item.items.count() == size
    client.force_login(learner)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("roadmap:plan")).status_code == 200


def test_plan_item_factory_belongs_to_its_plan():
    item = PlanItemFactory()
    assert item.project.path == item.plan.path


def test_a_plan_with_every_target_met_says_so_without_an_empty_warning(client, learner, plan):
    for item in _items(plan):
        for build in item.project.builds.all():
            factories.RatingFactory(learner=learner, competency=build.competency, level=3)
    client.force_login(learner)
    client.post(reverse("roadmap:plan_generate"))
    page = client.get(reverse("roadmap:plan")).text
    assert "Every target of" in page and "No project in the curriculum" not in page
    assert plan.items.count() == 0


def test_plan_page_query_count_is_the_same_at_two_sizes(client):
    counts = []
    for size in (2, 9):
        learner = factories.LearnerFactory()
        path, _c, _p = curriculum_with_gaps(learner, projects=size, competencies=size)
        plan_generate(learner=learner, path=path)
        client.force_login(learner)
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("roadmap:plan"))
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_names_explanations_and_evidence_are_escaped_on_the_plan_page(client, learner, plan):
    """Item rows are built in Python (views/plans.py _item_html): user and admin text must come
    out escaped exactly as the template escaped it."""
    first, second, _third = _items(plan)
    first.project.name = '<script>alert("name")</script>'
    first.project.save()
    PlanItem.objects.filter(pk=first.pk).update(explanation="<script>why</script>")
    ProjectCheckpoint.objects.filter(project=first.project).update(title="<script>step</script>")
    curriculum_changed()
    second.complete(evidence_url="https://example.com/?a=1&b=<2>", reflection="<b>learnt</b>")
    client.force_login(learner)
    page = client.get(reverse("roadmap:plan")).text
    assert "<script>alert" not in page and "<script>why" not in page
    assert "<script>step" not in page and "<b>learnt" not in page
    assert "&lt;script&gt;alert(&quot;name&quot;)&lt;/script&gt;</a></h2>" in page
    assert "Why: &lt;script&gt;why&lt;/script&gt;" in page
    assert ": &lt;script&gt;step&lt;/script&gt;</li>" in page
    assert 'href="https://example.com/?a=1&amp;b=&lt;2&gt;"' in page
    assert "&lt;b&gt;learnt&lt;/b&gt;" in page


def test_regenerating_costs_the_same_queries_at_two_sizes(client):
    """Deleting the old planned items used to take one query per 100 of them, and writing the
    new ones one per row would grow too: both sizes must cost the same."""
    counts = []
    for size in (2, 105):
        learner = factories.LearnerFactory()
        curriculum_with_gaps(learner, projects=size, competencies=size)
        client.force_login(learner)
        client.post(reverse("roadmap:plan_generate"))
        with CaptureQueriesContext(connection) as queries:
            client.post(reverse("roadmap:plan_generate"))
        assert Plan.objects.get(learner=learner).items.count() == size
        counts.append(len(queries))
    assert counts[0] == counts[1]


# --- restoring a skipped project ------------------------------------------------------------------


def test_a_skipped_project_shows_restore_and_restoring_puts_it_back_dated(client, learner, plan):
    items = _items(plan)
    assert len(items) >= 2
    first, second = items[0], items[1]
    client.force_login(learner)
    client.post(reverse("roadmap:plan_item_skip", args=[first.pk]))
    page = client.get(reverse("roadmap:plan")).text
    restore_url = reverse("roadmap:plan_item_restore", args=[first.pk])
    assert f'action="{restore_url}"' in page
    assert f'Restore<span class="visually-hidden"> {first.project.name}</span>' in page

    response = client.post(restore_url, follow=True)
    assert f"Restored {first.project.name} to your plan." in response.text
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == PlanItem.Status.PLANNED
    # Back in its old place, dated before the next project, which starts where it did.
    assert first.planned_end <= second.planned_start
    # Its milestones are listed again, dated within its new span.
    page = client.get(reverse("roadmap:plan")).text
    for m in _milestones(first):
        assert first.planned_start <= m.due <= first.planned_end
        assert f": {m.checkpoint.title}</li>" in page


def test_restoring_a_started_then_skipped_project_makes_it_started_again(client, learner, plan):
    item = _items(plan)[0]
    item.start()
    item.skip()
    client.force_login(learner)
    response = client.post(reverse("roadmap:plan_item_restore", args=[item.pk]), **HTMX)
    assert response.status_code == 200 and "<html" not in response.text
    item.refresh_from_db()
    assert item.status == PlanItem.Status.STARTED


@pytest.mark.parametrize("status", ["planned", "started", "done"])
def test_restoring_a_project_that_is_not_skipped_is_refused(client, learner, plan, status):
    item = _items(plan)[0]
    PlanItem.objects.filter(pk=item.pk).update(status=status)
    client.force_login(learner)
    url = reverse("roadmap:plan_item_restore", args=[item.pk])
    assert "Only a skipped project can be restored" in client.post(url, follow=True).text
    assert "Only a skipped project can be restored" in client.post(url, **HTMX).text
    item.refresh_from_db()
    assert item.status == status


def test_restoring_another_learners_item_is_404_and_changes_nothing(client, plan):
    item = _items(plan)[0]
    item.skip()
    client.force_login(factories.LearnerFactory())
    response = client.post(reverse("roadmap:plan_item_restore", args=[item.pk]))
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.status == PlanItem.Status.SKIPPED


def test_restore_needs_post(client, learner, plan):
    item = _items(plan)[0]
    client.force_login(learner)
    assert client.get(reverse("roadmap:plan_item_restore", args=[item.pk])).status_code == 405


def test_milestones_say_when_a_mentor_signed_them_off_or_their_day_passed(client, learner):
    path, _c, _p = curriculum_with_gaps(learner)
    plan = plan_generate(
        learner=learner, path=path, today=datetime.date.today() - datetime.timedelta(days=30)
    )
    first = _items(plan)[0]
    done_step, late_step = _milestones(first)
    assert late_step.due < datetime.date.today()  # the first project ran its course
    mentor = factories.MentorFactory()
    CheckpointSignOffFactory(learner=learner, checkpoint_id=done_step.checkpoint.id, mentor=mentor)
    client.force_login(learner)
    page = client.get(reverse("roadmap:plan")).text
    assert f'{done_step.checkpoint.title} <span class="badge ok">signed off</span>' in page
    assert f'{late_step.checkpoint.title} <span class="small">(date passed)</span>' in page
    # Another learner's sign-off of the same checkpoint is not this learner's.
    other = factories.LearnerFactory()
    CheckpointSignOffFactory(learner=other, checkpoint_id=late_step.checkpoint.id, mentor=mentor)
    page = client.get(reverse("roadmap:plan")).text
    assert f'{late_step.checkpoint.title} <span class="badge ok">' not in page

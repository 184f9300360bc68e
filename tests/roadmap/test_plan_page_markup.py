"""The plan page's markup, now in templates/roadmap/plan.html: the same HTML as the Python-built
page gave (a golden copy for a fixed plan on a fixed day), and user text still escaped."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from curriculum.services import curriculum_changed
from roadmap.models import PlanItem
from roadmap.services.plans import item_milestones, path_checkpoints, plan_generate
from tests import factories
from tests.factories_mentoring import CheckpointSignOffFactory
from tests.roadmap.golden_pages import assert_matches_golden, main_region

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
TODAY = datetime.date(2026, 3, 2)  # a Monday
NOW = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def fixed_plan(frozen):
    """Five projects planned three weeks ago (so some are behind and milestones have passed):
    one done with evidence, one started with a signed-off milestone, one skipped, two planned."""
    learner = factories.LearnerFactory(
        weekly_hours=6, email="golden@example.com", full_name="Golden Learner"
    )
    path = factories.PathFactory(name="Golden Path", slug="golden-path")
    comps = []
    for n in range(5):
        comp = factories.CompetencyFactory(name=f"Skill {n}", slug=f"skill-{n}")
        factories.PathCompetencyFactory(path=path, competency=comp, target_level=3, weight=3)
        factories.RatingFactory(learner=learner, competency=comp, level=1)
        comps.append(comp)
    for n, comp in enumerate(comps):
        project = factories.ProjectFactory(
            path=path, position=n, estimated_hours=10 + n, name=f"Project {n}", slug=f"project-{n}"
        )
        factories.ProjectCompetencyFactory(project=project, competency=comp, builds_to_level=3)
        for step in range(2):
            factories.ProjectCheckpointFactory(
                project=project, title=f"Project {n} step {step}", position=step
            )
    learner.target_path = path
    learner.target_date = TODAY + datetime.timedelta(days=20)
    learner.save()
    plan = plan_generate(learner=learner, path=path, today=TODAY - datetime.timedelta(days=21))
    items = list(plan.items.order_by("position", "id"))
    items[0].start()
    items[0].complete(evidence_url="https://example.com/p0?a=1&b=2", reflection="I learnt a lot.")
    items[1].start()
    items[2].skip()
    # The started project ran over: its end passed a week ago (behind, milestones passed).
    PlanItem.objects.filter(pk=items[1].pk).update(
        planned_start=TODAY - datetime.timedelta(days=21),
        planned_end=TODAY - datetime.timedelta(days=8),
    )
    items[1].refresh_from_db()
    step = item_milestones(items[1], path_checkpoints(plan.path_id))[0]
    CheckpointSignOffFactory(
        learner=learner, checkpoint_id=step.checkpoint.id, mentor=factories.MentorFactory()
    )
    return learner, plan, items


def _stable(html: str, items) -> str:
    """Item ids (which differ between runs) as their place in the plan."""
    for n, item in enumerate(items):
        for before, after in (
            (f"/{item.pk}/", f"/ITEM{n}/"),
            (f'"item-{item.pk}"', f'"item-ITEM{n}"'),
            (f"item{item.pk}_", f"itemITEM{n}_"),
            (f'"pace-log-{item.pk}"', f'"pace-log-ITEM{n}"'),
            (f"hours{item.pk}_", f"hoursITEM{n}_"),
            (f"?complete={item.pk}#item-{item.pk}", f"?complete=ITEM{n}#item-ITEM{n}"),
        ):
            html = html.replace(before, after)
    return html


def test_the_plan_page_markup_is_unchanged(client, fixed_plan):
    learner, _plan, items = fixed_plan
    client.force_login(learner)
    response = client.get(reverse("roadmap:plan"))
    assert response.status_code == 200
    assert_matches_golden("plan_page", _stable(main_region(response.text), items))


def test_the_htmx_fragment_is_the_plan_body_only(client, fixed_plan):
    learner, _plan, items = fixed_plan
    client.force_login(learner)
    response = client.post(reverse("roadmap:plan_item_start", args=[items[3].pk]), **HTMX)
    assert response.status_code == 200
    html = response.text
    assert html.lstrip().startswith('<div id="plan-body"') and "<main" not in html
    assert_matches_golden("plan_body_after_start", _stable(html, items))


def test_a_refused_completion_shows_the_form_errors_in_the_fragment(client, fixed_plan):
    learner, _plan, items = fixed_plan
    client.force_login(learner)
    response = client.post(
        reverse("roadmap:plan_item_complete", args=[items[1].pk]),
        {"evidence_url": "not a url", "reflection": ""},
        **HTMX,
    )
    assert response.status_code == 200
    assert_matches_golden("plan_body_complete_errors", _stable(response.text, items))


def test_an_action_error_is_shown_on_its_item(client, fixed_plan):
    learner, _plan, items = fixed_plan
    client.force_login(learner)
    response = client.post(reverse("roadmap:plan_item_start", args=[items[1].pk]), **HTMX)
    assert response.status_code == 200
    assert 'role="alert" data-focus-after-swap>' in response.text
    assert_matches_golden("plan_body_action_error", _stable(response.text, items))


def test_user_text_on_the_plan_page_is_escaped(client, fixed_plan):
    learner, plan, items = fixed_plan
    PlanItem.objects.filter(pk=items[3].pk).update(explanation="<script>why()</script>")
    project = items[3].project
    project.name = "<script>name()</script>"
    project.save()
    project.checkpoints.update(title="<script>step()</script>")
    curriculum_changed()
    PlanItem.objects.filter(pk=items[0].pk).update(
        evidence_url='https://example.com/"><script>url()</script>',
        reflection="<script>reflect()</script>",
    )
    client.force_login(learner)
    page = client.get(reverse("roadmap:plan")).text
    for name in ("why", "name", "step", "url", "reflect"):
        assert f"<script>{name}()" not in page
    assert "&lt;script&gt;name()&lt;/script&gt;</a></h2>" in page
    assert 'Mark as done<span class="visually-hidden"> &lt;script&gt;name()' in page
    assert "Why: &lt;script&gt;why()&lt;/script&gt;" in page
    assert ": &lt;script&gt;step()&lt;/script&gt;" in page
    assert 'href="https://example.com/&quot;&gt;&lt;script&gt;url()&lt;/script&gt;"' in page
    assert "&lt;script&gt;reflect()&lt;/script&gt;" in page


def test_a_planned_item_links_to_its_completion_form_and_a_started_one_shows_it(client, fixed_plan):
    """Rendering a form per planned item made a 150-project plan slow: a planned item links to
    ?complete=<id>, which opens its form; a started item has its form in place."""
    learner, _plan, items = fixed_plan
    client.force_login(learner)
    page = client.get(reverse("roadmap:plan")).text
    started, planned = items[1], items[3]
    assert f'id="item{started.pk}_evidence_url"' in page
    assert f'id="item{planned.pk}_evidence_url"' not in page
    link = f'href="?complete={planned.pk}#item-{planned.pk}"'
    assert link in page
    page = client.get(reverse("roadmap:plan"), {"complete": planned.pk}).text
    assert f'id="item{planned.pk}_evidence_url"' in page
    assert link not in page
    assert_matches_golden("plan_page_complete_requested", _stable(main_region(page), items))


@pytest.mark.parametrize("value", ["abc", "-1", "0", "99999999999999999999", ""])
def test_a_bad_complete_parameter_is_ignored(client, fixed_plan, value):
    learner, _plan, items = fixed_plan
    client.force_login(learner)
    response = client.get(reverse("roadmap:plan"), {"complete": value})
    assert response.status_code == 200
    assert f'id="item{items[3].pk}_evidence_url"' not in response.text


def test_another_learners_item_cannot_be_opened_for_completion(client, fixed_plan):
    learner, _plan, items = fixed_plan
    other = factories.LearnerFactory()
    other.target_path = learner.target_path
    other.save()
    plan_generate(learner=other, path=learner.target_path, today=TODAY)
    client.force_login(other)
    response = client.get(reverse("roadmap:plan"), {"complete": items[3].pk})
    assert response.status_code == 200
    assert f"item{items[3].pk}_" not in response.text


def test_the_completion_form_opened_by_link_completes_the_item(client, fixed_plan):
    learner, _plan, items = fixed_plan
    client.force_login(learner)
    planned = items[3]
    response = client.post(
        reverse("roadmap:plan_item_complete", args=[planned.pk]),
        {"evidence_url": "https://example.com/p3", "reflection": ""},
    )
    assert response.status_code == 302
    planned.refresh_from_db()
    assert planned.status == "done" and planned.evidence_url == "https://example.com/p3"


def test_start_skip_and_move_buttons_post_to_their_own_urls(client, fixed_plan):
    """The item's actions share one form; each button names its URL (formaction), which
    browsers and htmx both follow."""
    learner, _plan, items = fixed_plan
    client.force_login(learner)
    page = client.get(reverse("roadmap:plan")).text
    planned = items[3]
    start = reverse("roadmap:plan_item_start", args=[planned.pk])
    move = reverse("roadmap:plan_item_move", args=[planned.pk])
    skip = reverse("roadmap:plan_item_skip", args=[planned.pk])
    assert f'action="{skip}" hx-post="{skip}"' in page
    assert f'formaction="{start}" class="small">Start</button>' in page
    assert f'formaction="{move}" name="direction" value="up"' in page
    assert f'formaction="{move}" name="direction" value="down"' in page

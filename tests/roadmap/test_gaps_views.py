"""The gap-analysis page."""

import pytest
from django.urls import reverse

from tests import factories
from tests.factories_assessment import scale_levels
from tests.factories_plans import PlanFactory, PlanItemFactory
from tests.roadmap.assessment_setup import learner_on

pytestmark = pytest.mark.django_db

# Session and user, the ratings, the paths, their targets, descriptors, the closing plan items,
# the next steps' resources and which of them the learner studied.
QUERIES = 12
MAP_QUERIES = 9


@pytest.fixture
def world():
    scale_levels()
    dev = factories.PathFactory(slug="ai-developer", name="AI Developer", position=1)
    eng = factories.PathFactory(slug="ai-engineer", name="AI Engineer", position=2)
    python = factories.CompetencyFactory(name="Python")
    prompts = factories.CompetencyFactory(name="Prompt design")
    evals = factories.CompetencyFactory(name="LLM evaluation")
    factories.PathCompetencyFactory(path=dev, competency=python, target_level=3, weight=5)
    factories.PathCompetencyFactory(path=dev, competency=prompts, target_level=2, weight=3)
    factories.PathCompetencyFactory(path=eng, competency=python, target_level=4, weight=5)
    factories.PathCompetencyFactory(path=eng, competency=evals, target_level=3, weight=8)
    factories.LevelDescriptorFactory(
        competency=python, level=2, description="Writes small scripts with tests"
    )
    learner = learner_on(dev)
    return dev, eng, python, prompts, evals, learner


def test_no_ratings_tells_them_to_assess(client, world):
    client.force_login(world[-1])
    html = client.get(reverse("roadmap:gaps")).content.decode()
    assert "You have not rated yourself yet" in html
    assert f'href="{reverse("roadmap:assess")}"' in html


def test_gaps_readiness_next_level_and_side_by_side(client, world):
    dev, eng, python, prompts, evals, learner = world
    factories.RatingFactory(learner=learner, competency=python, level=1)
    factories.RatingFactory(learner=learner, competency=prompts, level=2)
    client.force_login(learner)
    response = client.get(reverse("roadmap:gaps"))
    assert response.status_code == 200
    html = response.content.decode()
    # dev: python 1/3 *5 + prompts 2/2 *3 -> (5+6)/(15+6) = 52%; eng: 5/(20+24) = 11%.
    assert "52%" in html and "11%" in html
    assert "You fit <strong>AI Developer</strong> best right now" in html
    # Python is the only gap: the next level (Working) with its own descriptor.
    assert "To reach <strong>Working</strong>: Writes small scripts with tests" in html
    # What AI Engineer would add: LLM evaluation (new) and Python at a higher target.
    other = html.split('id="compare-ai-engineer"')[1]
    assert "LLM evaluation" in other and "new" in other
    assert "(yours asks for Proficient)" in other


def test_next_level_falls_back_to_scale_descriptor(client, world):
    dev, eng, python, prompts, evals, learner = world
    factories.RatingFactory(learner=learner, competency=python, level=3)
    factories.RatingFactory(learner=learner, competency=prompts, level=0)
    client.force_login(learner)
    html = client.get(reverse("roadmap:gaps")).content.decode()
    assert "To reach <strong>Aware</strong>: Default meaning of Aware" in html


def test_all_targets_met(client, world):
    dev, eng, python, prompts, evals, learner = world
    factories.RatingFactory(learner=learner, competency=python, level=4)
    factories.RatingFactory(learner=learner, competency=prompts, level=4)
    client.force_login(learner)
    html = client.get(reverse("roadmap:gaps")).content.decode()
    assert "You meet every target of AI Developer" in html
    assert "100%" in html


def test_other_learners_ratings_do_not_count(client, world):
    dev, eng, python, prompts, evals, learner = world
    other = learner_on(dev)
    factories.RatingFactory(learner=other, competency=python, level=4)
    factories.RatingFactory(learner=learner, competency=prompts, level=1)
    client.force_login(learner)
    html = client.get(reverse("roadmap:gaps")).content.decode()
    # Only prompts at 1 of 2 (weight 3) -> 3/21 = 14%.
    assert "14%" in html


def test_wrong_method(client, world):
    client.force_login(world[-1])
    assert client.post(reverse("roadmap:gaps")).status_code == 405


def test_own_gaps_come_before_the_paths_and_speak_plain_words(client, world):
    dev, eng, python, prompts, evals, learner = world
    factories.RatingFactory(learner=learner, competency=python, level=1)
    factories.RatingFactory(learner=learner, competency=prompts, level=0)
    client.force_login(learner)
    html = client.get(reverse("roadmap:gaps")).content.decode()
    assert html.index('id="gaps-heading"') < html.index('id="paths-heading"')
    row = html.split('class="card gap-row"')[1]
    assert "Python" in row and "2 levels to go, and it counts for AI Developer" in row
    # The arithmetic is behind a disclosure, not in the headline.
    assert "× weight" not in row.split("<details")[0]
    assert "Gap 2 levels × weight 5 (of 10) = 10 points" in row


def test_current_vs_target_chart_with_a_table_alternative(client, world):
    dev, eng, python, prompts, evals, learner = world
    factories.RatingFactory(learner=learner, competency=python, level=1)
    factories.RatingFactory(learner=learner, competency=prompts, level=0)
    client.force_login(learner)
    html = client.get(reverse("roadmap:gaps")).content.decode()
    chart = html.split('<svg class="chart gap-chart"')[1].split("</svg>")[0]
    assert chart.count('class="gap-current"') == 2
    # Python: 1 of 4 levels -> 99 of 396 units; its target 3 -> the mark at 297.
    assert 'class="gap-current" x="0" y="20" width="99"' in chart
    assert 'class="gap-target" x="297"' in chart
    table = html.split("Show as a table")[1].split("</table>")[0]
    assert '<th scope="row">Python</th><td>1 Aware</td><td>3 Proficient</td>' in table


def test_each_gap_links_to_the_plan_items_that_close_it(client, world):
    dev, eng, python, prompts, evals, learner = world
    factories.RatingFactory(learner=learner, competency=python, level=1)
    factories.RatingFactory(learner=learner, competency=prompts, level=0)
    project = factories.ProjectFactory(path=dev, name="Retrieval app")
    factories.ProjectCompetencyFactory(project=project, competency=python, builds_to_level=3)
    plan = PlanFactory(learner=learner, path=dev)
    item = PlanItemFactory(plan=plan, project=project, position=1)
    done = factories.ProjectFactory(path=dev, name="Finished thing")
    factories.ProjectCompetencyFactory(project=done, competency=prompts, builds_to_level=2)
    PlanItemFactory(plan=plan, project=done, position=2, status="done")
    client.force_login(learner)
    html = client.get(reverse("roadmap:gaps")).content.decode()
    python_row, prompts_row = html.split('class="card gap-row"')[1:3]
    assert f'href="{reverse("roadmap:plan")}#item-{item.pk}">Retrieval app</a>' in python_row
    # A done project closes nothing more; the row says what to do instead.
    assert "Finished thing" not in prompts_row
    assert "No project in your plan builds this yet" in prompts_row


@pytest.mark.parametrize("size", [3, 12])
def test_gaps_page_queries_do_not_grow_with_gaps_or_plan_items(
    client, size, django_assert_num_queries
):
    scale_levels()
    dev = factories.PathFactory(slug="ai-developer", name="AI Developer", position=1)
    learner = learner_on(dev)
    plan = PlanFactory(learner=learner, path=dev)
    for i in range(size):
        competency = factories.CompetencyFactory()
        factories.PathCompetencyFactory(path=dev, competency=competency, target_level=3)
        factories.RatingFactory(learner=learner, competency=competency, level=1)
        factories.ResourceFactory(competency=competency, level_from=1, level_to=2)
        project = factories.ProjectFactory(path=dev)
        factories.ProjectCompetencyFactory(project=project, competency=competency)
        PlanItemFactory(plan=plan, project=project, position=i + 1)
    client.force_login(learner)
    client.get(reverse("roadmap:gaps"))  # warm the per-process curriculum caches
    with django_assert_num_queries(QUERIES):
        assert client.get(reverse("roadmap:gaps")).status_code == 200


def test_distance_class_words():
    from roadmap.lib.gaps import distance_class

    assert [distance_class(c, 3) for c in (None, 0, 1, 2, 3, 4)] == [
        "unrated",
        "far",
        "far",
        "near",
        "met",
        "met",
    ]


def test_skill_map_groups_colours_and_lists_projects_with_their_plan_status(client, world):
    dev, eng, python, prompts, evals, learner = world
    python.category = "Foundations"
    python.save()
    prompts.category = "LLM apps"
    prompts.save()
    factories.RatingFactory(learner=learner, competency=python, level=2)
    project = factories.ProjectFactory(path=dev, name="Retrieval app")
    factories.ProjectCompetencyFactory(project=project, competency=python, builds_to_level=3)
    PlanItemFactory(plan=PlanFactory(learner=learner, path=dev), project=project, status="started")
    factories.ProjectFactory(path=eng, name="Other path project")
    client.force_login(learner)
    html = client.get(reverse("roadmap:skill_map")).content.decode()
    foundations = html.split(">Foundations</h2>")[1].split("</section>")[0]
    assert 'class="map-tile map-near"' in foundations and "Python" in foundations
    assert 'Retrieval app</a> <span class="muted">(builds to 3 · started)</span>' in foundations
    llm = html.split(">LLM apps</h2>")[1].split("</section>")[0]
    assert 'class="map-tile map-unrated"' in llm and "not rated" in llm
    assert "Other path project" not in html
    assert "one level to go (1)" in html and "not rated yet (1)" in html
    assert "Show as a table" in html


@pytest.mark.parametrize("size", [3, 12])
def test_skill_map_queries_are_flat(client, size, django_assert_num_queries):
    scale_levels()
    dev = factories.PathFactory()
    learner = learner_on(dev)
    plan = PlanFactory(learner=learner, path=dev)
    for i in range(size):
        competency = factories.CompetencyFactory(category=f"Group {i % 3}")
        factories.PathCompetencyFactory(path=dev, competency=competency, target_level=3)
        factories.RatingFactory(learner=learner, competency=competency, level=i % 4)
        project = factories.ProjectFactory(path=dev)
        factories.ProjectCompetencyFactory(project=project, competency=competency)
        PlanItemFactory(plan=plan, project=project, position=i + 1)
    client.force_login(learner)
    client.get(reverse("roadmap:skill_map"))
    with django_assert_num_queries(MAP_QUERIES):
        assert client.get(reverse("roadmap:skill_map")).status_code == 200

"""The gap-analysis page."""

import pytest
from django.urls import reverse

from tests import factories
from tests.factories_assessment import scale_levels
from tests.roadmap.assessment_setup import learner_on

pytestmark = pytest.mark.django_db


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

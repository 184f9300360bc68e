"""Each self-assessment row shows what to study for its next level (issue 13) under its
disclosure, fetched with the level texts on demand, so the page itself does not grow: the
assessment page's weight and query tests (test_assessment_page_weight.py) hold with resources
present."""

import pytest
from django.urls import reverse

from curriculum.models import Resource
from roadmap.services.assessment import rating_record
from roadmap.services.resources import resource_studied_set
from tests import factories
from tests.factories_assessment import scale_levels
from tests.roadmap.assessment_setup import learner_on, path_with_competencies

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def world(client):
    scale_levels()
    path, pcs = path_with_competencies(1)
    competency = pcs[0].competency
    learner = learner_on(path)
    rating_record(learner=learner, competency=competency, level=1)
    beginner = factories.ResourceFactory(competency=competency, title="First steps", level_to=1)
    step = factories.ResourceFactory(
        competency=competency, title="For Working", level_from=2, level_to=2, position=1
    )
    paid = factories.ResourceFactory(
        competency=competency,
        title="Paid course",
        level_from=2,
        level_to=3,
        cost=Resource.Cost.PAID,
        position=2,
    )
    client.force_login(learner)
    return learner, competency, {"beginner": beginner, "step": step, "paid": paid}


def levels(competency, **extra):
    return reverse("roadmap:assess_levels", args=[competency.pk])


def test_the_row_disclosure_lists_the_next_levels_resources_only(client, world):
    _, competency, res = world
    html = client.get(levels(competency), **HTMX).content.decode()
    assert "To reach Working: study" in html
    assert "For Working" in html and "Paid course" in html and "First steps" not in html
    assert html.index("For Working") < html.index("Paid course")  # best first
    assert "<form" not in html  # the fragment goes inside the row's form: links only
    assert f'href="{levels(competency)}">Mark what you studied' in html


def test_without_javascript_the_levels_page_lists_them_with_mark_as_studied(client, world):
    _, competency, res = world
    html = client.get(levels(competency)).content.decode()
    assert "To reach Working: study" in html and "For Working" in html
    assert reverse("roadmap:resource_studied", args=[res["step"].pk]) in html
    # The studied forms come after the rating form, never inside it.
    assert html.index("Save ") < html.index("Mark For Working as studied")


def test_studied_ones_say_so(client, world):
    learner, competency, res = world
    resource_studied_set(learner=learner, resource=res["step"], studied=True)
    html = client.get(levels(competency), **HTMX).content.decode()
    assert "about 30 min · studied" in html


def test_free_only_hides_paid_ones(client, world):
    learner, competency, _ = world
    learner.free_resources_only = True
    learner.save(update_fields=["free_resources_only"])
    html = client.get(levels(competency), **HTMX).content.decode()
    assert "For Working" in html and "Paid course" not in html


def test_an_unrated_row_gets_the_first_levels_resources(client, world):
    learner, competency, _ = world
    other = learner_on(learner.target_path)
    client.force_login(other)
    html = client.get(levels(competency), **HTMX).content.decode()
    assert "To reach Aware: study" in html and "First steps" in html


def test_no_resources_no_heading(client, world):
    learner, competency, _ = world
    Resource.objects.all().delete()
    html = client.get(levels(competency), **HTMX).content.decode()
    assert "study" not in html


def test_queries_are_a_constant_few(client, world, django_assert_max_num_queries):
    _, competency, _ = world
    client.get(levels(competency), **HTMX)  # the curriculum cached
    with django_assert_max_num_queries(8):
        assert client.get(levels(competency), **HTMX).status_code == 200


def test_the_assessment_page_ships_no_resource(client, world):
    _, competency, _ = world
    html = client.get(reverse("roadmap:assess")).content.decode()
    assert "For Working" not in html and f'href="{levels(competency)}" data-load' in html


def test_another_path_s_competency_is_404(client, world):
    _, other_pcs = path_with_competencies(1, slug="other", name="Other")
    assert client.get(levels(other_pcs[0].competency), **HTMX).status_code == 404

"""The path page shows what a path leads to and what to follow first; the resource reads for
the roadmap pages (one query for many steps)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from curriculum.models import Resource
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def learner_client(client):
    client.force_login(factories.LearnerFactory())
    return client


def _paths():
    developer = factories.PathFactory(slug="ai-developer", name="AI Developer")
    engineer = factories.PathFactory(
        slug="ai-engineer",
        name="AI Engineer",
        outcome="Runs a service at a stated p95 latency and cost per request.",
        recommended_earlier_path=developer,
    )
    return developer, engineer


def test_path_page_shows_outcome_and_the_recommended_earlier_path(learner_client):
    developer, engineer = _paths()

    response = learner_client.get(reverse("curriculum:path_detail", args=[engineer.slug]))

    page = response.content.decode()
    assert response.status_code == 200
    assert "At these targets you can" in page
    assert "Runs a service at a stated p95 latency and cost per request." in page
    assert f'href="{developer.get_absolute_url()}">AI Developer</a>' in page


def test_path_page_without_either_says_nothing_about_them(learner_client):
    developer, _ = _paths()
    page = learner_client.get(developer.get_absolute_url()).content.decode()
    assert "Recommended first" not in page
    assert "At these targets you can" not in page


def test_path_page_hides_an_inactive_earlier_path(learner_client):
    developer, engineer = _paths()
    developer.is_active = False
    developer.save()
    page = learner_client.get(engineer.get_absolute_url()).content.decode()
    assert "Recommended first" not in page


def test_path_page_refuses_post_anonymous_and_unknown(learner_client):
    from django.test import Client

    _, engineer = _paths()
    url = engineer.get_absolute_url()
    assert learner_client.post(url).status_code == 405
    assert learner_client.get(reverse("curriculum:path_detail", args=["nope"])).status_code == 404
    assert Client().get(url).status_code == 302


def test_a_path_cannot_come_before_itself():
    from django.core.exceptions import ValidationError

    _, engineer = _paths()
    engineer.recommended_earlier_path = engineer
    with pytest.raises(ValidationError, match="cannot come before itself"):
        engineer.full_clean()


def test_for_competency_levels_answers_many_steps_in_one_query():
    python, sql = factories.CompetencyFactory(), factories.CompetencyFactory()
    basics = factories.ResourceFactory(competency=python, level_from=0, level_to=2, position=1)
    first = factories.ResourceFactory(competency=python, level_from=1, level_to=1, position=0)
    tests = factories.ResourceFactory(competency=python, level_from=3, level_to=3)
    window = factories.ResourceFactory(competency=sql, level_from=2, level_to=3)

    with CaptureQueriesContext(connection) as queries:
        found = Resource.objects.for_competency_levels([(python.pk, 1), (python.pk, 3),
                                                        (sql.pk, 1), (sql.pk, 3)])  # fmt: skip
    assert len(queries) == 1
    assert found == {
        (python.pk, 1): [first, basics],
        (python.pk, 3): [tests],
        (sql.pk, 1): [],
        (sql.pk, 3): [window],
    }
    assert Resource.objects.for_competency_levels([]) == {}
    assert list(Resource.objects.for_step(python.pk, 2)) == [basics]


def test_for_competency_levels_chains_with_the_free_filter():
    python = factories.CompetencyFactory()
    free = factories.ResourceFactory(competency=python)
    factories.ResourceFactory(competency=python, cost=Resource.Cost.PAID)
    assert Resource.objects.free().for_competency_levels([(python.pk, 1)]) == {
        (python.pk, 1): [free]
    }

"""Learning resources where learners decide what to do next: the gaps page lists those for
exactly the next step of each gap, the project page its own; a free-only preference; marking a
resource as studied counts as activity and is in the learner's data export."""

import pytest
from django.urls import reverse

from curriculum.models import Resource
from roadmap.models import StudiedResource
from roadmap.services.progress import activity_moments, learner_export
from tests import factories
from tests.factories_assessment import scale_levels
from tests.roadmap.assessment_setup import learner_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    scale_levels()
    path = factories.PathFactory(name="AI Developer")
    python = factories.CompetencyFactory(name="Python")
    factories.PathCompetencyFactory(path=path, competency=python, target_level=3, weight=5)
    learner = learner_on(path)
    factories.RatingFactory(learner=learner, competency=python, level=1)  # next step: 2
    for_two = factories.ResourceFactory(
        competency=python, title="Testing guide", level_from=1, level_to=2
    )
    factories.ResourceFactory(competency=python, title="Beginner tour", level_from=0, level_to=1)
    paid = factories.ResourceFactory(
        competency=python, title="Paid course", level_from=2, level_to=3, cost=Resource.Cost.PAID
    )
    return path, python, learner, for_two, paid


def test_gaps_page_lists_the_resources_for_exactly_the_next_step(client, world):
    path, python, learner, for_two, paid = world
    client.force_login(learner)
    row = client.get(reverse("roadmap:gaps")).text.split('class="card gap-row"')[1]
    assert "Study for Working:" in row
    assert "Testing guide" in row and "Paid course" in row
    assert "Beginner tour" not in row  # serves levels 0-1: behind the learner already
    assert row.index("Testing guide") < row.index("Paid course")  # best first
    assert f'href="{for_two.url}" rel="noopener noreferrer"' in row


def test_free_only_preference_hides_paid_resources(client, world):
    path, python, learner, for_two, paid = world
    learner.free_resources_only = True
    learner.save()
    client.force_login(learner)
    html = client.get(reverse("roadmap:gaps")).text
    assert "Testing guide" in html and "Paid course" not in html
    assert "Showing free learning resources only" in html


def test_marking_as_studied_counts_as_activity_and_is_exported(client, world):
    path, python, learner, for_two, paid = world
    client.force_login(learner)
    url = reverse("roadmap:resource_studied", args=[for_two.pk])
    response = client.post(url, {"studied": "1", "next": "/gaps/"})
    assert response.status_code == 302 and response.url == "/gaps/"
    client.post(url, {"studied": "1", "next": "/gaps/"})  # twice: still one mark
    mark = StudiedResource.objects.get(learner=learner)
    assert mark.resource == for_two
    assert mark.studied_at in activity_moments(learner=learner)
    learner.refresh_from_db()
    assert learner.last_activity_at is not None
    exported = learner_export(learner=learner)["studied_resources"]
    assert [(r["title"], r["url"]) for r in exported] == [("Testing guide", for_two.url)]
    row = client.get(reverse("roadmap:gaps")).text.split('class="card gap-row"')[1]
    assert '<span class="badge ok">studied</span>' in row
    client.post(url, {"studied": "0"})
    assert not StudiedResource.objects.exists()


def test_htmx_mark_answers_only_the_button(client, world):
    path, python, learner, for_two, paid = world
    client.force_login(learner)
    response = client.post(
        reverse("roadmap:resource_studied", args=[for_two.pk]),
        {"studied": "1", "next": "/gaps/"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.text
    assert html.strip().startswith('<form method="post"') and "<html" not in html
    assert "studied" in html and "undo" in html


def test_mark_refuses_bad_requests(client, world):
    path, python, learner, for_two, paid = world
    url = reverse("roadmap:resource_studied", args=[for_two.pk])
    assert client.post(url).status_code == 302  # anonymous: to the login page
    assert not StudiedResource.objects.exists()
    client.force_login(learner)
    assert client.get(url).status_code == 405
    assert client.post(reverse("roadmap:resource_studied", args=[999999])).status_code == 404
    # `next` never leads off the site.
    response = client.post(url, {"studied": "1", "next": "https://evil.example/gaps/"})
    assert response.url == reverse("roadmap:gaps")


def test_another_learners_mark_does_not_show(client, world):
    path, python, learner, for_two, paid = world
    other = learner_on(path)
    StudiedResource.objects.create(learner=other, resource=for_two)
    client.force_login(learner)
    assert '<span class="badge ok">studied</span>' not in client.get(reverse("roadmap:gaps")).text


def test_project_page_shows_its_own_resources(client, world):
    path, python, learner, for_two, paid = world
    project = factories.ProjectFactory(path=path, name="Retrieval app")
    factories.ResourceFactory(competency=None, project=project, title="Chunking strategies")
    client.force_login(learner)
    html = client.get(reverse("roadmap:project_detail", args=[project.slug])).text
    assert "To learn along the way" in html and "Chunking strategies" in html
    assert "Testing guide" not in html

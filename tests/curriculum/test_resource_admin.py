"""Resources edited as inlines on the competency and project admin pages: what an editor sees
when a row is wrong, and that a saved edit gives the curriculum a new version."""

import pytest

from curriculum.models import MAX_RESOURCES, Competency, CurriculumVersion, Project, Resource
from tests import factories
from tests.admin.helpers import admin_url, inline_prefix, post_data_from

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(factories.StaffFactory(email="root@example.com", is_superuser=True))
    return client


def _page(client, obj):
    url = admin_url(type(obj), "change", obj.pk)
    response = client.get(url)
    assert response.status_code == 200
    return url, post_data_from(response), inline_prefix(response, Resource)


def _row(data, prefix, index, **values):
    row = {
        "position": "0",
        "title": "The Python tutorial",
        "url": "https://docs.python.org/3/tutorial/",
        "kind": "docs",
        "cost": "free",
        "language": "en",
        "minutes": "300",
        "level_from": "0",
        "level_to": "2",
        "note": "The language's own walk through the basics.",
        "checked_on": "2026-12-03",
    }
    row.update(values)
    for key, value in row.items():
        data[f"{prefix}-{index}-{key}"] = value
    total = max(int(data[f"{prefix}-TOTAL_FORMS"]), index + 1)
    data[f"{prefix}-TOTAL_FORMS"] = str(total)


def test_competency_page_saves_a_resource_and_changes_the_curriculum_version(admin_client):
    competency = factories.CompetencyFactory(name="Python")
    url, data, prefix = _page(admin_client, competency)
    before = CurriculumVersion.objects.token()
    _row(data, prefix, 0)

    response = admin_client.post(url, data)

    assert response.status_code == 302
    [resource] = competency.resources.all()
    assert (resource.title, resource.level_from, resource.level_to) == ("The Python tutorial", 0, 2)
    assert str(resource.checked_on) == "2026-12-03"
    assert CurriculumVersion.objects.token() != before


def test_project_page_saves_a_resource(admin_client):
    project = factories.ProjectFactory()
    url, data, prefix = _page(admin_client, project)
    _row(data, prefix, 0, url="https://docs.djangoproject.com/en/stable/intro/tutorial01/")

    assert admin_client.post(url, data).status_code == 302
    assert project.resources.get().url.startswith("https://docs.djangoproject.com/")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"url": "http://docs.python.org/3/"}, "Enter an https:// address."),
        ({"level_from": "3", "level_to": "1"}, "It serves levels from 3 up"),
        ({"level_to": "7"}, "Select a valid choice. 7 is not one of the available choices."),
        ({"minutes": "0"}, "Ensure this value is greater than or equal to 1."),
    ],
)
def test_a_wrong_row_is_refused_with_a_message(admin_client, values, message):
    competency = factories.CompetencyFactory()
    url, data, prefix = _page(admin_client, competency)
    _row(data, prefix, 0, **values)

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Resource.objects.exists()


def test_the_same_url_twice_on_one_competency_is_refused(admin_client):
    competency = factories.CompetencyFactory()
    url, data, prefix = _page(admin_client, competency)
    _row(data, prefix, 0)
    _row(data, prefix, 1, title="Again")

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "This address is already listed (row 1)." in response.content.decode()
    assert not Resource.objects.exists()


def test_the_same_url_on_two_competencies_is_fine():
    a, b = factories.CompetencyFactory(), factories.CompetencyFactory()
    factories.ResourceFactory(competency=a, url="https://docs.python.org/3/")
    factories.ResourceFactory(competency=b, url="https://docs.python.org/3/")
    assert Resource.objects.count() == 2


def test_more_than_the_maximum_is_refused(admin_client):
    competency = factories.CompetencyFactory()
    for n in range(MAX_RESOURCES):
        factories.ResourceFactory(competency=competency, position=n)
    url, data, prefix = _page(admin_client, competency)
    # The page offers no extra row at the maximum; a crafted post adding one is still refused.
    assert int(data[f"{prefix}-TOTAL_FORMS"]) == MAX_RESOURCES
    _row(data, prefix, MAX_RESOURCES, url="https://docs.python.org/3/library/")

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert competency.resources.count() == MAX_RESOURCES


def test_resource_changelist_filters_broken_links(admin_client):
    from django.utils import timezone

    good = factories.ResourceFactory(title="Good one", last_status=200)
    bad = factories.ResourceFactory(title="Gone one", last_status=404)
    factories.ResourceFactory(title="Never checked")
    Resource.objects.filter(pk__in=[good.pk, bad.pk]).update(last_checked_at=timezone.now())

    response = admin_client.get(admin_url(Resource, "changelist") + "?link=broken")

    page = response.content.decode()
    assert "Gone one" in page
    assert "broken (404)" in page
    assert "Good one" not in page
    assert "Never checked" not in page


def test_checkpoint_evidence_choices_are_the_projects_own_builds(admin_client):
    project = factories.ProjectFactory()
    built = factories.CompetencyFactory(name="Built here")
    factories.PathCompetencyFactory(path=project.path, competency=built)
    factories.ProjectCompetencyFactory(project=project, competency=built)
    factories.ProjectCheckpointFactory(project=project)
    factories.CompetencyFactory(name="Elsewhere")

    response = admin_client.get(admin_url(Project, "change", project.pk))

    page = response.content.decode()
    assert "Built here" in page
    assert Competency.objects.filter(name="Elsewhere").exists()
    assert ">Elsewhere<" not in page

"""Every ordered list of the curriculum numbers itself: in admin there is no position to type
(a Move choice instead), a new row goes last, and moves, deletions and moves to another list
leave each list numbered 0, 1, 2, ...; the import numbers what it writes the same way."""

import pytest

from curriculum.models import (
    CareerGoal,
    Competency,
    Path,
    PathCompetency,
    PathTrait,
    Project,
    ProjectCheckpoint,
    Resource,
)
from curriculum.services import positions_renumber
from tests import factories
from tests.admin.helpers import admin_url, inline_prefix, post_data_from

pytestmark = pytest.mark.django_db


def _page(client, model, obj=None):
    url = admin_url(model, "change", obj.pk) if obj else admin_url(model, "add")
    response = client.get(url)
    assert response.status_code == 200
    return url, post_data_from(response), response


def _order(queryset, label="title"):
    return [(getattr(row, label), row.position) for row in queryset.order_by("position", "id")]


def _no_position_field(data):
    assert not [name for name in data if name == "position" or name.endswith("-position")], data


# --- the pure numbering ---------------------------------------------------------------------------
def test_renumber_closes_gaps_and_applies_moves():
    project = factories.ProjectFactory()
    rows = [
        factories.ProjectCheckpointFactory(project=project, title=t, position=p)
        for t, p in (("a", 0), ("b", 0), ("c", 7), ("d", 9))
    ]
    positions_renumber(ProjectCheckpoint, groups=[{"project_id": project.pk}])
    assert _order(project.checkpoints) == [("a", 0), ("b", 1), ("c", 2), ("d", 3)]
    positions_renumber(
        ProjectCheckpoint,
        groups=[{"project_id": project.pk}],
        moves={rows[3].pk: "top", rows[0].pk: "bottom", rows[1].pk: "bogus"},
    )
    assert _order(project.checkpoints) == [("d", 0), ("b", 1), ("c", 2), ("a", 3)]


# --- inlines: traits, checkpoints, resources ------------------------------------------------------
def test_checkpoints_go_last_move_and_renumber_after_a_delete(admin_client):
    project = factories.ProjectFactory()
    for title, position in (("Plan", 3), ("Build", 3), ("Report", 8)):
        factories.ProjectCheckpointFactory(project=project, title=title, position=position)
    url, data, response = _page(admin_client, Project, project)
    _no_position_field(data)
    prefix = inline_prefix(response, ProjectCheckpoint)
    data[f"{prefix}-3-title"] = "Demo"
    data[f"{prefix}-2-move"] = "top"
    assert admin_client.post(url, data).status_code == 302
    assert _order(project.checkpoints) == [("Report", 0), ("Plan", 1), ("Build", 2), ("Demo", 3)]

    url, data, response = _page(admin_client, Project, project)
    data[f"{prefix}-1-DELETE"] = "on"  # Plan
    data[f"{prefix}-3-move"] = "up"  # Demo
    assert admin_client.post(url, data).status_code == 302
    assert _order(project.checkpoints) == [("Report", 0), ("Demo", 1), ("Build", 2)]


def test_traits_are_ordered_by_moves_on_the_path_page(admin_client):
    path = factories.PathFactory()
    for aspect in ("Focus", "Output", "Tools"):
        PathTrait.objects.create(path=path, aspect=aspect, value="x", position=0)
    url, data, response = _page(admin_client, Path, path)
    _no_position_field(data)
    prefix = inline_prefix(response, PathTrait)
    data[f"{prefix}-0-move"] = "bottom"
    assert admin_client.post(url, data).status_code == 302
    assert _order(path.traits, "aspect") == [("Output", 0), ("Tools", 1), ("Focus", 2)]


def test_resources_of_a_competency_go_last_and_move(admin_client):
    competency = factories.CompetencyFactory()
    for n in range(2):
        factories.ResourceFactory(competency=competency, title=f"R{n}", position=5)
    url, data, response = _page(admin_client, Competency, competency)
    _no_position_field(data)
    prefix = inline_prefix(response, Resource)
    new = f"{prefix}-2"
    data.update(
        {
            f"{new}-title": "Newest",
            f"{new}-url": "https://docs.example.org/newest/",
            f"{new}-kind": Resource.Kind.DOCS,
            f"{new}-cost": Resource.Cost.FREE,
            f"{new}-language": "en",
            f"{new}-minutes": "20",
            f"{new}-level_from": "0",
            f"{new}-level_to": "2",
            f"{new}-note": "Short and clear.",
        }
    )
    data[f"{prefix}-1-move"] = "top"
    response = admin_client.post(url, data)
    assert response.status_code == 302, [
        (f.prefix, f.errors)
        for i in response.context["inline_admin_formsets"]
        for f in i.formset
        if f.errors
    ] + [response.context["adminform"].form.errors]
    assert _order(competency.resources) == [("R1", 0), ("R0", 1), ("Newest", 2)]


# --- own pages: paths, projects, career goals, resources ------------------------------------------
def test_a_new_path_goes_last_and_moves_without_a_number(admin_client):
    for name, position in (("Dev", 0), ("Eng", 4)):
        factories.PathFactory(name=name, slug=name.lower(), position=position)
    url, data, _ = _page(admin_client, Path)
    _no_position_field(data)
    data.update(
        {
            "slug": "ops",
            "name": "Ops",
            "summary": "Runs things.",
            "best_fit_when": "You like running things.",
            "is_active": "on",
            "move": "top",
        }
    )
    for key in [k for k in data if k.endswith("TOTAL_FORMS")]:
        data[key] = "0"
    assert admin_client.post(url, data).status_code == 302
    assert _order(Path.objects.all(), "name") == [("Ops", 0), ("Dev", 1), ("Eng", 2)]


def test_a_project_moved_to_another_path_goes_last_there_and_both_renumber(admin_client):
    dev, eng = factories.PathFactory(), factories.PathFactory()
    a, b, c = (factories.ProjectFactory(path=dev, name=n, position=i) for i, n in enumerate("abc"))
    factories.ProjectFactory(path=eng, name="z", position=0)
    url, data, _ = _page(admin_client, Project, b)
    _no_position_field(data)
    data["path"] = str(eng.pk)
    assert admin_client.post(url, data).status_code == 302
    assert _order(dev.projects, "name") == [("a", 0), ("c", 1)]
    assert _order(eng.projects, "name") == [("z", 0), ("b", 1)]

    url, data, _ = _page(admin_client, Project, c)
    data["move"] = "up"
    assert admin_client.post(url, data).status_code == 302
    assert _order(dev.projects, "name") == [("c", 0), ("a", 1)]


def test_deleting_a_project_renumbers_its_path(admin_client):
    path = factories.PathFactory()
    first, *_ = (factories.ProjectFactory(path=path, name=n, position=0) for n in "abc")
    url = admin_url(Project, "delete", first.pk)
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert _order(path.projects, "name") == [("b", 0), ("c", 1)]


def test_career_goals_go_last_and_bulk_delete_renumbers(admin_client):
    path = factories.PathFactory()
    goals = [
        CareerGoal.objects.create(
            slug=f"g{n}", label=f"G{n}", recommended_path=path, reason="r", position=n * 3
        )
        for n in range(3)
    ]
    url, data, _ = _page(admin_client, CareerGoal)
    _no_position_field(data)
    data.update({"slug": "new", "label": "New", "recommended_path": str(path.pk), "reason": "r"})
    assert admin_client.post(url, data).status_code == 302
    # after the last, and the list numbered densely
    expected = [("G0", 0), ("G1", 1), ("G2", 2), ("New", 3)]
    assert _order(CareerGoal.objects.all(), "label") == expected
    changelist = admin_url(CareerGoal, "changelist")
    response = admin_client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [goals[1].pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert _order(CareerGoal.objects.all(), "label") == [("G0", 0), ("G2", 1), ("New", 2)]


def test_a_resource_moved_to_another_owner_goes_last_there(admin_client):
    first, second = factories.CompetencyFactory(), factories.CompetencyFactory()
    moving = factories.ResourceFactory(competency=first, title="Moving", position=0)
    factories.ResourceFactory(competency=first, title="Stays", position=1)
    factories.ResourceFactory(competency=second, title="There", position=0)
    url, data, _ = _page(admin_client, Resource, moving)
    _no_position_field(data)
    data["competency"] = str(second.pk)
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert _order(first.resources) == [("Stays", 0)]
    assert _order(second.resources) == [("There", 0), ("Moving", 1)]


def test_path_competency_admin_has_no_position_to_type(admin_client):
    pc = factories.PathCompetencyFactory()
    _, data, _ = _page(admin_client, PathCompetency, pc)
    _no_position_field(data)


# --- the import -----------------------------------------------------------------------------------
def test_import_numbers_every_list_it_writes_densely():
    from curriculum.services import curriculum_import
    from tests.curriculum.helpers import MINI

    dev = factories.PathFactory(slug="dev", name="Developer")
    # rows the file does not list keep their place, and the file's rows are numbered after them
    factories.ProjectFactory(path=dev, slug="kept", name="Kept", position=0)
    path_goal = CareerGoal.objects.create(
        slug="kept-goal", label="Kept goal", recommended_path=dev, reason="r", position=0
    )
    curriculum_import(data_text=MINI, source_name="mini.yaml")

    for path in Path.objects.all():
        positions = [p.position for p in path.projects.order_by("position", "name", "id")]
        assert positions == list(range(len(positions))), path
        pcs = [pc.position for pc in path.path_competencies.order_by("position", "id")]
        assert pcs == list(range(len(pcs)))
    assert _order(Project.objects.get(slug="chatbot").checkpoints) == [
        ("Prompt set", 0),
        ("Demo", 1),
    ]
    goals = [g.position for g in CareerGoal.objects.order_by("position", "id")]
    assert goals == [0, 1, 2] and path_goal.slug in CareerGoal.objects.values_list(
        "slug", flat=True
    )
    # importing the same file again changes nothing
    assert not curriculum_import(data_text=MINI, source_name="mini.yaml").has_changes

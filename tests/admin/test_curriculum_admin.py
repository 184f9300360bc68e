"""What a curriculum editor sees when an edit is wrong: a message on the page, nothing saved."""

from django.utils import timezone

from curriculum.models import (
    Competency,
    LevelDescriptor,
    Path,
    PathCompetency,
    Project,
    ProjectCompetency,
)
from tests import factories
from tests.admin.helpers import admin_url, inline_prefix, post_data_from


def _page(client, model, obj=None):
    url = admin_url(model, "change", obj.pk) if obj else admin_url(model, "add")
    response = client.get(url)
    assert response.status_code == 200
    return url, post_data_from(response), response


# --- prerequisites


def test_prerequisite_cycle_is_named_and_nothing_saved(admin_client):
    path = factories.PathFactory(name="AI Developer")
    rag = factories.ProjectFactory(path=path, name="RAG app")
    dashboard = factories.ProjectFactory(path=path, name="Eval dashboard")
    dashboard.prerequisites.add(rag)
    url, data, _ = _page(admin_client, Project, rag)
    data["prerequisites"] = [str(dashboard.pk)]
    data["summary"] = "Changed"

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "RAG app -&gt; Eval dashboard -&gt; RAG app" in response.content.decode()
    rag.refresh_from_db()
    assert list(rag.prerequisites.all()) == []
    assert rag.summary != "Changed"


def test_longer_cycle_through_other_projects_is_refused(admin_client):
    path = factories.PathFactory()
    a, b, c = (factories.ProjectFactory(path=path, name=n) for n in ("Alpha", "Beta", "Gamma"))
    b.prerequisites.add(a)
    c.prerequisites.add(b)
    url, data, _ = _page(admin_client, Project, a)
    data["prerequisites"] = [str(c.pk)]

    response = admin_client.post(url, data)

    assert "Alpha -&gt; Gamma -&gt; Beta -&gt; Alpha" in response.content.decode()
    assert not a.prerequisites.exists()


def test_project_cannot_be_its_own_prerequisite(admin_client):
    path = factories.PathFactory()
    project = factories.ProjectFactory(path=path, name="RAG app")
    url, data, _ = _page(admin_client, Project, project)
    data["prerequisites"] = [str(project.pk)]

    response = admin_client.post(url, data)

    assert "RAG app cannot be its own prerequisite." in response.content.decode()
    assert not project.prerequisites.exists()


def test_a_cycle_elsewhere_does_not_block_an_unrelated_project(admin_client):
    path = factories.PathFactory()
    x, y = (
        factories.ProjectFactory(path=path, name="X"),
        factories.ProjectFactory(path=path, name="Y"),
    )
    x.prerequisites.add(y)
    y.prerequisites.add(x)  # as a bad import could leave it
    a, b = (
        factories.ProjectFactory(path=path, name="Alpha"),
        factories.ProjectFactory(path=path, name="Beta"),
    )
    url, data, _ = _page(admin_client, Project, a)
    data["prerequisites"] = [str(b.pk)]

    assert admin_client.post(url, data).status_code == 302
    assert list(a.prerequisites.all()) == [b]


def test_acyclic_prerequisites_save(admin_client):
    path = factories.PathFactory()
    a = factories.ProjectFactory(path=path, name="Alpha")
    b = factories.ProjectFactory(path=path, name="Beta")
    c = factories.ProjectFactory(path=path, name="Gamma")
    b.prerequisites.add(a)
    url, data, _ = _page(admin_client, Project, c)
    data["prerequisites"] = [str(a.pk), str(b.pk)]

    response = admin_client.post(url, data)

    assert response.status_code == 302
    assert set(c.prerequisites.all()) == {a, b}


def test_a_prerequisite_from_another_path_is_refused_with_its_path(admin_client):
    dev = factories.PathFactory(name="AI Developer")
    eng = factories.PathFactory(name="AI Engineer")
    rag = factories.ProjectFactory(path=dev, name="RAG app")
    chatbot = factories.ProjectFactory(path=dev, name="Chatbot")
    evals = factories.ProjectFactory(path=eng, name="Eval dashboard")
    url, data, _ = _page(admin_client, Project, rag)
    data["prerequisites"] = [str(chatbot.pk), str(evals.pk)]

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert (
        "Prerequisites come from the project&#x27;s own path (AI Developer); these are on "
        "another path: Eval dashboard (AI Engineer)." in response.content.decode()
    )
    assert not rag.prerequisites.exists()
    data["prerequisites"] = [str(chatbot.pk)]
    assert admin_client.post(url, data).status_code == 302
    assert list(rag.prerequisites.all()) == [chatbot]


# --- what a project builds


def test_project_cannot_build_a_competency_outside_its_path(admin_client):
    path = factories.PathFactory(name="AI Developer")
    kubernetes = factories.CompetencyFactory(name="Kubernetes")
    project = factories.ProjectFactory(path=path)
    url, data, response = _page(admin_client, Project, project)
    prefix = inline_prefix(response, ProjectCompetency)
    data[f"{prefix}-0-competency"] = str(kubernetes.pk)
    data[f"{prefix}-0-builds_to_level"] = "2"

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert (
        "Kubernetes is not a competency of the AI Developer path; add it to the path first."
        in response.content.decode()
    )
    assert not ProjectCompetency.objects.exists()


def test_project_cannot_build_a_retired_competency(admin_client):
    path = factories.PathFactory(name="AI Developer")
    old = factories.PathCompetencyFactory(path=path, retired_at=timezone.now()).competency
    project = factories.ProjectFactory(path=path)
    url, data, response = _page(admin_client, Project, project)
    prefix = inline_prefix(response, ProjectCompetency)
    data[f"{prefix}-0-competency"] = str(old.pk)
    data[f"{prefix}-0-builds_to_level"] = "2"

    response = admin_client.post(url, data)

    assert f"{old.name} is retired from the AI Developer path" in response.content.decode()
    assert not ProjectCompetency.objects.exists()


def test_moving_a_project_to_another_path_rechecks_what_it_builds(admin_client):
    path = factories.PathFactory(name="AI Developer")
    other = factories.PathFactory(name="ML Engineer")
    built = factories.PathCompetencyFactory(path=path).competency
    project = factories.ProjectFactory(path=path)
    factories.ProjectCompetencyFactory(project=project, competency=built)
    url, data, _ = _page(admin_client, Project, project)
    data["path"] = str(other.pk)

    response = admin_client.post(url, data)

    assert "is not a competency of the ML Engineer path" in response.content.decode()
    project.refresh_from_db()
    assert project.path == path


def test_project_builds_a_path_competency_and_a_checkpoint(admin_client):
    path = factories.PathFactory()
    competency = factories.PathCompetencyFactory(path=path).competency
    project = factories.ProjectFactory(path=path)
    url, data, response = _page(admin_client, Project, project)
    prefix = inline_prefix(response, ProjectCompetency)
    data[f"{prefix}-0-competency"] = str(competency.pk)
    data[f"{prefix}-0-builds_to_level"] = "3"
    checkpoints = inline_prefix(response, project.checkpoints.model)
    data[f"{checkpoints}-0-title"] = "Retrieval evaluation notebook"
    data[f"{checkpoints}-0-position"] = "1"

    response = admin_client.post(url, data)

    assert response.status_code == 302
    assert project.builds.get().builds_to_level == 3
    assert project.checkpoints.get().title == "Retrieval evaluation notebook"


def test_build_level_off_scale_shows_on_the_row(admin_client):
    path = factories.PathFactory()
    competency = factories.PathCompetencyFactory(path=path).competency
    project = factories.ProjectFactory(path=path)
    url, data, response = _page(admin_client, Project, project)
    prefix = inline_prefix(response, ProjectCompetency)
    data[f"{prefix}-0-competency"] = str(competency.pk)
    data[f"{prefix}-0-builds_to_level"] = "0"

    response = admin_client.post(url, data)

    assert response.status_code == 200
    formset = next(
        f.formset for f in response.context["inline_admin_formsets"] if f.formset.prefix == prefix
    )
    assert "builds_to_level" in formset.forms[0].errors
    assert not ProjectCompetency.objects.exists()


# --- level descriptors


def test_competency_page_offers_a_row_for_every_missing_level(admin_client):
    competency = factories.CompetencyFactory()
    factories.LevelDescriptorFactory(competency=competency, level=2)
    _, _, response = _page(admin_client, Competency, competency)
    formset = next(
        f.formset
        for f in response.context["inline_admin_formsets"]
        if f.formset.model is LevelDescriptor
    )
    levels = [
        form.instance.level if form.instance.pk else form.initial["level"] for form in formset
    ]
    assert sorted(levels) == [0, 1, 2, 3, 4]


def test_new_competency_with_all_five_descriptors(admin_client):
    url, data, response = _page(admin_client, Competency)
    prefix = inline_prefix(response, LevelDescriptor)
    data.update(slug="rag", name="RAG", kind="skill")
    for i in range(5):
        data[f"{prefix}-{i}-description"] = f"Observable behaviour {data[f'{prefix}-{i}-level']}"

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.context["errors"]
    rag = Competency.objects.get(slug="rag")
    assert list(rag.descriptors.values_list("level", flat=True)) == [0, 1, 2, 3, 4]


def test_two_descriptors_for_one_level_is_an_error_on_the_row(admin_client):
    competency = factories.CompetencyFactory()
    url, data, response = _page(admin_client, Competency, competency)
    prefix = inline_prefix(response, LevelDescriptor)
    data[f"{prefix}-0-level"] = "2"
    data[f"{prefix}-0-description"] = "First"
    data[f"{prefix}-1-level"] = "2"
    data[f"{prefix}-1-description"] = "Second"

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "Level 2 (Working) is described twice" in response.content.decode()
    assert not LevelDescriptor.objects.exists()


def test_descriptor_level_off_scale_shows_on_the_row(admin_client):
    competency = factories.CompetencyFactory()
    url, data, response = _page(admin_client, Competency, competency)
    prefix = inline_prefix(response, LevelDescriptor)
    data[f"{prefix}-0-level"] = "7"
    data[f"{prefix}-0-description"] = "Beyond expert"

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "Select a valid choice. 7 is not one of the available choices." in (
        response.content.decode()
    )
    assert not LevelDescriptor.objects.exists()


def test_edited_descriptor_is_stored_and_shown(admin_client):
    competency = factories.CompetencyFactory(name="RAG")
    descriptor = factories.LevelDescriptorFactory(competency=competency, level=3)
    url, data, response = _page(admin_client, Competency, competency)
    prefix = inline_prefix(response, LevelDescriptor)
    row = next(i for i in range(5) if data.get(f"{prefix}-{i}-id") == str(descriptor.pk))
    data[f"{prefix}-{row}-description"] = "Has shipped a RAG feature with retrieval evaluation."

    response = admin_client.post(url, data, follow=True)

    assert "was changed successfully" in response.content.decode()
    descriptor.refresh_from_db()
    assert descriptor.description == "Has shipped a RAG feature with retrieval evaluation."
    page = admin_client.get(url).content.decode()
    assert "Has shipped a RAG feature with retrieval evaluation." in page


# --- path competencies: levels, weights, retiring


def _path_competency_row(admin_client, path):
    url, data, response = _page(admin_client, Path, path)
    return url, data, inline_prefix(response, PathCompetency)


def test_weight_and_target_out_of_range_show_on_the_row(admin_client):
    pc = factories.PathCompetencyFactory()
    url, data, prefix = _path_competency_row(admin_client, pc.path)
    data[f"{prefix}-0-weight"] = "11"
    data[f"{prefix}-0-target_level"] = "0"

    response = admin_client.post(url, data)

    assert response.status_code == 200
    content = response.content.decode()
    assert "Ensure this value is less than or equal to 10." in content
    assert "Select a valid choice. 0 is not one of the available choices." in content
    pc.refresh_from_db()
    assert (pc.weight, pc.target_level) == (3, 3)


def test_retiring_and_unretiring_in_the_path_inline(admin_client):
    pc = factories.PathCompetencyFactory()
    url, data, prefix = _path_competency_row(admin_client, pc.path)
    data[f"{prefix}-0-retired"] = "on"
    assert admin_client.post(url, data).status_code == 302
    pc.refresh_from_db()
    assert pc.retired_at is not None
    assert not PathCompetency.objects.current().exists()

    url, data, prefix = _path_competency_row(admin_client, pc.path)
    assert data[f"{prefix}-0-retired"] == "on"
    del data[f"{prefix}-0-retired"]
    assert admin_client.post(url, data).status_code == 302
    pc.refresh_from_db()
    assert pc.retired_at is None


def test_path_inline_offers_no_delete(admin_client):
    pc = factories.PathCompetencyFactory()
    _, _, response = _page(admin_client, Path, pc.path)
    formset = next(
        f.formset
        for f in response.context["inline_admin_formsets"]
        if f.formset.model is PathCompetency
    )
    assert formset.can_delete is False


def test_retire_and_unretire_actions(admin_client):
    rows = factories.PathCompetencyFactory.create_batch(3)
    url = admin_url(PathCompetency, "changelist")
    ids = [str(r.pk) for r in rows[:2]]

    response = admin_client.post(url, {"action": "retire", "_selected_action": ids}, follow=True)
    assert "Retired 2 path competencies." in response.content.decode()
    assert PathCompetency.objects.current().get() == rows[2]

    response = admin_client.post(url, {"action": "unretire", "_selected_action": ids}, follow=True)
    assert "Un-retired 2 path competencies." in response.content.decode()
    assert PathCompetency.objects.current().count() == 3


# --- deleting


def test_deleting_a_rated_competency_is_refused_with_the_reason(admin_client):
    competency = factories.CompetencyFactory(name="Prompt design")
    factories.RatingFactory.create_batch(3, competency=competency)
    url = admin_url(Competency, "delete", competency.pk)

    page = admin_client.get(url)
    assert page.status_code == 200
    assert "learners have rated it 3 times" in page.content.decode()
    response = admin_client.post(url, {"post": "yes"})

    assert response.status_code == 200
    assert "retire it from its paths instead" in response.content.decode()
    assert Competency.objects.filter(pk=competency.pk).exists()


def test_bulk_delete_of_rated_competency_is_refused(admin_client):
    rated = factories.RatingFactory().competency
    unrated = factories.CompetencyFactory()
    response = admin_client.post(
        admin_url(Competency, "changelist"),
        {"action": "delete_selected", "_selected_action": [rated.pk, unrated.pk], "post": "yes"},
    )
    assert response.status_code == 200
    assert "learners have rated it 1 time." in response.content.decode()
    assert Competency.objects.count() == 2


def test_unrated_competency_can_be_deleted(admin_client):
    competency = factories.CompetencyFactory()
    factories.LevelDescriptorFactory(competency=competency)
    response = admin_client.post(admin_url(Competency, "delete", competency.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Competency.objects.exists()


# --- placing competencies on paths without typing positions


def _names_in_order(path):
    rows = PathCompetency.objects.filter(path=path).order_by("position")
    return [(pc.competency.name, pc.position) for pc in rows]


def test_competency_is_put_on_a_path_from_its_own_page_at_the_end(admin_client):
    path = factories.PathFactory(name="AI Developer")
    for name in ("Python", "Prompting"):
        factories.PathCompetencyFactory(
            path=path, competency=factories.CompetencyFactory(name=name), position=4
        )
    evals = factories.CompetencyFactory(name="Evaluation")
    url, data, response = _page(admin_client, Competency, evals)
    prefix = inline_prefix(response, PathCompetency)
    assert f"{prefix}-0-position" not in data  # no number to type
    data[f"{prefix}-0-path"] = str(path.pk)
    data[f"{prefix}-0-target_level"] = "3"
    data[f"{prefix}-0-weight"] = "7"

    assert admin_client.post(url, data).status_code == 302

    assert _names_in_order(path) == [("Python", 0), ("Prompting", 1), ("Evaluation", 2)]
    assert PathCompetency.objects.get(competency=evals).weight == 7


def test_moves_on_the_path_page_renumber_the_list(admin_client):
    path = factories.PathFactory()
    for name in ("A", "B", "C"):
        factories.PathCompetencyFactory(
            path=path, competency=factories.CompetencyFactory(name=name), position=0
        )
    url, data, response = _page(admin_client, Path, path)
    prefix = inline_prefix(response, PathCompetency)
    assert f"{prefix}-0-position" not in data
    data[f"{prefix}-2-move"] = "top"

    assert admin_client.post(url, data).status_code == 302
    assert _names_in_order(path) == [("C", 0), ("A", 1), ("B", 2)]

    url, data, response = _page(admin_client, Path, path)
    data[f"{prefix}-0-move"] = "down"
    admin_client.post(url, data)
    assert _names_in_order(path) == [("A", 0), ("C", 1), ("B", 2)]


def test_inline_fields_are_labelled_for_screen_readers(admin_client):
    pc = factories.PathCompetencyFactory()
    project = factories.ProjectFactory(path=pc.path)
    factories.ProjectCompetencyFactory(project=project, competency=pc.competency)
    for obj in (pc.competency, project, pc.path):
        _, _, response = _page(admin_client, type(obj), obj)
        for inline in response.context["inline_admin_formsets"]:
            for form in [*inline.formset.forms, inline.formset.empty_form]:
                for bound in form:
                    if not bound.is_hidden:
                        widget = getattr(bound.field.widget, "widget", bound.field.widget)
                        label = widget.attrs.get("aria-label", "")
                        assert label.startswith(str(bound.label or "Delete")), (obj, bound.name)
    assert f'aria-label="Weight, {pc}"' in response.content.decode()


def test_competency_and_project_pages_link_to_what_a_learner_sees(admin_client):
    pc = factories.PathCompetencyFactory(path__name="AI Developer")
    project = factories.ProjectFactory(path=pc.path)

    _, _, response = _page(admin_client, Competency, pc.competency)
    assert f'href="{pc.path.get_absolute_url()}"' in response.content.decode()
    assert "View as a learner sees it" in response.content.decode()
    _, _, response = _page(admin_client, Project, project)
    assert f'href="{project.get_absolute_url()}"' in response.content.decode()
    assert admin_client.get(project.get_absolute_url()).status_code == 200

"""Plan generation caches the planner's input per curriculum version: every curriculum change
(admin pages, admin actions, the import) shows up in the next generated plan."""

import pytest

from curriculum.models import CurriculumVersion, Path, PathCompetency, Project
from curriculum.services import curriculum_import
from roadmap.models import Plan
from roadmap.services.plans import (
    item_milestones,
    path_checkpoints,
    plan_generate,
    planner_inputs,
)
from tests import factories
from tests.admin.helpers import admin_url, inline_prefix, post_data_from
from tests.curriculum.helpers import MINI
from tests.factories_plans import curriculum_with_gaps

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(factories.StaffFactory(email="root@example.com", is_superuser=True))
    return client


def _planned(plan):
    return {item.project_id: item for item in plan.items.all()}


def _milestone_titles(item):
    return {m.checkpoint.title for m in item_milestones(item, path_checkpoints(item.plan.path_id))}


def test_unchanged_curriculum_is_read_once(django_assert_num_queries):
    learner = factories.LearnerFactory()
    path, _c, _p = curriculum_with_gaps(learner)
    first = planner_inputs(path)
    with django_assert_num_queries(1):  # the version token only
        assert planner_inputs(path) is first


def test_admin_edit_of_a_project_and_its_checkpoints_shows_in_the_next_plan(admin_client):
    learner = factories.LearnerFactory()
    path, _c, projects = curriculum_with_gaps(learner, projects=1, competencies=1)
    project = projects[0]
    plan = plan_generate(learner=learner, path=path)
    item = _planned(plan)[project.pk]
    assert (item.planned_end - item.planned_start).days < 30

    url = admin_url(Project, "change", project.pk)
    response = admin_client.get(url)
    data = post_data_from(response)
    data["estimated_hours"] = "200"
    prefix = inline_prefix(response, project.checkpoints.model)
    data[f"{prefix}-0-title"] = "Renamed in admin"
    assert admin_client.post(url, data).status_code == 302

    plan = plan_generate(learner=learner, path=path)
    item = _planned(plan)[project.pk]
    assert (item.planned_end - item.planned_start).days > 30
    assert "Renamed in admin" in _milestone_titles(item)


def test_admin_retire_action_shows_in_the_next_plan(admin_client):
    learner = factories.LearnerFactory()
    path, comps, projects = curriculum_with_gaps(learner, projects=2, competencies=2)
    assert set(_planned(plan_generate(learner=learner, path=path))) == {p.pk for p in projects}

    retired = PathCompetency.objects.get(path=path, competency=comps[0])
    response = admin_client.post(
        admin_url(PathCompetency, "changelist"),
        {"action": "retire", "_selected_action": [retired.pk]},
    )
    assert response.status_code == 302

    # projects[0] only closed the retired competency's gap: no longer planned.
    assert set(_planned(plan_generate(learner=learner, path=path))) == {projects[1].pk}


def test_admin_delete_of_a_project_shows_in_the_next_plan(admin_client):
    learner = factories.LearnerFactory()
    path, _c, projects = curriculum_with_gaps(learner, projects=2, competencies=2)
    plan_generate(learner=learner, path=path)
    # A project with plan items is protected.
    Plan.objects.filter(learner=learner).delete()

    response = admin_client.post(admin_url(Project, "delete", projects[0].pk), {"post": "yes"})
    assert response.status_code == 302

    assert set(_planned(plan_generate(learner=learner, path=path))) == {projects[1].pk}


def test_import_shows_in_the_next_plan():
    curriculum_import(data_text=MINI, source_name="mini.yaml")
    path = Path.objects.get(slug="dev")
    learner = factories.LearnerFactory(target_path=path)
    plan = plan_generate(learner=learner, path=path)
    chatbot = Project.objects.get(slug="chatbot")
    before = _planned(plan)[chatbot.pk]
    token = CurriculumVersion.objects.token()

    curriculum_import(
        data_text=MINI.replace("estimated_hours: 10\n", "estimated_hours: 300\n", 1).replace(
            "title: Prompt set", "title: Prompt library"
        ),
        source_name="mini.yaml",
    )

    assert CurriculumVersion.objects.token() != token
    after = _planned(plan_generate(learner=learner, path=path))[chatbot.pk]
    assert after.planned_end - after.planned_start > before.planned_end - before.planned_start
    assert "Prompt library" in _milestone_titles(after)

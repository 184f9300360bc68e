"""Staff who are not superusers work through the groups the data migration creates."""

import pytest
from django.contrib.auth.models import Group

from accounts.models import Cohort, User
from curriculum.models import Competency, LevelDescriptor, Path, Project
from roadmap.models import Rating
from tests import factories
from tests.admin.helpers import admin_url, inline_prefix, post_data_from


def _staff_in(client, group_name):
    staff = factories.StaffFactory()
    staff.groups.add(Group.objects.get(name=group_name))
    client.force_login(staff)
    return staff


def test_curriculum_editor_edits_descriptors_but_not_people(client, db):
    _staff_in(client, "Curriculum editors")
    competency = factories.CompetencyFactory()
    url = admin_url(Competency, "change", competency.pk)
    response = client.get(url)
    assert response.status_code == 200
    data = post_data_from(response)
    prefix = inline_prefix(response, LevelDescriptor)
    data[f"{prefix}-0-description"] = "Can explain what an embedding is."

    assert client.post(url, data).status_code == 302
    assert competency.descriptors.get().description == "Can explain what an embedding is."
    for model in (Path, Project):
        assert client.get(admin_url(model, "add")).status_code == 200
    for model in (User, Cohort, Rating):
        assert client.get(admin_url(model, "changelist")).status_code == 403


def test_cohort_manager_creates_cohorts_and_only_views_people(client, db):
    _staff_in(client, "Cohort managers")
    learner = factories.LearnerFactory()
    assert client.get(admin_url(Cohort, "add")).status_code == 200
    assert client.get(admin_url(User, "changelist")).status_code == 200
    assert client.get(admin_url(Rating, "changelist")).status_code == 200
    response = client.get(admin_url(User, "change", learner.pk))
    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    assert client.get(admin_url(User, "add")).status_code == 403
    assert client.get(admin_url(Competency, "changelist")).status_code == 403


@pytest.mark.parametrize("name", ["Curriculum editors", "Cohort managers"])
def test_groups_exist_after_migrate(db, name):
    assert Group.objects.get(name=name).permissions.exists()

"""Resource edits reach the learner's "what changed in the curriculum" notice: the dashboard's
snapshot counts each competency's resources, and older snapshots without counts stay quiet."""

from datetime import UTC, datetime

import pytest

from curriculum.services import curriculum_changed
from roadmap.lib.progress import curriculum_changes, requirements_snapshot
from roadmap.models import CurriculumSnapshot
from tests import factories
from tests.admin.helpers import admin_url, inline_prefix, post_data_from
from tests.factories_progress import path_with_competencies

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
URL = "/dashboard/"


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def learner(db):
    path, competencies = path_with_competencies(2, slug="ai-developer", name="AI Developer")
    learner = factories.LearnerFactory(target_path=path)
    learner.competencies = competencies
    return learner


def test_a_change_in_resource_count_is_listed():
    old = requirements_snapshot([(1, "Python", 3, 5, 2), (2, "SQL", 2, 3, 1)])
    new = requirements_snapshot([(1, "Python", 3, 5, 3), (2, "SQL", 2, 3, 1)])
    changes = [(c.kind, c.competency_id, c.before, c.after) for c in curriculum_changes(old, new)]
    assert changes == [("resources", 1, 2, 3)]


def test_a_snapshot_from_before_resources_does_not_report_them():
    old = requirements_snapshot([(1, "Python", 3, 5)])
    new = requirements_snapshot([(1, "Python", 3, 5, 3)])
    assert old == {"1": ["Python", 3, 5]}
    assert curriculum_changes(old, new) == []


def test_dashboard_notice_lists_a_resource_added_in_admin(client, learner):
    python, _ = learner.competencies
    client.force_login(learner)
    assert "changed since your last visit" not in client.get(URL).text
    snapshot = CurriculumSnapshot.objects.get(learner=learner)
    assert snapshot.requirements[str(python.pk)][3] == 0

    editor = factories.StaffFactory(email="editor@example.com", is_superuser=True)
    client.force_login(editor)
    url = admin_url(type(python), "change", python.pk)
    response = client.get(url)
    data, prefix = post_data_from(response), inline_prefix(response, python.resources.model)
    for key, value in {
        "title": "The Python tutorial",
        "url": "https://docs.python.org/3/tutorial/",
        "kind": "docs",
        "cost": "free",
        "language": "en",
        "minutes": "300",
        "level_from": "0",
        "level_to": "2",
        "note": "The language's own tour.",
        "position": "0",
    }.items():
        data[f"{prefix}-0-{key}"] = value
    assert client.post(url, data).status_code == 302

    client.force_login(learner)
    html = client.get(URL).text
    assert "changed since your last visit" in html
    assert (
        f"The learning resources for <strong>{python.name}</strong> changed: 1 now, 0 before."
        in html
    )
    # Shown once.
    assert "changed since your last visit" not in client.get(URL).text


def test_curriculum_changed_alone_without_resource_edits_shows_nothing(client, learner):
    client.force_login(learner)
    client.get(URL)
    curriculum_changed()
    assert "changed since your last visit" not in client.get(URL).text

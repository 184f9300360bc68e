"""A staff member uploads a curriculum file in admin, reads what it would change, confirms; the
curriculum admin pages pass axe (no serious or critical violations) along the way."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from curriculum.curriculum_file import DEFAULT_FILE
from curriculum.models import CareerGoal, Competency, Path, Project, Resource
from tests import factories
from tests.curriculum.helpers import MINI
from tests.e2e.axe import axe_violations

pytestmark = pytest.mark.browser


def _log_in(page, live_server, staff):
    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", staff.email)
    page.fill("#id_password", factories.PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_contain_text("Gapmap administration")


def test_staff_uploads_a_curriculum_reads_the_diff_and_confirms(live_server, page, tmp_path):
    call_command("import_curriculum", str(DEFAULT_FILE), stdout=StringIO())
    staff = factories.StaffFactory(email="admin@example.com", is_superuser=True)
    source = tmp_path / "mini.yaml"
    source.write_text(MINI)
    _log_in(page, live_server, staff)
    assert axe_violations(page) == []
    favicon = page.locator("link[rel=icon]")
    expect(favicon).to_have_attribute("href", "/static/favicon.svg")

    page.get_by_role("link", name="Import a curriculum file").click()
    expect(page.locator("#content h1")).to_have_text("Import a curriculum file")
    assert axe_violations(page) == []
    page.get_by_label("Curriculum file (YAML)").set_input_files(str(source))
    page.get_by_role("button", name="Preview the changes").click()

    expect(page.locator("#preview-heading")).to_have_text("What importing mini.yaml would change")
    expect(page.get_by_role("table", name="Paths: 2 added")).to_be_visible()
    expect(page.locator("#would-go")).to_contain_text("paths: ai-developer")
    assert axe_violations(page) == []
    assert not Path.objects.filter(slug="dev").exists()  # nothing yet

    page.get_by_role("button", name="Import mini.yaml").click()

    expect(page.locator(".messagelist .success")).to_contain_text("Imported mini.yaml")
    assert set(Path.objects.active().values_list("slug", flat=True)) >= {
        "dev",
        "eng",
        "ai-developer",
    }

    # Uploading the same file again: nothing left to change.
    page.goto(f"{live_server.url}/curriculum/file/import/")
    page.get_by_label("Curriculum file (YAML)").set_input_files(str(source))
    page.get_by_role("button", name="Preview the changes").click()
    expect(page.locator("#import-summary")).to_contain_text("No changes")


def test_curriculum_admin_pages_pass_axe(live_server, page):
    call_command("import_curriculum", str(DEFAULT_FILE), stdout=StringIO())
    staff = factories.StaffFactory(email="admin@example.com", is_superuser=True)
    competency = Competency.objects.get(slug="python")
    project = Project.objects.filter(is_active=True).first()
    path = Path.objects.get(slug="ai-developer")
    _log_in(page, live_server, staff)

    for url in [
        f"/admin/curriculum/competency/{competency.pk}/change/",
        f"/admin/curriculum/project/{project.pk}/change/",
        f"/admin/curriculum/path/{path.pk}/change/",
        # the pages whose positions became Move choices
        f"/admin/curriculum/careergoal/{CareerGoal.objects.first().pk}/change/",
        f"/admin/curriculum/resource/{Resource.objects.first().pk}/change/",
        "/admin/curriculum/path/add/",
        "/admin/curriculum/",
    ]:
        page.goto(live_server.url + url)
        expect(page.locator("#content h1")).to_be_visible()
        assert axe_violations(page) == [], url
    page.goto(f"{live_server.url}/admin/curriculum/project/{project.pk}/change/")
    page.get_by_role("link", name="View as a learner sees it").click()
    expect(page.locator("h1")).to_contain_text(project.name)

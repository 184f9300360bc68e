"""A staff editor changes a level descriptor in Django admin, in a real browser, under the strict
CSP: no console errors and no CSP violations on the admin pages an editor uses."""

import pytest
from playwright.sync_api import expect

from curriculum.models import LevelDescriptor
from tests import factories

pytestmark = pytest.mark.browser


def test_staff_edits_a_level_descriptor_in_admin(live_server, page):
    path = factories.PathFactory(slug="ai-developer", name="AI Developer")
    competency = factories.CompetencyFactory(name="RAG application building")
    factories.PathCompetencyFactory(path=path, competency=competency)
    descriptor = factories.LevelDescriptorFactory(
        competency=competency, level=3, description="Knows RAG well."
    )
    project = factories.ProjectFactory(path=path, name="Document Q&A app")
    factories.ProjectCompetencyFactory(project=project, competency=competency)
    cohort = factories.CohortFactory(path=path)
    factories.CohortMembershipFactory(cohort=cohort)
    staff = factories.StaffFactory(email="admin@example.com", is_superuser=True)

    problems: list[str] = []

    def on_console(msg):
        # The site has no favicon yet; the browser's automatic request for it is not ours.
        if msg.type in {"error", "warning"} and "favicon" not in msg.location.get("url", ""):
            problems.append(f"{msg.type}: {msg.text} ({msg.location.get('url')})")

    page.on("console", on_console)
    # Chromium also logs CSP violations to the console; this names the directive for the report.
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))

    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", staff.email)
    page.fill("#id_password", factories.PASSWORD)
    page.click("input[type=submit]")
    expect(page.locator("#site-name")).to_contain_text("Gapmap administration")

    # The pages with the admin's JavaScript an editor relies on: inlines with "add another",
    # autocomplete (select2), the two-box prerequisite picker, prepopulated slugs.
    for url in [
        f"/admin/curriculum/path/{path.pk}/change/",
        f"/admin/curriculum/project/{project.pk}/change/",
        f"/admin/accounts/cohort/{cohort.pk}/change/",
        "/admin/curriculum/competency/add/",
    ]:
        page.goto(live_server.url + url)
        expect(page.locator("#content h1")).to_be_visible()
    expect(page.locator("#id_prerequisites_from")).to_have_count(0)  # on the competency page

    page.goto(f"{live_server.url}/admin/curriculum/competency/")
    page.get_by_role("link", name="RAG application building").click()
    textarea = page.locator("textarea[name='descriptors-0-description']")
    expect(textarea).to_have_value("Knows RAG well.")
    textarea.fill("Has shipped a RAG feature with retrieval evaluation.")
    page.click("input[name='_save']")

    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
    descriptor.refresh_from_db()
    assert descriptor.description == "Has shipped a RAG feature with retrieval evaluation."
    assert LevelDescriptor.objects.filter(competency=competency).count() == 1
    assert problems == []

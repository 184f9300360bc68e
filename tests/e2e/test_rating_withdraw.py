"""A learner opens a rated row's disclosure, sees what to study for the next level, withdraws
the rating after a confirmation, and undoes it, all in place (htmx), on a desktop and a phone;
axe finds nothing serious on the confirmation or the withdrawn row."""

import pytest
from playwright.sync_api import expect

from roadmap.services.assessment import rating_record
from tests import factories
from tests.e2e.axe import axe_violations
from tests.factories_assessment import scale_levels

pytestmark = pytest.mark.browser


@pytest.fixture
def learner(transactional_db):
    scale_levels()
    path = factories.PathFactory(slug="ai-developer", name="AI Developer")
    python = factories.CompetencyFactory(name="Python")
    other = factories.CompetencyFactory(name="Prompt design")
    for competency in (python, other):
        factories.PathCompetencyFactory(path=path, competency=competency, target_level=3, weight=3)
    factories.ResourceFactory(
        competency=python, title="The Python tutorial", level_from=2, level_to=3
    )
    learner = factories.LearnerFactory(email="w@example.com", target_path=path)
    rating_record(learner=learner, competency=python, level=1, note="Scripts only")
    rating_record(learner=learner, competency=other, level=3)
    return learner


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 800}, {"width": 390, "height": 844}]
)
def test_withdraw_and_undo_in_place(page, live_server, learner, viewport):
    page.set_viewport_size(viewport)
    problems = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on(
        "console",
        lambda msg: "Content Security Policy" in msg.text and problems.append(msg.text),
    )
    page.goto(f"{live_server.url}/accounts/login/?next=/assess/")
    page.fill("input[name=username]", learner.email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#readiness-summary")).to_contain_text("66%")  # (1 + 3) of 6
    page.evaluate("window.__marker = 1")

    def row():
        return page.locator("section.assess-row", has=page.get_by_role("heading", name="Python"))

    row().get_by_text("Levels, note, evidence").click()
    expect(row().get_by_text("To reach Working: study")).to_be_visible()
    expect(row().get_by_role("link", name="The Python tutorial")).to_be_visible()

    row().get_by_role("link", name="Withdraw this rating").click()
    question = page.get_by_role("heading", name="Withdraw your rating of Python?")
    expect(question).to_be_focused()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Keep it").click()
    expect(row()).to_contain_text("1 Aware")

    row().get_by_text("Levels, note, evidence").click()
    row().get_by_role("link", name="Withdraw this rating").click()
    page.get_by_role("button", name="Withdraw the rating").click()
    expect(row().get_by_role("status").first).to_contain_text("Rating withdrawn (it was 1 Aware)")
    expect(row()).to_contain_text("not rated yet")
    expect(page.locator("#readiness-summary")).to_contain_text("50%")
    assert axe_violations(page) == []

    row().get_by_role("button", name="Undo: rate it 1 Aware again").click()
    expect(row().get_by_role("status")).to_have_text("Saved")
    expect(row()).to_contain_text("1 Aware")
    expect(page.locator("#readiness-summary")).to_contain_text("66%")
    assert page.evaluate("window.__marker") == 1, "the page reloaded instead of swapping a row"
    assert not problems, problems

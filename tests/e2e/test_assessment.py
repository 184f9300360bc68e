"""A new learner onboards, rates three competencies through htmx, and sees their gaps."""

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.factories_assessment import CareerGoalFactory, scale_levels

pytestmark = pytest.mark.browser


@pytest.fixture
def curriculum(transactional_db):
    scale_levels()
    dev = factories.PathFactory(slug="ai-developer", name="AI Developer", position=1)
    eng = factories.PathFactory(slug="ai-engineer", name="AI Engineer", position=2)
    CareerGoalFactory(
        slug="student",
        label="I am a student and want my first serious AI portfolio",
        recommended_path=dev,
        reason="Build visible projects first.",
    )
    names = ["Python", "Prompt design", "RAG pipelines", "LLM evaluation"]
    competencies = [factories.CompetencyFactory(name=name) for name in names]
    for competency in competencies[:3]:
        factories.PathCompetencyFactory(path=dev, competency=competency, target_level=3, weight=3)
    for competency in competencies[1:]:
        factories.PathCompetencyFactory(path=eng, competency=competency, target_level=3, weight=3)
    factories.LevelDescriptorFactory(
        competency=competencies[0], level=3, description="Writes tested, typed Python alone"
    )
    return competencies


def test_new_learner_onboards_rates_and_sees_gaps(page, live_server, curriculum):
    learner = factories.LearnerFactory(email="new@example.com")
    problems = []

    def on_console(msg):
        # A missing /favicon.ico is the only resource error expected (and not this area's).
        if "Content Security Policy" in msg.text or (
            msg.type == "error" and "favicon" not in (msg.location or {}).get("url", "")
        ):
            problems.append(msg.text)

    page.on("console", on_console)
    page.on("pageerror", lambda exc: problems.append(str(exc)))

    page.goto(f"{live_server.url}/accounts/login/?next=/assess/")
    page.fill("input[name=username]", learner.email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()

    # No target path yet: the assessment page sends them to onboarding.
    expect(page).to_have_url(re.compile(r"/start/$"))
    expect(page.get_by_text("Choose the path you are aiming for first")).to_be_visible()
    page.get_by_text("Not sure? Answer a few questions").click()
    page.get_by_label("I am a student and want my first serious AI portfolio").check()
    page.get_by_role("button", name="Recommend a path").click()
    expect(page.locator("#recommendation")).to_contain_text("AI Developer")
    expect(page.get_by_label("Choose AI Developer")).to_be_checked()
    page.get_by_label("Hours a week for learning").fill("8")
    page.get_by_role("button", name="Confirm path").click()

    expect(page).to_have_url(re.compile(r"/assess/$"))
    expect(page.locator("#readiness-summary")).to_contain_text("0%")
    # The level descriptors load when a row's disclosure opens, and are visible while choosing.
    python_row = page.locator("section.assess-row", has=page.get_by_role("heading", name="Python"))
    expect(page.get_by_text("Writes tested, typed Python alone")).to_have_count(0)
    python_row.get_by_text("Levels, note, evidence").click()
    expect(python_row.get_by_text("Writes tested, typed Python alone")).to_be_visible()

    page.evaluate("window.__marker = 1")
    for name, level in [("Python", "3"), ("Prompt design", "2"), ("RAG pipelines", "1")]:
        row = page.locator("section.assess-row", has=page.get_by_role("heading", name=name))
        row.locator(f"input[name=level][value='{level}']").check()
        row.get_by_role("button", name=f"Save {name}").click()
        status = page.locator("section.assess-row", has=page.get_by_role("heading", name=name))
        expect(status.get_by_role("status")).to_have_text("Saved")
        expect(status.get_by_role("status")).to_be_focused()
    assert page.evaluate("window.__marker") == 1, "the page reloaded instead of swapping a row"
    # (3 + 2 + 1) of 9 -> 66%.
    expect(page.locator("#readiness-summary")).to_contain_text("66%")

    # A bad evidence link is refused on the row, without a reload.
    row = page.locator("section.assess-row", has=page.get_by_role("heading", name="Python"))
    row.get_by_text("Levels, note, evidence").click()
    row.get_by_label("Evidence link").fill("not a link")
    row.get_by_role("button", name="Save Python").click()
    row = page.locator("section.assess-row", has=page.get_by_role("heading", name="Python"))
    expect(row.get_by_role("alert")).to_contain_text("Not saved")
    # One message for the one error (it used to show three times).
    expect(row.get_by_text("Enter a full web address")).to_have_count(1)
    assert page.evaluate("window.__marker") == 1

    page.reload()
    for name, level in [("Python", "3"), ("Prompt design", "2"), ("RAG pipelines", "1")]:
        row = page.locator("section.assess-row", has=page.get_by_role("heading", name=name))
        expect(row.locator(f"input[name=level][value='{level}']")).to_be_checked()

    page.get_by_role("link", name="Gaps", exact=True).click()
    expect(page).to_have_url(re.compile(r"/gaps/$"))
    expect(page.locator("#compare-ai-developer").locator("..")).to_contain_text("66%")
    expect(page.get_by_text("To reach Working")).to_be_visible()
    expect(page.locator("#compare-ai-engineer").locator("..")).to_contain_text("LLM evaluation")

    assert not problems, problems

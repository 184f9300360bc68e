"""Browser journey: a learner with gaps generates a plan, starts and completes a project with
evidence, is sent to the assessment page focused on what it built, saves the suggested level
there, and sees the plan and readiness update."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from roadmap.models import Rating
from tests import factories
from tests.factories_plans import curriculum_with_gaps

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, live_server, user):
    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/dashboard/"))


def test_learner_plans_starts_and_completes_a_project(page, live_server):
    learner = factories.LearnerFactory(weekly_hours=6)
    _path, comps, projects = curriculum_with_gaps(learner)
    violations = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.on("pageerror", lambda exc: violations.append(str(exc)))

    _log_in(page, live_server, learner)
    page.get_by_role("link", name="Plan", exact=True).click()
    expect(page.get_by_text("3 gaps to close")).to_be_visible()
    page.get_by_role("button", name="Generate my plan").click()
    first = page.locator(".plan-item").first
    expect(first).to_contain_text(projects[0].name)
    expect(first).to_contain_text("from 1 to 3")
    expect(page.locator(".big-number")).to_have_text("33%")

    # htmx: the plan body is swapped in place, the page is not reloaded.
    page.evaluate("window.__stayed = true")
    first.get_by_role("button", name="Start").click()
    expect(first.locator(".badge").first).to_have_text("Started")
    assert page.evaluate("window.__stayed") is True

    first.get_by_text("Mark as done").click()
    first.get_by_label("Evidence link").fill("not a link")
    first.get_by_role("button", name=f"Complete {projects[0].name}").click()
    expect(page.locator(".plan-item").first).to_contain_text("Enter a valid URL")
    first = page.locator(".plan-item").first
    first.get_by_label("Evidence link").fill("https://github.com/learner/rag-app")
    first.get_by_label("Short reflection").fill("Retrieval quality depends on chunking.")
    first.get_by_role("button", name=f"Complete {projects[0].name}").click()

    # Completion sends the learner to reassess what the project built, the build level
    # pre-selected; saving it through the page (htmx, no reload) moves readiness on the plan.
    page.wait_for_url(re.compile(r"/assess/\?focus="))
    row = page.locator(f"#competency-{comps[0].pk}")
    expect(row.locator("input[name=level][value='3']")).to_be_checked()
    expect(row).to_contain_text("suggested")
    expect(page.locator(".assess-row")).to_have_count(1)  # only what the project built
    page.evaluate("window.__stayed = true")
    row.get_by_role("button", name=f"Save {comps[0].name}").click()
    expect(page.locator(f"#competency-{comps[0].pk}-status")).to_have_text("Saved")
    assert page.evaluate("window.__stayed") is True
    expect(page.locator("#readiness-summary")).to_contain_text("55%")
    assert (
        Rating.objects.filter(learner=learner, competency=comps[0]).latest("created_at").level == 3
    )

    page.goto(live_server.url + reverse("roadmap:plan"))
    expect(page.locator(".plan-item").first.locator(".badge").first).to_have_text("Done")
    expect(page.get_by_text("https://github.com/learner/rag-app")).to_be_visible()
    expect(page.locator(".big-number")).to_have_text("55%")
    page.get_by_role("link", name="Portfolio").click()
    expect(page.get_by_text("Retrieval quality depends on chunking.")).to_be_visible()
    assert violations == []

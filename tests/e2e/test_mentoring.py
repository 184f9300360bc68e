"""A mentor reviews a cohort in a real browser, then the learner sees the result."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from roadmap.models import Feedback, RatingVerification
from roadmap.services.assessment import rating_record
from tests import factories

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def test_mentor_reviews_cohort_and_learner_sees_feedback(page, live_server):
    path = factories.PathFactory(name="AI Developer", slug="ai-developer")
    python = factories.PathCompetencyFactory(
        path=path, competency=factories.CompetencyFactory(name="Python"), target_level=3
    )
    evals = factories.PathCompetencyFactory(
        path=path, competency=factories.CompetencyFactory(name="Evaluation"), target_level=3
    )
    mentor = factories.MentorFactory(full_name="Mia Mentor")
    cohort = factories.CohortFactory(name="Autumn cohort", path=path)
    cohort.mentors.add(mentor)
    ada = factories.LearnerFactory(full_name="Ada Learner")
    zed = factories.LearnerFactory(full_name="Zed Learner")
    for learner in (ada, zed):
        factories.CohortMembershipFactory(cohort=cohort, learner=learner)
    now = timezone.now()
    rating_record(
        learner=ada,
        competency=python.competency,
        level=2,
        note="Wrote a CLI",
        at=now - dt.timedelta(days=2),
    )
    rating_record(learner=ada, competency=evals.competency, level=4, at=now)
    rating_record(learner=zed, competency=evals.competency, level=1, at=now)

    problems = []

    def on_console(msg):
        # The site has no favicon (yet); every other console error counts, CSP reports above all.
        if msg.location.get("url", "").endswith("/favicon.ico"):
            return
        if msg.type == "error" or "Content Security Policy" in msg.text:
            problems.append(msg.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))

    _log_in(page, live_server, mentor)
    page.get_by_role("link", name="Autumn cohort").click()
    expect(page.get_by_role("heading", name="Autumn cohort")).to_be_visible()
    rows = page.locator("table.heatmap tbody th")
    expect(rows.first).to_contain_text("Ada Learner")

    # Sort by the Evaluation column: htmx swaps the heatmap only (no page load).
    page.evaluate("window.__stillHere = true")
    page.locator("table.heatmap thead a", has_text="Evaluation").click()
    expect(page).to_have_url(re.compile(rf"sort=c{evals.competency_id}"))
    expect(rows.first).to_contain_text("Zed Learner")
    assert page.evaluate("window.__stillHere === true")

    rows.filter(has_text="Ada Learner").get_by_role("link", name="Ada Learner").click()
    expect(page.get_by_role("heading", name="Ada Learner")).to_be_visible()
    expect(page.get_by_text("Wrote a CLI")).to_be_visible()
    page.locator("#feedback_competency").select_option(label="Evaluation")
    page.get_by_role("textbox", name="Feedback").fill(
        "Strong evaluation work; add a regression set."
    )
    page.get_by_role("button", name="Send feedback").click()
    expect(page.get_by_text("Feedback sent.")).to_be_visible()
    page.get_by_role("button", name="Verify Python at level 2").click()
    expect(page.get_by_text("verified by Mia Mentor")).to_be_visible()
    assert Feedback.objects.filter(learner=ada).count() == 1
    assert RatingVerification.objects.filter(rating__learner=ada).count() == 1

    page.locator(".user-menu summary").click()  # the account menu holds log-out
    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state()
    _log_in(page, live_server, ada)
    page.goto(f"{live_server.url}/me/feedback/")
    expect(page.get_by_text("Strong evaluation work; add a regression set.")).to_be_visible()
    expect(
        page.get_by_text(re.compile(r"Python at level 2 .*verified by Mia Mentor"))
    ).to_be_visible()

    assert not problems, problems


def test_cohort_page_fits_a_phone_and_shows_long_competency_names_whole(page, live_server):
    path = factories.PathFactory(name="AI Engineer", slug="ai-engineer")
    long_name = "LangChain or similar orchestration helpers for agents"
    factories.PathCompetencyFactory(
        path=path, competency=factories.CompetencyFactory(name=long_name), target_level=3
    )
    mentor = factories.MentorFactory()
    cohort = factories.CohortFactory(name="Winter cohort", path=path)
    cohort.mentors.add(mentor)
    factories.CohortMembershipFactory(cohort=cohort, learner=factories.LearnerFactory())

    _log_in(page, live_server, mentor)
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{live_server.url}/mentor/cohorts/{cohort.pk}/")
        expect(page.get_by_role("heading", name="Winter cohort")).to_be_visible()
        # Nothing overflows sideways (the heatmap scrolls inside its own wrapper) ...
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        # ... and the turned column heading holds the whole name rather than cutting it.
        link = page.locator("table.heatmap thead a", has_text=long_name)
        inner = link.bounding_box()
        cell = page.locator(
            "table.heatmap thead th", has=page.locator("a", has_text=long_name)
        ).bounding_box()
        assert (
            cell["y"] <= inner["y"] and inner["y"] + inner["height"] <= cell["y"] + cell["height"]
        )

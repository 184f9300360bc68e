"""A mentor reviews a cohort in a real browser, then the learner sees the result."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import CohortMembership
from roadmap.models import Feedback, RatingVerification
from roadmap.services.assessment import rating_record
from tests import factories
from tests.e2e.axe import axe_violations

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
    page.locator("#history summary").click()  # the history is collapsed
    expect(page.get_by_text("Wrote a CLI")).to_be_visible()
    page.locator("#feedback_competency").select_option(label="Evaluation")
    page.get_by_role("textbox", name="Feedback").fill(
        "Strong evaluation work; add a regression set."
    )
    page.get_by_role("button", name="Send feedback").click()
    expect(page.get_by_text("Feedback sent.")).to_be_visible()
    page.get_by_role("button", name="Verify Python at level 2").click()
    expect(page.locator("#levels").get_by_text("Verified by you")).to_be_visible()
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


def test_heatmap_of_16_competencies_fits_at_1280_sticks_and_passes_axe(page, live_server):
    path = factories.PathFactory(name="AI Engineer", slug="ai-engineer")
    names = [  # the default curriculum's AI Engineer path has 16 such
        "Model and service orchestration",
        "Evaluation and quality benchmarking",
        "Inference pipeline design",
        "Monitoring, tracing, and reliability thinking",
        "Deployment patterns for AI systems",
        "Architecture decisions under scale and latency constraints",
        "Serving and inference infrastructure",
        "Evaluation frameworks",
        "Observability and tracing tools",
        "Workflow orchestration platforms",
        "Container and cloud deployment tooling",
        "Monitoring stacks for AI system health",
        "Python",
        "LLM API integration",
        "Vector databases",
        "LangChain or similar orchestration helpers",
    ]
    pcs = [
        factories.PathCompetencyFactory(
            path=path, competency=factories.CompetencyFactory(name=name), target_level=3
        )
        for name in names
    ]
    mentor = factories.MentorFactory()
    cohort = factories.CohortFactory(name="Winter cohort", path=path)
    cohort.mentors.add(mentor)
    now = timezone.now()
    for n in range(30):
        learner = factories.LearnerFactory(full_name=f"Learner {n:02}")
        factories.CohortMembershipFactory(cohort=cohort, learner=learner)
        for k, pc in enumerate(pcs[:8]):
            rating_record(learner=learner, competency=pc.competency, level=(n + k) % 5, at=now)

    _log_in(page, live_server, mentor)
    for width, height in ((1280, 800), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"{live_server.url}/mentor/cohorts/{cohort.pk}/")
        expect(page.get_by_role("heading", name="Winter cohort")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        wrap = page.locator(".heatmap-wrap")
        if width == 1280:  # 16 columns without sideways scrolling
            assert wrap.evaluate("el => el.scrollWidth <= el.clientWidth"), wrap.evaluate(
                "el => [el.scrollWidth, el.clientWidth,"
                " ...[...el.querySelectorAll('thead th')].map(t => t.offsetWidth)]"
            )
        # the full name is there for screen readers and as a title
        head = page.locator("table.heatmap thead th.hm-head").first
        expect(head).to_contain_text("Model and service orchestration")
        # the header row stays in view when the grid scrolls
        top = head.bounding_box()["y"]
        wrap.evaluate("el => { el.scrollTop = 400; el.scrollLeft = 300; }")
        assert abs(head.bounding_box()["y"] - top) < 2
        name = page.locator("table.heatmap tbody th.hm-name").nth(10)
        assert name.bounding_box()["x"] >= wrap.bounding_box()["x"] - 1
        wrap.evaluate("el => { el.scrollTop = 0; el.scrollLeft = 0; }")
        violations = axe_violations(page)
        assert not violations, violations


def test_mentor_creates_cohort_and_learner_joins_with_a_lower_case_code(page, live_server):
    factories.PathFactory(name="AI Developer", slug="ai-developer")
    mentor = factories.MentorFactory(full_name="Mia Mentor")
    learner = factories.LearnerFactory(full_name="Lee Learner")
    _log_in(page, live_server, mentor)
    page.get_by_role("link", name="New cohort").click()
    violations = axe_violations(page)
    assert not violations, violations
    page.get_by_label("Name").fill("Spring cohort")
    page.get_by_label("Path").select_option(label="AI Developer")
    page.get_by_label("Start date").fill("2027-03-01")
    page.get_by_label("Weekly check-in day").select_option(label="Wednesday")
    page.get_by_role("button", name="Create cohort").click()
    expect(page.get_by_role("heading", name="Spring cohort")).to_be_visible()
    page.get_by_role("link", name="Invite learners").click()
    page.get_by_role("button", name="Create invite").click()
    code = page.locator("code.invite-code").first.inner_text()
    expect(page.get_by_role("button", name="Copy link")).to_be_visible()
    violations = axe_violations(page)
    assert not violations, violations

    page.locator(".user-menu summary").click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state()
    _log_in(page, live_server, learner)
    page.goto(f"{live_server.url}/me/cohorts/")
    page.get_by_label("Invite code").fill(" " + code.lower().replace("-", " ") + " ")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("mentored by Mia Mentor")).to_be_visible()
    violations = axe_violations(page)
    assert not violations, violations
    page.get_by_role("button", name="Join Spring cohort").click()
    expect(page.get_by_text("You are in “Spring cohort”.")).to_be_visible()
    assert CohortMembership.objects.filter(learner=learner, cohort__name="Spring cohort").exists()

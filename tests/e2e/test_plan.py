"""Browser journeys: a learner with gaps generates a plan, starts and completes a project with
evidence, is sent to the assessment page focused on what it built, saves the suggested level
there, and sees the plan and readiness update; and a learner whose plan misses the target date
fixes it in one click (a preview first), at a desktop and a phone size."""

import datetime
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from roadmap.models import Rating
from roadmap.services.plans import learner_today, plan_generate
from tests import factories
from tests.e2e.axe import axe_violations
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
    expect(first).to_contain_text("from Aware to Proficient")
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


SIZES = {"desktop": (1280, 800), "phone": (390, 844)}


def _day(d):
    return f"{d.day} {d:%b} {d.year}"  # the site's one date format


@pytest.mark.parametrize("size", SIZES)
def test_learner_fixes_a_late_plan_in_one_click(page, live_server, size):
    width, height = SIZES[size]
    learner = factories.LearnerFactory(weekly_hours=6)
    path, _comps, projects = curriculum_with_gaps(learner)
    for project in projects:
        factories.ResourceFactory(competency=None, project=project, title=f"{project.name} docs")
    plan = plan_generate(learner=learner, path=path)
    today = learner_today(learner)
    # 33 h at 6 h a week end on day 38; the target is day 20: 11 h a week make it.
    learner.target_date = today + datetime.timedelta(days=20)
    learner.save(update_fields=["target_date"])
    old_end = max(plan.items.values_list("planned_end", flat=True))
    problems = []
    page.on(
        "console",
        lambda msg: (
            problems.append(msg.text)
            if msg.type == "error" or "Content Security Policy" in msg.text
            else None
        ),
    )
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.set_viewport_size({"width": width, "height": height})

    _log_in(page, live_server, learner)
    page.goto(live_server.url + reverse("roadmap:plan"))
    timeline = page.get_by_role("img", name=re.compile("Your plan week by week"))
    expect(timeline).to_be_visible()
    expect(page.locator("svg.timeline rect.tl-bar")).to_have_count(3)
    expect(page.locator("svg.timeline line.tl-today")).to_have_count(1)
    # The page never scrolls sideways: a wide timeline scrolls inside its own box.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_text("The timeline as a list").click()
    expect(page.locator(".timeline-table tbody tr")).to_have_count(3)
    page.locator(".plan-item").first.get_by_text("What to study for it (1)").click()
    expect(page.get_by_role("link", name=f"{projects[0].name} docs")).to_be_visible()
    assert axe_violations(page) == []

    warning = page.locator("#target-fix")
    expect(warning).to_contain_text("add 5 h a week to make it")
    page.evaluate("window.__stayed = true")
    warning.get_by_role("link", name="Raise to 11 h a week").click()
    new_end = today + datetime.timedelta(days=(33 * 7 - 1) // 11)
    preview = page.locator(".fix-preview")
    expect(preview).to_contain_text(f"the plan ends on {_day(new_end)}")
    expect(preview).to_contain_text("in time for your target")
    expect(page.get_by_role("heading", name="Preview: 11 h a week")).to_be_focused()
    assert axe_violations(page) == []
    learner.refresh_from_db()
    assert learner.weekly_hours == 6  # nothing changes before the learner accepts

    page.get_by_role("button", name="Accept: 11 h a week").click()
    notice = page.get_by_role("status").filter(has_text="Your plan now runs at 11 h a week")
    expect(notice).to_contain_text(f"ends on {_day(new_end)}")
    expect(notice).to_be_focused()
    expect(page.locator("#target-fix")).to_have_count(0)
    expect(page.locator("#plan-body")).to_contain_text(f"plan ends {_day(new_end)}")
    assert page.evaluate("window.__stayed") is True  # swapped in place, no reload
    learner.refresh_from_db()
    assert learner.weekly_hours == 11
    assert max(plan.items.values_list("planned_end", flat=True)) == new_end < old_end
    assert axe_violations(page) == []
    # The confirm page (the fix without JavaScript) is accessible too.
    later = (today + datetime.timedelta(days=60)).isoformat()
    page.goto(f"{live_server.url}{reverse('roadmap:plan_fix')}?target_date={later}")
    expect(page.get_by_role("heading", name="Fix your plan's dates")).to_be_visible()
    assert axe_violations(page) == []
    assert problems == []


def test_without_javascript_the_fix_is_a_confirm_page(browser, live_server):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    learner = factories.LearnerFactory(weekly_hours=6)
    path, _comps, _projects = curriculum_with_gaps(learner)
    plan = plan_generate(learner=learner, path=path)
    end = max(plan.items.values_list("planned_end", flat=True))
    learner.target_date = learner_today(learner) + datetime.timedelta(days=20)
    learner.save(update_fields=["target_date"])
    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("E-mail address").fill(learner.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(live_server.url + reverse("roadmap:plan"))
    page.get_by_role("link", name=f"Move the target to {_day(end)}").click()
    expect(page.get_by_role("heading", name="Fix your plan's dates")).to_be_visible()
    page.get_by_role("button", name=f"Accept: target {_day(end)}").click()
    expect(page.get_by_text(f"Your target date is now {_day(end)}.")).to_be_visible()
    learner.refresh_from_db()
    assert learner.target_date == end
    context.close()


def test_on_a_phone_the_timeline_opens_at_today(page, live_server):
    learner = factories.LearnerFactory(weekly_hours=3)
    path, _comps, _projects = curriculum_with_gaps(learner, projects=6, competencies=6)
    # Planned ten weeks ago: today lies well to the right of the plan's first week.
    plan_generate(
        learner=learner, path=path, today=learner_today(learner) - datetime.timedelta(weeks=10)
    )
    page.set_viewport_size({"width": 390, "height": 844})
    _log_in(page, live_server, learner)
    page.goto(live_server.url + reverse("roadmap:plan"))
    box = page.locator(".timeline-scroll")
    expect(box).to_be_visible()
    scrolled = box.evaluate("b => [b.scrollLeft, b.clientWidth, b.scrollWidth]")
    assert scrolled[2] > scrolled[1] and scrolled[0] > 0
    today = page.locator("line.tl-today").bounding_box()
    frame = box.bounding_box()
    assert frame["x"] <= today["x"] <= frame["x"] + frame["width"]

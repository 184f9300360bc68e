"""Browser journey, at a desktop and a phone size: a learner who logged two slow weeks logs more
hours from the dashboard and the plan (htmx, no reload; a bad entry shows its message in
place), sees the week's total and the "ready by" line, and replans at the pace they really keep
in one click. axe reports no serious or critical violation on either page."""

import datetime
import re
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from roadmap.models import LoggedHours, PlanItem, Rating
from roadmap.services.assessment import current_ratings_rebuild
from roadmap.services.pace import hours_log
from roadmap.services.plans import learner_today, plan_generate
from tests import factories
from tests.e2e.axe import axe_violations
from tests.factories_plans import curriculum_with_gaps

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SIZES = {"desktop": (1280, 800), "phone": (390, 844)}


@pytest.fixture
def slow_learner():
    """A plan of three projects, the first started and one skipped; ratings three weeks old
    (enough history for a projection); 2 h logged in each of the last two finished weeks
    against a plan of 6 h a week."""
    learner = factories.LearnerFactory(weekly_hours=6)
    path, _comps, projects = curriculum_with_gaps(learner)
    plan = plan_generate(learner=learner, path=path)
    items = list(plan.items.order_by("position"))
    items[0].start()
    items[2].skip()
    Rating.objects.filter(learner=learner).update(
        created_at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(weeks=3)
    )
    current_ratings_rebuild(learner_ids=[learner.pk])
    today = learner_today(learner)
    monday = today - datetime.timedelta(days=today.weekday())
    for weeks_ago in (1, 2):
        hours_log(
            learner=learner,
            item=items[0],
            hours=Decimal(2),
            day=monday - datetime.timedelta(weeks=weeks_ago),
            token=uuid.uuid4(),
        )
    return learner, items


def _fits_the_viewport(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


@pytest.mark.parametrize("size", SIZES)
def test_learner_logs_hours_and_replans_at_the_real_pace(page, live_server, slow_learner, size):
    learner, items = slow_learner
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    problems = []
    page.on(
        "console",
        lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    page.on("pageerror", lambda exc: problems.append(str(exc)))

    page.goto(live_server.url + reverse("accounts:login"))
    page.get_by_label("E-mail address").fill(learner.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/dashboard/"))

    # The dashboard: the week's total, the ready-by line at the logged pace, the quick add.
    card = page.locator("#pace-card")
    expect(card).to_contain_text("This week: 0 h of your 6 h a week")
    expect(card).to_contain_text("Replan at 2 h a week on your plan")
    expect(page.locator(".ready-by")).to_contain_text("At this pace (2 h a week")
    expect(page.locator("svg.readiness-chart .projection")).to_have_count(1)
    expect(page.locator("svg.readiness-chart .target-line")).to_have_count(1)
    assert axe_violations(page) == []
    assert _fits_the_viewport(page)

    page.evaluate("window.__stayed = true")
    card.get_by_label("Hours").fill("1.5")
    card.get_by_label("Note (optional)").fill("Read about chunking")
    card.get_by_role("button", name=f"Log hours on {items[0].project.name}").click()
    expect(page.locator("#pace-card")).to_contain_text("This week: 1.5 h of your 6 h a week")
    expect(page.locator("#pace-card")).to_contain_text(f"Logged 1.5 h on {items[0].project.name}.")
    assert page.evaluate("window.__stayed") is True

    # The plan: the pace notice, a bad entry refused in place, a good one counted.
    page.goto(live_server.url + reverse("roadmap:plan"))
    notice = page.locator(".pace-notice")
    expect(notice).to_contain_text("For the last 2 weeks you logged about 2 h a week")
    first = page.locator(f"#item-{items[0].pk}")
    page.evaluate("window.__stayed = true")
    first.get_by_text("Log hours").first.click()
    first.get_by_label("Hours").fill("0")
    first.get_by_role("button", name=f"Log hours on {items[0].project.name}").click()
    expect(page.locator(f"#item-{items[0].pk}")).to_contain_text("Enter more than 0 hours.")
    first = page.locator(f"#item-{items[0].pk}")
    first.get_by_label("Hours").fill("2")
    first.get_by_role("button", name=f"Log hours on {items[0].project.name}").click()
    expect(page.locator("#week-hours")).to_contain_text("This week: 3.5 h of your 6 h a week")
    assert page.evaluate("window.__stayed") is True
    assert LoggedHours.objects.filter(learner=learner).count() == 4
    assert axe_violations(page) == []
    assert _fits_the_viewport(page)

    # One click replans at the logged pace; every item keeps its state.
    page.locator(".pace-notice").get_by_role("button", name="Replan at 2 h a week").click()
    expect(page.locator("#plan-body")).to_contain_text("re-dated at 2 h a week")
    expect(page.locator(".pace-notice")).to_have_count(0)
    expect(page.locator(f"#item-{items[0].pk} .badge").first).to_have_text("Started")
    expect(page.locator(f"#item-{items[2].pk} .badge").first).to_have_text("Skipped")
    assert page.evaluate("window.__stayed") is True
    learner.refresh_from_db()
    assert learner.weekly_hours == 2
    statuses = list(PlanItem.objects.filter(plan__learner=learner).values_list("status", flat=True))
    assert sorted(statuses) == ["planned", "skipped", "started"]
    assert axe_violations(page) == []
    assert problems == []

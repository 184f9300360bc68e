"""The dashboard in a real browser: charts render under the strict CSP, the numbers behind the
chart open from the keyboard, and the page fits a phone."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests import factories
from tests.factories_progress import path_with_competencies, rating_history

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/dashboard/$"))


@pytest.mark.parametrize("width", [1200, 375])
def test_dashboard_with_ten_weeks_of_history(page, live_server, width):
    path, competencies = path_with_competencies(6)
    learner = factories.LearnerFactory(target_path=path)
    rating_history(learner, competencies, weeks=10, now=timezone.now() - timedelta(minutes=5))
    problems = []
    page.on("console", lambda m: problems.append(m) if m.type == "error" else None)
    page.set_viewport_size({"width": width, "height": 800})
    _log_in(page, live_server, learner)

    chart = page.get_by_role("img", name=re.compile("Readiness for .* per week"))
    expect(chart).to_be_visible()
    expect(page.locator("svg.readiness-chart circle.dot")).to_have_count(10)
    page.get_by_text("Show the numbers").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".chart-data table").first).to_be_visible()
    expect(page.locator("table.trends svg.sparkline")).to_have_count(6)
    # Nothing overflows the viewport sideways (tables scroll inside their own wrapper).
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # CSP violations and script errors are console errors; the missing favicon does not count.
    problems = [m.text for m in problems if "favicon" not in m.location.get("url", "")]
    assert not problems, problems

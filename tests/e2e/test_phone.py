"""A phone (390x844): every link of the site's menu is on screen without sideways scrolling,
the assessment's first choice is above the fold, the activity calendar is readable with the
newest week in view, and a celebration is announced without taking the focus. axe-clean."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from roadmap.models import PlanItem
from tests import factories
from tests.e2e.axe import axe_violations
from tests.factories_assessment import scale_levels
from tests.factories_plans import PlanFactory, PlanItemFactory
from tests.factories_progress import path_with_competencies, rating_history

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _log_in(page, live_server, user, next_url=""):
    query = f"?next={next_url}" if next_url else ""
    page.goto(live_server.url + reverse("accounts:login") + query)
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()


def _on_screen(box, viewport=PHONE) -> bool:
    return (
        box is not None
        and box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= viewport["width"]
        and box["y"] + box["height"] <= viewport["height"]
    )


@pytest.fixture
def learner():
    scale_levels()
    path, competencies = path_with_competencies(40, name="AI Developer")
    learner = factories.LearnerFactory(target_path=path, full_name="Ada Lovelace-Byron")
    learner.competencies = competencies
    return learner


def test_every_menu_link_is_on_screen_on_a_phone(page, live_server, learner):
    page.set_viewport_size(PHONE)
    _log_in(page, live_server, learner)
    page.wait_for_url(re.compile(r"/dashboard/$"))
    nav = page.get_by_role("navigation", name="Main")
    links = nav.locator(".nav-links a, .nav-user > a, .user-menu summary")
    assert links.count() >= 9
    for i in range(links.count()):
        link = links.nth(i)
        assert _on_screen(link.bounding_box()), (link.inner_text(), link.bounding_box())
    # No list that scrolls sideways out of sight.
    scroll = nav.locator(".nav-links").evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert scroll[0] <= scroll[1], scroll
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # The account menu opens (a <details>: no JavaScript needed) with its links on screen.
    nav.locator(".user-menu summary").click()
    menu = nav.locator(".user-menu ul a, .user-menu ul button")
    assert menu.count() >= 5
    for i in range(menu.count()):
        assert _on_screen(menu.nth(i).bounding_box()), menu.nth(i).inner_text()
    assert axe_violations(page) == []


def test_every_menu_link_works_without_javascript(browser, live_server, learner):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    _log_in(page, live_server, learner)
    page.wait_for_url(re.compile(r"/dashboard/$"))
    nav = page.get_by_role("navigation", name="Main")
    links = nav.locator(".nav-links a, .nav-user > a")
    for i in range(links.count()):
        assert _on_screen(links.nth(i).bounding_box()), links.nth(i).inner_text()
    nav.locator(".user-menu summary").click()
    assert _on_screen(nav.get_by_role("link", name="My data").bounding_box())
    context.close()


def test_the_first_choice_of_the_assessment_is_above_the_fold(page, live_server, learner):
    page.set_viewport_size(PHONE)
    _log_in(page, live_server, learner, next_url=reverse("roadmap:assess"))
    page.wait_for_url(re.compile(r"/assess/$"))
    first = page.locator("section.assess-row").first.locator("input[name=level]").first
    label = page.locator("section.assess-row").first.locator("fieldset label").first
    box = label.bounding_box()
    assert _on_screen(box), box
    first.check()
    expect(first).to_be_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert axe_violations(page) == []


def test_the_activity_calendar_is_readable_on_a_phone(page, live_server, learner):
    rating_history(
        learner, learner.competencies[:4], weeks=12, now=timezone.now() - timedelta(minutes=5)
    )
    page.set_viewport_size(PHONE)
    _log_in(page, live_server, learner)
    page.wait_for_url(re.compile(r"/dashboard/$"))
    calendar = page.locator("svg.activity-calendar")
    calendar.scroll_into_view_if_needed()
    cells = calendar.locator("rect.cell")
    newest = cells.last.bounding_box()
    assert newest["width"] >= 16, newest  # about 19 px, against 9 before
    box = page.locator(".activity-scroll")
    frame = box.bounding_box()
    # The newest week is in view first; older weeks scroll inside the box, not the page.
    assert frame["x"] <= newest["x"]
    assert newest["x"] + newest["width"] <= frame["x"] + frame["width"]
    assert calendar.locator("text.month-label").count() >= 3
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # The scrolling box is reachable from the keyboard, and named.
    box.focus()
    expect(box).to_be_focused()
    streak = page.get_by_text(re.compile(r"Active \d+ weeks in a row|Active 1 week"))
    expect(streak).to_be_visible()
    assert axe_violations(page) == []


def test_the_activity_calendar_spans_its_card_on_a_desktop(page, live_server, learner):
    rating_history(
        learner, learner.competencies[:4], weeks=12, now=timezone.now() - timedelta(minutes=5)
    )
    page.set_viewport_size({"width": 1280, "height": 800})
    _log_in(page, live_server, learner)
    page.wait_for_url(re.compile(r"/dashboard/$"))
    card = page.locator("section", has=page.get_by_role("heading", name="Activity"))
    calendar = card.locator("svg.activity-calendar").bounding_box()
    assert calendar["width"] >= 0.9 * (card.bounding_box()["width"] - 40), calendar
    assert card.locator("rect.cell").first.bounding_box()["width"] >= 20


def test_a_celebration_is_announced_without_taking_the_focus(page, live_server, learner):
    plan = PlanFactory(learner=learner, path=learner.target_path)
    item = PlanItemFactory(plan=plan, project__name="RAG app", planned_start=timezone.now().date())
    done = timezone.now() - timedelta(minutes=5)
    PlanItem.objects.filter(pk=item.pk).update(status="done", started_at=done, completed_at=done)
    page.set_viewport_size(PHONE)
    _log_in(page, live_server, learner)
    page.wait_for_url(re.compile(r"/dashboard/$"))
    message = page.get_by_role("status").filter(has_text="You finished RAG app.")
    expect(message).to_be_visible()
    assert page.evaluate("document.activeElement.tagName") in ("BODY", "MAIN")
    assert axe_violations(page) == []
    message.get_by_role("button", name="Close this message").click()
    expect(page.get_by_text("You finished RAG app.")).to_have_count(0)
    expect(page.locator(".celebration-closed")).to_be_focused()
    # Shown once: not on the next visit.
    page.reload()
    expect(page.locator("h1")).to_contain_text("Hello")
    expect(page.get_by_text("You finished RAG app.")).to_have_count(0)

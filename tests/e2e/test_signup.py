"""Smoke journey in a real Chromium: sign up from the home page, land on the learner home, log
out, log back in. No CSP violation and no JavaScript error on the way; works at 375px wide."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-unusual-passphrase-42"
LEARNER_HOME = re.compile(r"/(dashboard|start)/$")


def _fits_the_viewport(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_signup_lands_on_the_dashboard_then_logout_and_login(page, live_server):
    problems = []
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console {msg.type}: {msg.text}")
            if msg.type == "error" or "Content Security Policy" in msg.text
            else None
        ),
    )
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.set_viewport_size({"width": 375, "height": 800})

    page.goto(live_server.url + "/")
    assert _fits_the_viewport(page)
    page.get_by_role("link", name="Sign up", exact=True).click()
    expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
    expect(page.locator("#id_email")).to_be_focused()
    assert _fits_the_viewport(page)
    page.locator("#id_email").fill("ada@example.com")
    page.locator("#id_full_name").fill("Ada Lovelace")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()

    # The learner home: the dashboard, or the onboarding it sends a brand-new learner to.
    expect(page).to_have_url(LEARNER_HOME)
    expect(page.locator(".user-menu summary")).to_have_text("Ada Lovelace")
    assert _fits_the_viewport(page)

    page.locator(".user-menu summary").click()  # the account menu holds log-out
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    page.locator("#id_username").fill("ada@example.com")
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(LEARNER_HOME)
    expect(page.locator(".user-menu summary")).to_have_text("Ada Lovelace")

    assert problems == []


def test_the_browsers_time_zone_is_pre_filled_at_signup_and_in_reminder_preferences(
    browser, live_server
):
    context = browser.new_context(timezone_id="Europe/London")
    page = context.new_page()
    page.goto(live_server.url + "/accounts/signup/")
    expect(page.locator("#id_timezone")).to_have_value("Europe/London")
    expect(page.get_by_text("Set from your browser: Europe/London")).to_be_visible()
    page.locator("#id_email").fill("grace@example.com")
    page.locator("#id_full_name").fill("Grace Hopper")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()
    expect(page).to_have_url(LEARNER_HOME)
    from accounts.models import User

    assert User.objects.get(email="grace@example.com").timezone == "Europe/London"
    # A zone the learner chose is never overwritten by the browser's.
    page.goto(live_server.url + "/me/reminders/")
    expect(page.locator("#id_timezone")).to_have_value("Europe/London")
    User.objects.filter(email="grace@example.com").update(timezone="Asia/Tokyo")
    page.reload()
    expect(page.locator("#id_timezone")).to_have_value("Asia/Tokyo")
    # Still on the UTC default (a learner who signed up without JavaScript): pre-filled.
    User.objects.filter(email="grace@example.com").update(timezone="UTC")
    page.reload()
    expect(page.locator("#id_timezone")).to_have_value("Europe/London")
    context.close()

"""Conversations in a real browser: a mentor announces to the cohort and invites by e-mail; the
invitee signs up through the personal link; a learner reads the notification and replies to
feedback on a phone; the mentor sees the reply. axe runs on every page on the way."""

import re

import pytest
from playwright.sync_api import expect

from accounts.models import CohortMembership, User
from roadmap.models import Announcement, Delivery, FeedbackReply
from tests import factories
from tests.e2e.axe import axe_violations
from tests.factories_mentoring import FeedbackFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _log_in(page, live_server, user):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", factories.PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def _log_out(page):
    page.locator(".user-menu summary").click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state()


def _axe_clean(page):
    violations = axe_violations(page)
    assert not violations, violations


@pytest.fixture
def world(db):
    path = factories.PathFactory(name="AI Developer", slug="ai-developer")
    factories.PathCompetencyFactory(path=path, target_level=3)
    mentor = factories.MentorFactory(full_name="Mia Mentor")
    cohort = factories.CohortFactory(name="Autumn cohort", path=path)
    cohort.mentors.add(mentor)
    ada = factories.LearnerFactory(full_name="Ada Learner")
    factories.CohortMembershipFactory(cohort=cohort, learner=ada)
    return {"mentor": mentor, "cohort": cohort, "ada": ada}


def _console_problems(page):
    problems = []

    def on_console(msg):
        if msg.type == "error" or "Content Security Policy" in msg.text:
            problems.append(msg.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def test_mentor_announces_and_invites_by_email_then_the_invitee_joins(page, live_server, world):
    problems = _console_problems(page)
    _log_in(page, live_server, world["mentor"])
    page.goto(f"{live_server.url}/mentor/cohorts/{world['cohort'].pk}/")
    page.get_by_role("link", name="Announce").click()
    expect(page.get_by_role("heading", name="Announcements to Autumn cohort")).to_be_visible()
    expect(page.get_by_text("Nothing sent yet")).to_be_visible()
    _axe_clean(page)
    page.get_by_label("Subject").fill("Demo day moved")
    page.get_by_label("Message").fill("Demo day is now on Friday at 4 pm.")
    page.evaluate("window.__stillHere = true")
    page.get_by_role("button", name="Send to the cohort").click()
    status = page.get_by_text("Announcement sent to 1 learner.")
    expect(status).to_be_visible()
    expect(status).to_be_focused()  # focus lands on the result of the swap
    assert page.evaluate("window.__stillHere === true")  # htmx swapped, no page load
    expect(page.locator(".announcement-list")).to_contain_text("Demo day is now on Friday")
    _axe_clean(page)
    assert Announcement.objects.get().recipients == 1

    page.goto(f"{live_server.url}/mentor/cohorts/{world['cohort'].pk}/invites/")
    page.get_by_role("link", name="Invite by e-mail instead").click()
    field = page.get_by_label("E-mail addresses")
    field.fill("new.learner@example.com, typo@")
    page.get_by_role("button", name="Send invitations").click()
    expect(page.get_by_text("“typo@” is not an e-mail address")).to_be_visible()
    _axe_clean(page)
    assert not Delivery.objects.filter(kind="invite").exists()
    page.get_by_label("E-mail addresses").fill("new.learner@example.com\nNEW.learner@example.com")
    page.get_by_role("button", name="Send invitations").click()
    expect(page.get_by_text("Invitation sent to: new.learner@example.com.")).to_be_visible()
    expect(page.get_by_text("Listed more than once, invited once")).to_be_visible()
    expect(page.locator("table")).to_contain_text("new.learner@example.com")
    _axe_clean(page)
    invite_link = Delivery.objects.get(kind="invite").context["url"]
    _log_out(page)

    # The invitee opens the personal link signed out and creates an account for that address.
    page.set_viewport_size(PHONE)
    page.goto(invite_link.replace("http://127.0.0.1:8000", live_server.url))
    expect(page.get_by_role("heading", name="Join Autumn cohort")).to_be_visible()
    expect(page.get_by_text("mentored by Mia Mentor")).to_be_visible()
    _axe_clean(page)
    expect(page.get_by_label("E-mail address")).to_have_value("new.learner@example.com")
    page.get_by_label("Your name").fill("Nia Newcomer")
    page.locator("#id_password1").fill("a long and unusual passphrase 42")
    page.locator("#id_password2").fill("a long and unusual passphrase 42")
    page.get_by_role("button", name="Create my account and join").click()
    expect(page.get_by_text(re.compile("you are in “Autumn cohort”"))).to_be_visible()
    nia = User.objects.get(email="new.learner@example.com")
    assert CohortMembership.objects.filter(cohort=world["cohort"], learner=nia).exists()
    assert not problems, problems


def test_learner_replies_to_feedback_on_a_phone_and_the_mentor_sees_it(page, live_server, world):
    problems = _console_problems(page)
    feedback = FeedbackFactory(
        learner=world["ada"], author=world["mentor"], body="Add a regression set to your evals."
    )
    from roadmap.services.conversations import feedback_notify

    feedback_notify(feedback=feedback)
    page.set_viewport_size(PHONE)
    _log_in(page, live_server, world["ada"])
    page.goto(f"{live_server.url}/notifications/")
    page.get_by_role("link", name="Mia Mentor sent you feedback").click()
    expect(page.get_by_role("heading", name="Feedback for you")).to_be_visible()
    expect(page.get_by_text("Add a regression set to your evals.")).to_be_visible()
    _axe_clean(page)
    page.get_by_label("Reply to this feedback").fill("Which regression set do you suggest?")
    page.get_by_role("button", name="Send reply").click()
    reply = page.locator(".thread-replies li").last
    expect(reply).to_contain_text("Which regression set do you suggest?")
    expect(reply).to_be_focused()
    _axe_clean(page)
    assert FeedbackReply.objects.get().author == world["ada"]
    page.goto(f"{live_server.url}/me/feedback/")
    expect(page.get_by_text("Which regression set do you suggest?")).to_be_visible()
    _axe_clean(page)
    _log_out(page)

    page.set_viewport_size({"width": 1280, "height": 800})
    _log_in(page, live_server, world["mentor"])
    page.goto(f"{live_server.url}/notifications/")
    page.get_by_role("link", name="Ada Learner replied to feedback").click()
    expect(page.get_by_text("Which regression set do you suggest?")).to_be_visible()
    page.goto(f"{live_server.url}/mentor/cohorts/{world['cohort'].pk}/learners/{world['ada'].pk}/")
    thread = page.locator(f"#thread-{feedback.pk}")
    expect(thread).to_contain_text("Which regression set do you suggest?")
    thread.locator("summary", has_text="Reply").click()  # a disclosure on list pages
    thread.get_by_label("Reply to this feedback").fill("The public one from the course.")
    thread.get_by_role("button", name="Send reply").click()
    expect(page.locator(f"#thread-{feedback.pk} .thread-replies li")).to_have_count(2)
    assert FeedbackReply.objects.count() == 2
    assert not problems, problems

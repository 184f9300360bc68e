"""Portfolio (private link, Markdown), calendar (.ics), the project page's "why for you", and
hypothesis over the completion form."""

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase
from icalendar import Calendar

from roadmap.models import PlanItem
from roadmap.services.plans import plan_generate
from tests import factories
from tests.factories_plans import curriculum_with_gaps

pytestmark = pytest.mark.django_db


@pytest.fixture
def learner():
    return factories.LearnerFactory()


@pytest.fixture
def plan(learner):
    path, _c, _p = curriculum_with_gaps(learner)
    plan = plan_generate(learner=learner, path=path)
    first = plan.items.order_by("position").first()
    first.complete(evidence_url="https://github.com/me/first", reflection="Learned chunking.")
    return plan


def test_portfolio_lists_done_items_with_evidence(client, learner, plan):
    client.force_login(learner)
    page = client.get(reverse("roadmap:portfolio")).text
    assert "https://github.com/me/first" in page and "Learned chunking." in page
    assert "Shows:" in page
    assert page.count('<li class="card">') == 1


def test_verified_items_are_marked(client, learner, plan):
    mentor = factories.MentorFactory(full_name="Mo Mentor")
    PlanItem.objects.filter(status="done").update(verified_at=timezone.now(), verified_by=mentor)
    client.force_login(learner)
    assert "verified by Mo Mentor" in client.get(reverse("roadmap:portfolio")).text


def test_private_link_shares_and_revoking_kills_it(client, learner, plan):
    client.force_login(learner)
    client.post(reverse("roadmap:portfolio_link"), {"action": "create"})
    plan.refresh_from_db()
    token = plan.share_token
    assert token
    client.logout()
    public = client.get(reverse("roadmap:portfolio_public", args=[token]))
    assert public.status_code == 200 and "https://github.com/me/first" in public.text
    assert public["X-Robots-Tag"] == "noindex"
    client.force_login(learner)
    client.post(reverse("roadmap:portfolio_link"), {"action": "create"})
    plan.refresh_from_db()
    assert plan.share_token != token
    assert client.get(reverse("roadmap:portfolio_public", args=[token])).status_code == 404
    client.post(reverse("roadmap:portfolio_link"), {"action": "revoke"})
    plan.refresh_from_db()
    assert plan.share_token is None


def test_portfolio_link_refuses_get_and_needs_a_plan(client, learner):
    client.force_login(learner)
    assert client.get(reverse("roadmap:portfolio_link")).status_code == 405
    assert client.post(reverse("roadmap:portfolio_link")).status_code == 404


def test_markdown_export(client, learner, plan):
    client.force_login(learner)
    response = client.get(reverse("roadmap:portfolio_markdown"))
    assert response["Content-Type"].startswith("text/markdown")
    text = response.content.decode()
    assert text.startswith(f"# {learner.display_name}: portfolio")
    assert "- Evidence: <https://github.com/me/first>" in text
    assert "> Learned chunking." in text


def test_portfolio_queries_stay_flat(client, django_assert_max_num_queries):
    for size in (1, 6):
        learner = factories.LearnerFactory()
        path, _c, _p = curriculum_with_gaps(learner, projects=size, competencies=size)
        plan = plan_generate(learner=learner, path=path)
        for item in plan.items.all():
            item.complete(evidence_url="https://example.com/x")
        client.force_login(learner)
        with django_assert_max_num_queries(8):
            client.get(reverse("roadmap:portfolio"))


def test_ics_download_has_spans_and_milestones(client, learner, plan):
    client.force_login(learner)
    response = client.get(reverse("roadmap:plan_ics"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    summaries = [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")]
    items = plan.items.count()
    assert len(summaries) == items + 2 * items
    assert any(s.startswith("Milestone:") for s in summaries)
    uids = [str(e["UID"]) for e in calendar.walk("VEVENT")]
    assert len(set(uids)) == len(uids)  # calendar apps match events by UID


def test_ics_feed_by_token_and_revocation(client, learner, plan):
    client.force_login(learner)
    client.post(reverse("roadmap:plan_calendar_link"), {"action": "create"})
    plan.refresh_from_db()
    token = plan.calendar_token
    client.logout()
    feed = client.get(reverse("roadmap:plan_ics_feed", args=[token]))
    assert feed.status_code == 200 and b"BEGIN:VCALENDAR" in feed.content
    client.force_login(learner)
    client.post(reverse("roadmap:plan_calendar_link"), {"action": "revoke"})
    client.logout()
    assert client.get(reverse("roadmap:plan_ics_feed", args=[token])).status_code == 404


def test_ics_without_a_plan_is_404(client, learner):
    client.force_login(learner)
    assert client.get(reverse("roadmap:plan_ics")).status_code == 404


def test_project_page_says_why_for_this_learner(client, learner):
    _path, comps, projects = curriculum_with_gaps(learner)
    client.force_login(learner)
    page = client.get(projects[0].get_absolute_url()).text
    assert "Why this project for you" in page
    assert f"Takes {comps[0].name} from 1 to 3." in page
    stranger = factories.LearnerFactory()
    client.force_login(stranger)
    assert "Rate yourself first" in client.get(projects[0].get_absolute_url()).text


class TestCompletionFormInput(TestCase):
    """Any completion input is stored whole or refused with a message: never a 500 or half."""

    @classmethod
    def setUpTestData(cls):
        cls.learner = factories.LearnerFactory()
        path, _c, _p = curriculum_with_gaps(cls.learner, projects=1)
        cls.plan = plan_generate(learner=cls.learner, path=path)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        evidence=st.one_of(
            st.text(max_size=80),
            st.from_regex(r"https?://[a-z]{1,20}\.[a-z]{2,5}/[a-zA-Z0-9/_-]{0,40}", fullmatch=True),
            st.just("https://" + "a" * 600 + ".com"),
        ),
        reflection=st.text(max_size=2100),
    )
    def test_valid_and_stored_or_rejected(self, evidence, reflection):
        item = self.plan.items.get()
        PlanItem.objects.filter(pk=item.pk).update(
            status="planned", evidence_url="", reflection="", completed_at=None
        )
        self.client.force_login(self.learner)
        response = self.client.post(
            reverse("roadmap:plan_item_complete", args=[item.pk]),
            {"evidence_url": evidence, "reflection": reflection},
        )
        item.refresh_from_db()
        assert response.status_code in (302, 400)
        if response.status_code == 302:
            assert item.status == "done"
            assert item.evidence_url.startswith(("http://", "https://"))
            assert len(item.evidence_url) <= 500 and len(item.reflection) <= 2000
        else:
            assert 'class="error"' in response.text
            assert item.status == "planned" and item.evidence_url == "" and item.reflection == ""


def test_markdown_quotes_every_line_of_a_reflection(client, learner, plan):
    PlanItem.objects.filter(status="done").update(reflection="one\ntwo")
    client.force_login(learner)
    text = client.get(reverse("roadmap:portfolio_markdown")).content.decode()
    assert "> one\n> two" in text

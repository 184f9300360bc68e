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
    # The project's build levels are not presented as the learner's levels.
    assert "Shows:" not in page and "Practises:" in page
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
        with django_assert_max_num_queries(12):
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
    assert f"Takes {comps[0].name} from Aware to Proficient." in page
    stranger = factories.LearnerFactory()
    client.force_login(stranger)
    assert "Rate yourself first" in client.get(projects[0].get_absolute_url()).text


class TestCompletionFormInput(TestCase):
    """Any completion input is stored whole or refused with a message: never a 500 or half."""

    @classmethod
    def setUpTestData(cls):
        from curriculum import cache as curriculum_cache

        # setUpTestData runs before the autouse cache-emptying fixture: without this, the plan
        # could be generated from another test's cached projects (same ids and tokens after its
        # rollback), and its item would point at a project this database does not have.
        curriculum_cache.clear()
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


def _shared(client, learner, plan):
    client.force_login(learner)
    client.post(reverse("roadmap:portfolio_link"), {"action": "create"})
    plan.refresh_from_db()
    client.logout()
    return client.get(reverse("roadmap:portfolio_public", args=[plan.share_token]))


def test_public_portfolio_shows_the_learners_own_levels_not_the_projects(client, learner, plan):
    from tests.factories_assessment import scale_levels

    scale_levels()
    competency = plan.path.path_competencies.first().competency
    factories.RatingFactory(learner=learner, competency=competency, level=4)
    html = _shared(client, learner, plan).text
    levels = html.split('id="levels-heading"')[1].split("</table>")[0]
    assert f'<th scope="row">{competency.name}</th>' in levels
    assert '<span class="lvl lvl-4">4</span> Expert' in levels
    assert "not reviewed" in levels


def test_self_rated_and_mentor_levels_are_marked_apart(client, learner, plan):
    from roadmap.models import Rating, RatingVerification

    competencies = [pc.competency for pc in plan.path.path_competencies.order_by("position")]
    own = factories.RatingFactory(learner=learner, competency=competencies[0], level=3)
    mentor = factories.MentorFactory()
    RatingVerification.objects.create(rating=own, mentor=mentor)
    factories.RatingFactory(
        learner=learner, competency=competencies[1], level=2, source=Rating.Source.MENTOR
    )
    html = _shared(client, learner, plan).text
    rows = html.split('id="levels-heading"')[1].split("<tbody>")[1].split("</tr>")
    first = next(r for r in rows if competencies[0].name in r)
    second = next(r for r in rows if competencies[1].name in r)
    assert "self-rating verified" in first
    mentor_cell = second.split("<td>")[2]
    assert '<span class="lvl lvl-2">2</span>' in mentor_cell


def test_public_portfolio_has_readiness_headline_preview_tags_and_no_email(client, learner, plan):
    learner.headline = "Analyst <moving> into AI"
    learner.bio = "Ten years of SQL."
    learner.save()
    response = _shared(client, learner, plan)
    html = response.text
    assert "Readiness" in html and "aiming for" in html
    assert "Analyst &lt;moving&gt; into AI" in html and "Ten years of SQL." in html
    assert (
        '<meta property="og:title"' in html
        and '<meta name="twitter:card" content="summary">' in html
    )
    assert '<meta property="og:description" content="Analyst &lt;moving&gt; into AI">' in html
    assert '<meta name="robots" content="noindex">' in html
    assert learner.email not in html


def test_profile_saves_headline_and_bio_and_refuses_long_ones(client, learner):
    client.force_login(learner)
    data = {
        "full_name": "Ana",
        "timezone": "UTC",
        "weekly_hours": 6,
        "target_path": "",
        "target_date": "",
        "headline": "Data analyst moving into AI",
        "bio": "Short.",
    }
    assert client.post(reverse("roadmap:profile"), data).status_code == 302
    learner.refresh_from_db()
    assert learner.headline == "Data analyst moving into AI" and learner.bio == "Short."
    response = client.post(reverse("roadmap:profile"), {**data, "headline": "x" * 121})
    assert response.status_code == 200
    assert "Keep the headline under 120 characters." in response.text
    learner.refresh_from_db()
    assert learner.headline == "Data analyst moving into AI"

"""A learner withdraws a rating (issue 14, item 1): a confirmation, then a history entry that
leaves the competency unrated (nothing lost); readiness, gaps, the dashboard's history and the
plan follow; "Undo" rates it again as it was. Through HTTP, htmx and plain POST."""

import pytest
from django.urls import reverse

from roadmap.models import CurrentRating, Rating
from roadmap.services.assessment import current_ratings_rebuild, rating_record
from roadmap.services.plans import plan_generate
from tests import factories
from tests.factories_assessment import scale_levels
from tests.roadmap.assessment_setup import learner_on, path_with_competencies

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def world(client):
    scale_levels()
    path, pcs = path_with_competencies(2, target=3, weight=1)
    learner = learner_on(path)
    first, second = (pc.competency for pc in pcs)
    rating_record(
        learner=learner,
        competency=first,
        level=3,
        note="Shipped it",
        evidence_url="https://x.org/a",
    )
    rating_record(learner=learner, competency=second, level=3)
    client.force_login(learner)
    return learner, first, second


def url(competency):
    return reverse("roadmap:rating_withdraw", args=[competency.pk])


def readiness(client):
    return client.get(reverse("roadmap:assess")).context["summary"]["readiness"]


def test_get_asks_first_and_changes_nothing(client, world):
    learner, first, _ = world
    response = client.get(url(first))
    html = response.content.decode()
    assert response.status_code == 200
    assert f"Withdraw your rating of {first.name}?" in html and "3 Proficient" in html
    assert 'name="keep"' in html and "csrfmiddlewaretoken" in html
    assert Rating.objects.filter(learner=learner).count() == 2


def test_htmx_get_puts_the_question_in_place_of_the_row(client, world):
    _, first, _ = world
    html = client.get(url(first), **HTMX).content.decode()
    assert html.startswith(f'<section class="card assess-row" id="competency-{first.pk}"')
    assert "<html" not in html and "data-focus-after-swap" in html


def test_plain_post_withdraws_keeps_the_history_and_says_how_to_undo(client, world):
    learner, first, second = world
    assert readiness(client) == 100
    response = client.post(url(first), {"withdraw": "1"}, follow=True)
    assert response.redirect_chain[-1][0].endswith(
        f"{reverse('roadmap:assess')}#competency-{first.pk}"
    )
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [
        f"Withdrew your rating of {first.name} (it was 3 Proficient). To undo, rate it again."
    ]
    history = list(Rating.objects.filter(learner=learner, competency=first).order_by("id"))
    assert [(r.level, r.withdrawn, r.previous_level) for r in history] == [
        (3, False, 0),
        (0, True, 3),
    ]
    assert not CurrentRating.objects.filter(learner=learner, competency=first).exists()
    assert readiness(client) == 50
    summary = client.get(reverse("roadmap:assess")).context["summary"]
    assert summary["rated"] == 1


def test_htmx_post_answers_the_unrated_row_with_undo_and_the_summary(client, world):
    _, first, _ = world
    html = client.post(url(first), {"withdraw": "1"}, **HTMX).content.decode()
    assert f'id="competency-{first.pk}"' in html and "<b>not rated yet</b>" in html
    assert "Rating withdrawn (it was 3 Proficient)." in html
    assert 'name="level" value="3"' in html and 'value="Shipped it"' in html
    assert 'value="https://x.org/a"' in html
    assert 'id="readiness-summary"' in html and 'hx-swap-oob="true"' in html and "50%" in html


def test_undo_rates_it_again_as_it_was(client, world):
    learner, first, _ = world
    client.post(url(first), {"withdraw": "1"}, **HTMX)
    undo = {"level": "3", "note": "Shipped it", "evidence_url": "https://x.org/a"}
    client.post(reverse("roadmap:rate", args=[first.pk]), undo, **HTMX)
    current = CurrentRating.objects.select_related("rating").get(learner=learner, competency=first)
    assert (current.level, current.rating.note, current.rating.evidence_url) == (
        3,
        "Shipped it",
        "https://x.org/a",
    )
    assert Rating.objects.filter(learner=learner, competency=first).count() == 3
    assert readiness(client) == 100


def test_keep_changes_nothing(client, world):
    learner, first, _ = world
    html = client.post(url(first), {"keep": "1"}, **HTMX).content.decode()
    assert "<b>3 Proficient</b>" in html and "withdrawn" not in html
    assert client.post(url(first), {"keep": "1"}).status_code == 302
    assert Rating.objects.filter(learner=learner).count() == 2


def test_withdrawing_twice_stores_one_entry(client, world):
    learner, first, _ = world
    client.post(url(first), {"withdraw": "1"}, follow=True)
    response = client.post(url(first), {"withdraw": "1"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [
        f"{first.name} is not rated, so there is nothing to withdraw."
    ]
    assert Rating.objects.filter(learner=learner, withdrawn=True).count() == 1
    assert client.get(url(first)).status_code == 302  # no question about an unrated row


def test_the_row_offers_withdrawal_only_when_rated(client, world):
    learner, first, _ = world
    levels = reverse("roadmap:assess_levels", args=[first.pk])
    assert f'hx-get="{url(first)}"' in client.get(levels, **HTMX).content.decode()
    assert f'href="{url(first)}"' in client.get(levels).content.decode()  # without JavaScript
    client.post(url(first), {"withdraw": "1"})
    assert url(first) not in client.get(levels, **HTMX).content.decode()


def test_gaps_dashboard_and_plan_follow(client, world):
    learner, first, _ = world
    path = learner.target_path
    project = factories.ProjectFactory(path=path)
    factories.ProjectCompetencyFactory(project=project, competency=first, builds_to_level=3)
    assert plan_generate(learner=learner, path=path).items.count() == 0  # nothing to close
    client.post(url(first), {"withdraw": "1"})
    assert client.get(reverse("roadmap:gaps")).status_code == 200
    assert Rating.objects.latest_levels(learner) == {world[2].pk: 3}
    assert plan_generate(learner=learner, path=path).items.count() == 1  # the gap is back
    assert client.get(reverse("roadmap:dashboard")).status_code == 200


def test_rebuilding_current_ratings_keeps_a_withdrawal(world):
    learner, first, second = world
    from roadmap.services.assessment import rating_withdraw

    rating_withdraw(learner=learner, competency=first)
    current_ratings_rebuild(learner_ids=[learner.pk])
    assert set(CurrentRating.objects.values_list("competency_id", flat=True)) == {second.pk}


def test_another_learners_competency_and_wrong_methods(client, world):
    _, first, _ = world
    other_path, other_pcs = path_with_competencies(1, slug="other", name="Other")
    not_mine = other_pcs[0].competency
    assert client.get(url(not_mine)).status_code == 404
    assert client.post(url(not_mine), {"withdraw": "1"}).status_code == 404
    assert client.put(url(first)).status_code == 405
    assert client.delete(url(first)).status_code == 405


def test_another_learner_cannot_withdraw_mine(client, world):
    learner, first, _ = world
    outsider = factories.LearnerFactory(target_path=None)
    client.force_login(outsider)
    assert client.post(url(first), {"withdraw": "1"}).status_code == 404
    same_path = learner_on(learner.target_path)
    client.force_login(same_path)
    client.post(url(first), {"withdraw": "1"})  # their own (unrated) row: nothing to withdraw
    assert CurrentRating.objects.filter(learner=learner, competency=first).exists()


def test_anonymous_is_sent_to_log_in(client, world):
    _, first, _ = world
    client.logout()
    response = client.post(url(first), {"withdraw": "1"})
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_csrf_is_required(world):
    from django.test import Client

    learner, first, _ = world
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(learner)
    assert strict.post(url(first), {"withdraw": "1"}).status_code == 403
    assert CurrentRating.objects.filter(learner=learner, competency=first).exists()


def test_a_mentor_sees_the_withdrawal_in_the_history_and_cannot_verify_it(client, world):
    learner, first, _ = world
    client.post(url(first), {"withdraw": "1"})
    mentor = factories.MentorFactory()
    cohort = factories.CohortFactory(path=learner.target_path)
    cohort.mentors.add(mentor)
    factories.CohortMembershipFactory(cohort=cohort, learner=learner)
    client.force_login(mentor)
    html = client.get(reverse("roadmap:mentor_learner", args=[cohort.pk, learner.pk])).content
    assert "Withdrawn</span> (was 3)" in html.decode()
    withdrawal = Rating.objects.get(withdrawn=True)
    verify = reverse("roadmap:mentor_rating_verify", args=[cohort.pk, learner.pk, withdrawal.pk])
    assert client.post(verify, {"comment": ""}).status_code == 404


def test_the_data_export_and_the_api_mark_the_withdrawal(client, world):
    _, first, _ = world
    client.post(url(first), {"withdraw": "1"})
    data = client.get(reverse("roadmap:export_json")).json()
    rows = [r for r in data["ratings"] if r["competency_slug"] == first.slug]
    assert [(r["level"], r["withdrawn"]) for r in rows] == [(3, False), (0, True)]
    lines = b"".join(client.get(reverse("roadmap:export_csv")).streaming_content).decode()
    lines = lines.splitlines()
    assert lines[0].endswith(",evidence_url,withdrawn")
    assert sum(line.endswith(",True") for line in lines) == 1

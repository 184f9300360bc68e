"""The mentor's learner page, compact: Verify acts on the latest self-rating (the history is
collapsed and has no buttons), sign-off is offered on checkpoints of started or done projects
only, and every label says whose rating it is. Flat query counts at two sizes."""

import re

import pytest
from django.urls import reverse

from roadmap.models import CheckpointSignOff, Rating, RatingVerification
from roadmap.services import mentoring as svc
from tests import factories
from tests.roadmap.test_mentoring_views import Setup

pytestmark = pytest.mark.django_db


@pytest.fixture
def s():
    return Setup(learners=1, competencies=3)


def _verify_url(s, learner, rating):
    return reverse("roadmap:mentor_rating_verify", args=[s.cohort.pk, learner.pk, rating.pk])


def _sign_url(s, learner, checkpoint):
    return reverse(
        "roadmap:mentor_checkpoint_signoff", args=[s.cohort.pk, learner.pk, checkpoint.pk]
    )


def _messages(response):
    return [str(m) for m in response.context["messages"]]


def test_verify_is_offered_on_the_latest_self_rating_only(client, s):
    (ada,) = s.learners
    older = [s.rate(ada, 0, level, days_ago=10 - level) for level in (1, 2, 3)]
    latest = s.rate(ada, 0, 4)
    other = s.rate(ada, 1, 2)
    client.force_login(s.mentor)
    text = client.get(s.learner_url(ada)).text
    actions = re.findall(r'action="([^"]*/verify/)"', text)
    assert sorted(actions) == sorted([_verify_url(s, ada, latest), _verify_url(s, ada, other)])
    for rating in older:
        assert _verify_url(s, ada, rating) not in text
    history = text[text.index('id="history-h"') : text.index('id="feedback-h"')]
    assert "<details>" in history and "Verify" not in history.replace("Verified", "")


def test_verifying_an_older_rating_is_refused_and_stores_nothing(client, s):
    (ada,) = s.learners
    older = s.rate(ada, 0, 2, days_ago=3)
    latest = s.rate(ada, 0, 3)
    client.force_login(s.mentor)
    response = client.post(_verify_url(s, ada, older), follow=True)
    assert response.status_code == 200
    assert not RatingVerification.objects.exists()
    (message,) = _messages(response)
    assert "rated" in message and "latest" in message
    assert client.post(_verify_url(s, ada, latest)).status_code == 302
    assert RatingVerification.objects.get().rating == latest


def test_labels_say_whose_rating_is_whose(client, s):
    (ada,) = s.learners
    rating = s.rate(ada, 0, 3)
    colleague = factories.MentorFactory(full_name="Ravi Colleague")
    s.cohort.mentors.add(colleague)
    svc.rating_verify(mentor=colleague, rating=rating)
    s.rate(ada, 0, 2, source=Rating.Source.MENTOR, by=colleague)
    s.rate(ada, 1, 1, source=Rating.Source.MENTOR, by=s.mentor)
    client.force_login(s.mentor)
    text = client.get(s.learner_url(ada)).text
    levels = text[text.index('id="levels-h"') : text.index('id="plan-h"')]
    assert "Self-rated" in levels and "Mentor-rated" in levels
    assert "Verified by Ravi Colleague" in levels
    assert "Rated by Ravi Colleague" in levels and "Rated by you" in levels
    # the mentor has not verified it yet: their button is still there
    assert _verify_url(s, ada, rating) in levels
    svc.rating_verify(mentor=s.mentor, rating=rating)
    text = client.get(s.learner_url(ada)).text
    assert "Verified by you" in text and _verify_url(s, ada, rating) not in text


def test_sign_off_is_offered_on_started_or_done_projects_only(client, s):
    (ada,) = s.learners
    started, done, waiting = (
        factories.ProjectFactory(path=s.path, name=name) for name in ("Started", "Done", "Waiting")
    )
    cps = {p.name: factories.ProjectCheckpointFactory(project=p) for p in (started, done, waiting)}
    s.start(ada, started)
    s.start(ada, done).complete(evidence_url="https://example.com/work")
    client.force_login(s.mentor)
    text = client.get(s.learner_url(ada)).text
    assert _sign_url(s, ada, cps["Started"]) in text and _sign_url(s, ada, cps["Done"]) in text
    assert _sign_url(s, ada, cps["Waiting"]) not in text
    waiting_part = text[text.index("Projects not started yet") :]
    assert "Waiting" in waiting_part and "1 checkpoint" in waiting_part


def test_signing_off_a_checkpoint_of_an_unstarted_project_is_refused(client, s):
    (ada,) = s.learners
    project = factories.ProjectFactory(path=s.path, name="Not yet")
    checkpoint = factories.ProjectCheckpointFactory(project=project)
    # planned, or started by someone else, is not started by ada
    from tests.factories_plans import PlanFactory, PlanItemFactory

    PlanItemFactory(plan=PlanFactory(learner=ada, path=s.path), project=project)
    s.start(factories.LearnerFactory(), project)
    client.force_login(s.mentor)
    response = client.post(_sign_url(s, ada, checkpoint), {"comment": "ok"}, follow=True)
    assert response.status_code == 200
    assert not CheckpointSignOff.objects.exists()
    (message,) = _messages(response)
    assert "has not started “Not yet”" in message


def test_no_started_project_says_so(client, s):
    (ada,) = s.learners
    factories.ProjectFactory(path=s.path)
    client.force_login(s.mentor)
    assert "has not started a project yet" in client.get(s.learner_url(ada)).text


def test_feedback_thread_has_its_place(client, s):
    (ada,) = s.learners
    client.force_login(s.mentor)
    response = client.get(s.learner_url(ada))
    names = [t.name for t in response.templates]
    assert "roadmap/mentoring/_feedback_thread.html" in names
    assert 'id="feedback"' in response.text


def test_wrong_method_anonymous_and_outsider(client, s):
    (ada,) = s.learners
    url = s.learner_url(ada)
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(factories.MentorFactory())
    assert client.get(url).status_code == 404
    client.force_login(s.mentor)
    assert client.post(url).status_code == 405


def _grow(setup, learner, size):
    for i in range(size):
        rating = setup.rate(learner, i % 3, i % 5, days_ago=i + 1)
        svc.rating_verify(mentor=setup.mentor, rating=rating)
        project = factories.ProjectFactory(path=setup.path)
        checkpoint = factories.ProjectCheckpointFactory(project=project)
        factories.ProjectCheckpointFactory(project=project)
        if i % 2:
            setup.start(learner, project)
            svc.checkpoint_sign_off(mentor=setup.mentor, learner=learner, checkpoint=checkpoint)
        setup.rate(learner, i % 3, (i + 1) % 5, source=Rating.Source.MENTOR, by=setup.mentor)
        svc.feedback_give(mentor=setup.mentor, learner=learner, body=f"note {i}")


@pytest.mark.parametrize("size", [2, 14])
def test_query_count_is_flat(client, django_assert_max_num_queries, size):
    setup = Setup(learners=1, competencies=3)
    (learner,) = setup.learners
    _grow(setup, learner, size)
    client.force_login(setup.mentor)
    with django_assert_max_num_queries(22):
        assert client.get(setup.learner_url(learner)).status_code == 200

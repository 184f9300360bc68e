"""A verify or sign-off comment over 500 characters is refused with a message and nothing is
stored (it used to be dropped silently while the page said it was done)."""

import pytest
from django.urls import reverse

from roadmap.models import CheckpointSignOff, RatingVerification
from tests import factories
from tests.roadmap.test_mentoring_views import Setup

pytestmark = pytest.mark.django_db

TOO_LONG = "x" * 501


@pytest.fixture
def s():
    return Setup(learners=1)


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_over_long_verify_comment_is_refused_with_a_message_and_nothing_stored(client, s):
    (ada,) = s.learners
    rating = s.rate(ada, 0, 2)
    client.force_login(s.mentor)
    url = reverse("roadmap:mentor_rating_verify", args=[s.cohort.pk, ada.pk, rating.pk])
    response = client.post(url, {"comment": TOO_LONG}, follow=True)
    assert response.status_code == 200
    assert not RatingVerification.objects.exists()
    (message,) = messages_of(response)
    assert "at most 500 characters" in message and "501" in message
    assert "verified" not in message
    # 500 exactly is fine, and kept whole
    client.post(url, {"comment": "y" * 500})
    assert RatingVerification.objects.get().comment == "y" * 500


def test_over_long_sign_off_comment_is_refused_with_a_message_and_nothing_stored(client, s):
    (ada,) = s.learners
    checkpoint = factories.ProjectCheckpointFactory(project=factories.ProjectFactory(path=s.path))
    s.start(ada, checkpoint.project)
    client.force_login(s.mentor)
    url = reverse("roadmap:mentor_checkpoint_signoff", args=[s.cohort.pk, ada.pk, checkpoint.pk])
    response = client.post(url, {"comment": TOO_LONG}, follow=True)
    assert response.status_code == 200
    assert not CheckpointSignOff.objects.exists()
    (message,) = messages_of(response)
    assert "at most 500 characters" in message and "signed off" not in message
    client.post(url, {"comment": "Meets the threshold"})
    assert CheckpointSignOff.objects.get().comment == "Meets the threshold"

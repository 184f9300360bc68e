"""Identical rating POSTs within a few seconds (a double click, a resent form) are one history
row; anything that differs, or comes later, is a rating of its own (issue 18, item 7)."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from roadmap.models import CurrentRating, Rating
from roadmap.services.assessment import DUPLICATE_WINDOW, rating_record
from tests import factories
from tests.factories_assessment import scale_levels
from tests.roadmap.assessment_setup import learner_on, path_with_competencies

DATA = {"level": "2", "note": "Built a CLI", "evidence_url": "https://example.com/cli"}


@pytest.fixture
def world(db):
    scale_levels()
    path, pcs = path_with_competencies(2)
    learner = learner_on(path)
    return learner, [pc.competency for pc in pcs]


def rate_url(competency):
    return reverse("roadmap:rate", args=[competency.pk])


def test_the_same_post_twice_is_one_history_row(client, world):
    learner, (competency, _) = world
    client.force_login(learner)
    for _ in range(3):
        assert client.post(rate_url(competency), DATA).status_code == 302
    assert Rating.objects.filter(learner=learner).count() == 1
    assert CurrentRating.objects.get(learner=learner).level == 2


def test_the_same_htmx_post_twice_answers_the_saved_row_both_times(client, world):
    learner, (competency, _) = world
    client.force_login(learner)
    answers = [client.post(rate_url(competency), DATA, HTTP_HX_REQUEST="true") for _ in range(2)]
    assert [a.status_code for a in answers] == [200, 200]
    assert all(f'id="competency-{competency.pk}"' in a.content.decode() for a in answers)
    assert Rating.objects.filter(learner=learner).count() == 1


@pytest.mark.parametrize(
    "change",
    [{"level": "3"}, {"note": "Built two CLIs"}, {"evidence_url": "https://example.com/other"}],
)
def test_a_post_that_differs_in_anything_is_a_rating_of_its_own(client, world, change):
    learner, (competency, _) = world
    client.force_login(learner)
    client.post(rate_url(competency), DATA)
    client.post(rate_url(competency), {**DATA, **change})
    assert Rating.objects.filter(learner=learner).count() == 2


def test_the_same_level_for_another_competency_is_stored(client, world):
    learner, (first, second) = world
    client.force_login(learner)
    client.post(rate_url(first), DATA)
    client.post(rate_url(second), DATA)
    assert Rating.objects.filter(learner=learner).count() == 2


def test_the_same_rating_again_after_the_window_is_a_new_history_row(world):
    learner, (competency, _) = world
    then = timezone.now() - DUPLICATE_WINDOW - dt.timedelta(seconds=1)
    fields = {"learner": learner, "competency": competency, "level": 2, "note": "n"}
    rating_record(**fields, at=then)
    rating_record(**fields)
    assert Rating.objects.filter(learner=learner).count() == 2


def test_back_and_forth_within_the_window_keeps_every_change(world):
    learner, (competency, _) = world
    for level in (2, 3, 2):
        rating_record(learner=learner, competency=competency, level=level)
    assert list(Rating.objects.order_by("id").values_list("level", flat=True)) == [2, 3, 2]
    assert CurrentRating.objects.get(learner=learner).level == 2


def test_a_mentor_rating_equal_to_the_self_rating_is_its_own_row(world):
    learner, (competency, _) = world
    mentor = factories.MentorFactory()
    rating_record(learner=learner, competency=competency, level=2)
    rating_record(learner=learner, competency=competency, level=2, source="mentor", rated_by=mentor)
    assert Rating.objects.filter(learner=learner).count() == 2


@pytest.mark.django_db(transaction=True)
def test_parallel_identical_posts_store_one_rating():
    """Twelve identical POSTs at once, each on its own database connection: one history row.
    Runs on SQLite (writes serialised by BEGIN IMMEDIATE) and on PostgreSQL (the learner's row
    locked), where it failed with one row per request before."""
    scale_levels()
    path, pcs = path_with_competencies(1)
    learner = learner_on(path)
    url = rate_url(pcs[0].competency)
    count = 12
    barrier = threading.Barrier(count)
    statuses = []

    def post():
        try:
            client = Client(raise_request_exception=False)
            client.force_login(learner)
            barrier.wait()
            statuses.append(client.post(url, DATA).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert statuses == [302] * count
    assert Rating.objects.filter(learner=learner).count() == 1
    assert CurrentRating.objects.get(learner=learner).level == 2

"""CurrentRating (the newest rating per learner, competency and source) and Rating.previous_level:
kept by rating_store / rating_record, rebuilt by current_ratings_rebuild and the 0006 backfill,
and read by Rating.objects.latest_levels and the assessment pages."""

import datetime as dt
import importlib
import random

import pytest
from django.apps import apps
from django.db.models import F, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from roadmap.models import CurrentRating, Rating
from roadmap.services.assessment import current_ratings_rebuild, rating_record
from tests import factories

pytestmark = pytest.mark.django_db

NOW = timezone.now()
SELF, MENTOR = Rating.Source.SELF, Rating.Source.MENTOR


def current(learner):
    return {
        (c.competency_id, c.source): (c.level, c.rating_id)
        for c in CurrentRating.objects.filter(learner=learner)
    }


def expected_current(learner):
    """The newest rating per (competency, source), straight from the history."""
    newest = (
        Rating.objects.filter(learner=learner)
        .order_by()
        .annotate(
            n=Window(
                RowNumber(),
                partition_by=[F("competency_id"), F("source")],
                order_by=[F("created_at").desc(), F("id").desc()],
            )
        )
        .filter(n=1)
    )
    return {(r.competency_id, r.source): (r.level, r.pk) for r in newest}


def expected_previous(learner):
    """{rating id: level of the rating before it (same competency and source), 0 if none}."""
    previous, last = {}, {}
    for r in Rating.objects.filter(learner=learner).order_by("created_at", "id"):
        previous[r.pk] = last.get((r.competency_id, r.source), 0)
        last[(r.competency_id, r.source)] = r.level
    return previous


def stored_previous(learner):
    return dict(Rating.objects.filter(learner=learner).values_list("pk", "previous_level"))


def test_rating_record_keeps_the_newest_per_competency_and_source():
    learner, mentor = factories.LearnerFactory(), factories.MentorFactory()
    python, sql = factories.CompetencyFactory(), factories.CompetencyFactory()
    first = rating_record(learner=learner, competency=python, level=1, at=NOW - dt.timedelta(1))
    assert current(learner) == {(python.pk, SELF): (1, first.pk)}
    second = rating_record(learner=learner, competency=python, level=3, at=NOW)
    by_mentor = rating_record(
        learner=learner, competency=python, level=2, source=MENTOR, rated_by=mentor, at=NOW
    )
    other = rating_record(learner=learner, competency=sql, level=4, at=NOW)
    assert current(learner) == {
        (python.pk, SELF): (3, second.pk),
        (python.pk, MENTOR): (2, by_mentor.pk),
        (sql.pk, SELF): (4, other.pk),
    }
    assert stored_previous(learner) == {first.pk: 0, second.pk: 1, by_mentor.pk: 0, other.pk: 0}
    # the mentor's rating is not the learner's level
    assert Rating.objects.latest_levels(learner) == {python.pk: 3, sql.pk: 4}


def test_rating_record_writes_without_a_nested_savepoint():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    learner, python = factories.LearnerFactory(), factories.CompetencyFactory()
    rating_record(learner=learner, competency=python, level=1, at=NOW - dt.timedelta(1))
    with CaptureQueriesContext(connection) as captured:
        rating_record(learner=learner, competency=python, level=2, at=NOW)
    statements = [q["sql"].split()[0].upper() for q in captured.captured_queries]
    # The test's transaction makes rating_record's block a savepoint; rating_store adds none.
    assert statements.count("SAVEPOINT") == 1
    # lock the learner, read the current rows, insert the rating, upsert the current row, touch
    # the activity
    assert len(statements) == 1 + 5 + 1
    assert current(learner) == expected_current(learner)


def test_a_back_dated_rating_is_slotted_into_the_history():
    learner, python = factories.LearnerFactory(), factories.CompetencyFactory()
    old = rating_record(learner=learner, competency=python, level=1, at=NOW - dt.timedelta(10))
    new = rating_record(learner=learner, competency=python, level=4, at=NOW)
    middle = rating_record(learner=learner, competency=python, level=2, at=NOW - dt.timedelta(5))
    assert current(learner) == {(python.pk, SELF): (4, new.pk)}
    assert stored_previous(learner) == {old.pk: 0, middle.pk: 1, new.pk: 2}
    # back-dated before everything
    first = rating_record(learner=learner, competency=python, level=3, at=NOW - dt.timedelta(20))
    assert stored_previous(learner) == {first.pk: 0, old.pk: 3, middle.pk: 1, new.pk: 2}
    assert current(learner) == expected_current(learner)


def test_same_moment_the_later_rating_wins():
    learner, python = factories.LearnerFactory(), factories.CompetencyFactory()
    rating_record(learner=learner, competency=python, level=1, at=NOW)
    later = rating_record(learner=learner, competency=python, level=3, at=NOW)
    assert current(learner) == {(python.pk, SELF): (3, later.pk)}
    assert Rating.objects.get(pk=later.pk).previous_level == 1


def test_random_histories_match_the_window_query():
    rng = random.Random(7)
    learner, mentor = factories.LearnerFactory(), factories.MentorFactory()
    comps = [factories.CompetencyFactory() for _ in range(3)]
    for _ in range(40):
        source = rng.choice([SELF, SELF, MENTOR])
        rating_record(
            learner=learner,
            competency=rng.choice(comps),
            level=rng.randint(0, 4),
            source=source,
            rated_by=mentor if source == MENTOR else None,
            at=NOW - dt.timedelta(hours=rng.randint(0, 20)),  # ties and back-dating
        )
    assert current(learner) == expected_current(learner)
    assert stored_previous(learner) == expected_previous(learner)


def test_the_factory_goes_through_the_service():
    rating = factories.RatingFactory(level=3)
    assert current(rating.learner) == {(rating.competency_id, SELF): (3, rating.pk)}


def _bulk_history(learner, comps, mentor):
    rng = random.Random(3)
    Rating.objects.bulk_create(
        Rating(
            learner=learner,
            competency=rng.choice(comps),
            level=rng.randint(0, 4),
            source=source,
            rated_by=mentor if source == MENTOR else learner,
            created_at=NOW - dt.timedelta(hours=rng.randint(0, 30)),
        )
        for source in [SELF, MENTOR] * 15
    )


def test_rebuild_after_bulk_writes_only_touches_the_learners_named():
    mentor = factories.MentorFactory()
    comps = [factories.CompetencyFactory() for _ in range(3)]
    ada, bob = factories.LearnerFactory(), factories.LearnerFactory()
    _bulk_history(ada, comps, mentor)
    _bulk_history(bob, comps, mentor)
    assert not CurrentRating.objects.exists()
    assert current_ratings_rebuild(learner_ids=[ada.pk]) == len(expected_current(ada))
    assert current(ada) == expected_current(ada)
    assert stored_previous(ada) == expected_previous(ada)
    assert current(bob) == {}
    # rebuilding again (everyone) is idempotent
    current_ratings_rebuild()
    assert current(ada) == expected_current(ada) and current(bob) == expected_current(bob)
    assert stored_previous(bob) == expected_previous(bob)


def test_migration_backfill_derives_the_same_rows():
    backfill = importlib.import_module("roadmap.migrations.0006_current_ratings").backfill
    mentor = factories.MentorFactory()
    comps = [factories.CompetencyFactory() for _ in range(3)]
    ada = factories.LearnerFactory()
    _bulk_history(ada, comps, mentor)
    backfill(apps, None)
    assert current(ada) == expected_current(ada)
    assert stored_previous(ada) == expected_previous(ada)


def test_latest_reads_come_from_current_ratings_and_history_stays_on_ratings():
    learner, python = factories.LearnerFactory(), factories.CompetencyFactory()
    sql = factories.CompetencyFactory()
    rating_record(learner=learner, competency=python, level=1, at=NOW - dt.timedelta(days=10))
    latest = rating_record(
        learner=learner, competency=python, level=3, evidence_url="https://example.com/x"
    )
    assert CurrentRating.objects.get(learner=learner, competency=python).rating_id == latest.pk
    rating_record(learner=learner, competency=sql, level=2)
    assert Rating.objects.latest_levels(learner) == {python.pk: 3, sql.pk: 2}
    assert Rating.objects.latest_levels(learner, at=NOW - dt.timedelta(days=5)) == {python.pk: 1}


def test_deleting_a_learner_deletes_their_current_rows():
    rating = factories.RatingFactory()
    rating.learner.delete()
    assert not CurrentRating.objects.exists()


def test_activity_is_written_once_per_resolution_window():
    """last_activity_at moves with each rating, but a save within ACTIVITY_RESOLUTION of the
    stored moment skips the write (what reads it counts days)."""
    from accounts.models import User
    from roadmap.services.assessment import ACTIVITY_RESOLUTION

    learner = factories.LearnerFactory()
    competency = factories.CompetencyFactory()
    first = NOW - dt.timedelta(hours=1)
    rating_record(learner=learner, competency=competency, level=1, at=first)
    assert User.objects.get(pk=learner.pk).last_activity_at == first

    soon = first + ACTIVITY_RESOLUTION - dt.timedelta(seconds=1)
    rating_record(learner=learner, competency=competency, level=2, at=soon)
    assert User.objects.get(pk=learner.pk).last_activity_at == first

    later = first + ACTIVITY_RESOLUTION
    rating_record(learner=learner, competency=competency, level=3, at=later)
    assert User.objects.get(pk=learner.pk).last_activity_at == later
    assert learner.last_activity_at == later

    # A copy of the learner that never saw a moment (loaded before the first) writes.
    stale = User.objects.get(pk=learner.pk)
    stale.last_activity_at = None
    rating_record(learner=stale, competency=competency, level=2, at=first)
    assert User.objects.get(pk=learner.pk).last_activity_at == first

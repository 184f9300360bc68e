from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import NamedTuple

from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery, Value, Window
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from accounts.models import User
from curriculum.models import Competency, Path
from roadmap.models import CurrentRating, PathSelection, Rating

# Identical rating POSTs this close together (a double click, a resent form, a flaky network's
# retry) are one rating: the later ones return the first instead of adding a history row.
DUPLICATE_WINDOW = timedelta(seconds=10)

# What reads last_activity_at (inactivity reminders, a cohort's "last active") counts days, so a
# moment within this long after the stored one is not written again: a learner rating forty
# competencies in a row costs one UPDATE of their row, not forty.
ACTIVITY_RESOLUTION = timedelta(minutes=5)


def activity_touch(*, learner: User, at=None) -> None:
    """Record that the learner did something (assessed, updated their plan) just now."""
    at = at or timezone.now()
    last = learner.last_activity_at
    if last is not None and last <= at < last + ACTIVITY_RESOLUTION:
        return
    User.objects.filter(pk=learner.pk).update(last_activity_at=at)
    learner.last_activity_at = at


class CurrentLevel(NamedTuple):
    """A learner's current rating of one competency (of one source): its level and date."""

    level: int
    created_at: datetime


def rating_record(
    *,
    learner: User,
    competency: Competency,
    level: int,
    note: str = "",
    evidence_url: str = "",
    source: str = Rating.Source.SELF,
    rated_by: User | None = None,
    at=None,
) -> Rating:
    """Append a rating; the newest one per competency is the learner's current level."""
    rating, _ = rating_record_with_levels(
        learner=learner,
        competency=competency,
        level=level,
        note=note,
        evidence_url=evidence_url,
        source=source,
        rated_by=rated_by,
        at=at,
    )
    return rating


@transaction.atomic
def rating_record_with_levels(
    *,
    learner: User,
    competency: Competency,
    level: int,
    note: str = "",
    evidence_url: str = "",
    source: str = Rating.Source.SELF,
    rated_by: User | None = None,
    at=None,
) -> tuple[Rating, dict[int, CurrentLevel]]:
    """rating_record, and the learner's current ratings of that source after it
    ({competency_id: CurrentLevel}, read under the same lock as the write): the assessment's
    htmx answer shows the readiness with them, without reading them again.

    A rating identical to the current one (same level, note, evidence and rater) made within
    DUPLICATE_WINDOW before it is not stored again: the current one is returned."""
    # The learner's row, locked: the same learner's ratings are written one after another, so a
    # double-submit waits for the first and then sees it (locking their CurrentRating rows would
    # miss a competency's first rating, which has no row to lock yet).
    list(User.objects.select_for_update().filter(pk=learner.pk).values_list("pk"))
    rating, current = _store(
        Rating(
            learner=learner,
            competency=competency,
            level=level,
            note=note,
            evidence_url=evidence_url,
            source=source,
            rated_by=rated_by or learner,
            created_at=at or timezone.now(),
        ),
        duplicate_window=DUPLICATE_WINDOW,
    )
    if source == Rating.Source.SELF:
        activity_touch(learner=learner, at=rating.created_at)
    return rating, current


@transaction.atomic
def rating_withdraw(*, learner: User, competency: Competency, at=None) -> Rating | None:
    """Take back the learner's current self-rating of `competency`. Nothing is deleted: the
    withdrawal is a history entry (level 0, `withdrawn`), so readiness, gaps, charts and the plan
    read the competency as unrated again, and rating it again undoes it. None when it was not
    rated (a second click, a stale page)."""
    list(
        User.objects.select_for_update().filter(pk=learner.pk).values_list("pk")
    )  # as rating_record
    current = CurrentRating.objects.filter(
        learner=learner, competency=competency, source=Rating.Source.SELF
    ).first()
    if current is None:
        return None
    withdrawal = Rating.objects.create(
        learner=learner,
        competency_id=competency.pk,
        level=0,
        source=Rating.Source.SELF,
        rated_by=learner,
        created_at=max(at or timezone.now(), current.created_at),
        previous_level=current.level,
        withdrawn=True,
    )
    current.delete()
    activity_touch(learner=learner, at=withdrawal.created_at)
    return withdrawal


def _pair(rating: Rating) -> dict:
    return {
        "learner_id": rating.learner_id,
        "competency_id": rating.competency_id,
        "source": rating.source,
    }


# savepoint=False: inside a caller's transaction (the tests' factories) a savepoint would only
# add two statements per save; an error here still rolls the whole outer block back.
@transaction.atomic(savepoint=False)
def rating_store(rating: Rating) -> Rating:
    """Insert an unsaved Rating and keep what is derived from it right: its previous_level and
    the CurrentRating row of its (learner, competency, source). Every writer of a single Rating
    goes through here (rating_record, the test factories); bulk writers call
    current_ratings_rebuild afterwards. A rating dated before the current one (a backfilled
    history) is slotted in: the one after it gets it as its previous level."""
    rating, _ = _store(rating)
    return rating


def _store(
    rating: Rating, *, duplicate_window: timedelta | None = None
) -> tuple[Rating, dict[int, CurrentLevel]]:
    """rating_store's work, inside the caller's transaction; with the learner's current ratings
    of the rating's source afterwards. With `duplicate_window`, the current rating is returned
    instead when it is identical to `rating` and at most that much older."""
    if rating.created_at is None:
        rating.created_at = timezone.now()
    pair = _pair(rating)
    # Every current row of the learner and source, locked: one row per competency, and the same
    # learner's saves wait for each other rather than racing for the previous level.
    rows = (
        CurrentRating.objects.select_for_update()
        .filter(learner_id=rating.learner_id, source=rating.source)
        .values_list("competency_id", "level", "created_at", "rating_id")
    )
    levels, current_ids = {}, {}
    for competency_id, level, created_at, rating_id in rows:
        levels[competency_id] = CurrentLevel(level, created_at)
        current_ids[competency_id] = rating_id
    current = levels.get(rating.competency_id)
    if duplicate_window is not None and current is not None:
        duplicate = _duplicate_of(
            rating, current, current_ids[rating.competency_id], duplicate_window
        )
        if duplicate is not None:
            return duplicate, levels
    # Equal times: the new row has the larger id, so it is the newer one.
    newest = current is None or current.created_at <= rating.created_at
    if newest:
        rating.previous_level = current.level if current else 0
    else:
        rating.previous_level = (
            Rating.objects.filter(**pair, created_at__lte=rating.created_at)
            .order_by("-created_at", "-id")
            .values_list("level", flat=True)
            .first()
            or 0
        )
    rating.save(force_insert=True)
    if newest:
        CurrentRating.objects.bulk_create(
            [
                CurrentRating(
                    **pair,
                    level=rating.level,
                    rating_id=rating.pk,
                    created_at=rating.created_at,
                )
            ],
            update_conflicts=True,
            unique_fields=["learner", "competency", "source"],
            update_fields=["level", "rating", "created_at"],
        )
    else:
        following = (
            Rating.objects.filter(**pair)
            .filter(
                Q(created_at__gt=rating.created_at)
                | Q(created_at=rating.created_at, id__gt=rating.pk)
            )
            .order_by("created_at", "id")
            .values_list("pk", flat=True)[:1]
        )
        Rating.objects.filter(pk__in=list(following)).update(previous_level=rating.level)
    if newest:
        levels[rating.competency_id] = CurrentLevel(rating.level, rating.created_at)
    return rating, levels


def _duplicate_of(rating: Rating, current: CurrentLevel, current_id: int, window) -> Rating | None:
    """The current rating, when `rating` repeats it within `window` (one query, only then)."""
    if current.level != rating.level or not (
        rating.created_at - window <= current.created_at <= rating.created_at
    ):
        return None
    found = Rating.objects.filter(
        pk=current_id,
        note=rating.note,
        evidence_url=rating.evidence_url,
        rated_by_id=rating.rated_by_id,
    ).first()
    return found


@transaction.atomic
def current_ratings_rebuild(*, learner_ids: Iterable[int] | None = None) -> int:
    """Recompute previous_level and CurrentRating from the ratings of `learner_ids` (everyone
    with None): for writers that bulk_create ratings (seeding, imports, benchmarks) and for
    repairs. Returns the number of current rows written."""
    ratings = Rating.objects.all()
    current = CurrentRating.objects.all()
    if learner_ids is not None:
        learner_ids = list(learner_ids)
        ratings = ratings.filter(learner_id__in=learner_ids)
        current = current.filter(learner_id__in=learner_ids)
    before = Rating.objects.filter(
        learner_id=OuterRef("learner_id"),
        competency_id=OuterRef("competency_id"),
        source=OuterRef("source"),
    ).filter(
        Q(created_at__lt=OuterRef("created_at"))
        | Q(created_at=OuterRef("created_at"), id__lt=OuterRef("id"))
    )
    ratings.update(
        previous_level=Coalesce(
            Subquery(before.order_by("-created_at", "-id").values("level")[:1]), Value(0)
        )
    )
    current.delete()
    latest = (
        ratings.order_by()
        .annotate(
            recency=Window(
                RowNumber(),
                partition_by=[F("learner_id"), F("competency_id"), F("source")],
                order_by=[F("created_at").desc(), F("id").desc()],
            )
        )
        .filter(recency=1)
        .values_list(
            "id", "learner_id", "competency_id", "source", "level", "created_at", "withdrawn"
        )
    )
    rows = CurrentRating.objects.bulk_create(
        (
            CurrentRating(
                rating_id=pk,
                learner_id=learner_id,
                competency_id=competency_id,
                source=source,
                level=level,
                created_at=created_at,
            )
            for pk, learner_id, competency_id, source, level, created_at, withdrawn in latest
            if not withdrawn  # withdrawn: not rated now
        ),
        batch_size=2000,
    )
    return len(rows)


@transaction.atomic
def path_select(*, learner: User, path: Path, reason: str = "") -> PathSelection:
    """Make `path` the learner's target; earlier choices stay in their history."""
    selection = PathSelection.objects.create(learner=learner, path=path, reason=reason[:300])
    learner.target_path = path
    learner.save(update_fields=["target_path"])
    activity_touch(learner=learner)
    return selection

"""Progress area services: the curriculum snapshot each dashboard visit leaves, the learner's data
export, and deleting an account."""

import datetime as dt

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from curriculum.models import Path
from roadmap.models import CurriculumSnapshot, PathSelection, PlanItem, Rating
from roadmap.progress import Snapshot
from roadmap.services.mentoring import mentoring_annotations
from roadmap.services.plans import next_item_annotations


def curriculum_snapshot_get(*, learner: User, path: Path) -> Snapshot | None:
    row = CurriculumSnapshot.objects.filter(learner=learner, path=path).values_list(
        "requirements", flat=True
    )
    return next(iter(row), None)


def curriculum_snapshot_record(
    *, learner: User, path: Path, requirements: Snapshot, previous: Snapshot | None
) -> None:
    """Remember what the learner has now seen; no write when nothing changed since last time."""
    if previous == requirements:
        return
    CurriculumSnapshot.objects.update_or_create(
        learner=learner,
        path=path,
        defaults={"requirements": requirements, "seen_at": timezone.now()},
    )


def dashboard_hub(*, learner: User) -> dict:
    """What the dashboard shows of other areas (mentoring card, next plan item), in one query:
    scalar subqueries on the learner's own row."""
    return (
        User.objects.filter(pk=learner.pk)
        .annotate(**mentoring_annotations(), **next_item_annotations())
        .values(*mentoring_annotations(), *next_item_annotations())
        .get()
    )


def activity_moments(*, learner: User) -> list[dt.datetime]:
    """Moments the learner did something besides rating: chose a path, started or finished a
    plan item. One UNION ALL query (a moment per row; days are counted in Python)."""
    selections = PathSelection.objects.filter(learner=learner).order_by().values_list("created_at")
    items = PlanItem.objects.filter(plan__learner=learner).order_by()
    started = items.filter(started_at__isnull=False).values_list("started_at")
    completed = items.filter(completed_at__isnull=False).values_list("completed_at")
    return [at for (at,) in selections.union(started, completed, all=True).order_by()]


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment else None


RATING_FIELDS = [
    "created_at",
    "competency__slug",
    "competency__name",
    "level",
    "source",
    "note",
    "evidence_url",
]


def ratings_for_export(*, learner: User):
    """Every rating of the learner, oldest first, with competency slug and name (one query)."""
    return (
        Rating.objects.filter(learner=learner)
        .order_by("created_at", "id")
        .values_list(*RATING_FIELDS)
    )


def learner_export(*, learner: User) -> dict:
    """Everything Gapmap holds about the learner, as JSON-ready data, in a fixed number of queries.

    Other areas (plans, evidence, reminders) add their own top-level keys here."""
    target_path = Path.objects.filter(pk=learner.target_path_id).values_list("slug", flat=True)
    selections = (
        PathSelection.objects.filter(learner=learner)
        .order_by("created_at", "id")
        .values_list("created_at", "path__slug", "path__name", "reason")
    )
    return {
        "exported_at": timezone.now().isoformat(),
        "profile": {
            "email": learner.email,
            "full_name": learner.full_name,
            "role": learner.role,
            "timezone": learner.timezone,
            "weekly_hours": learner.weekly_hours,
            "target_path": next(iter(target_path), None),
            "target_date": learner.target_date.isoformat() if learner.target_date else None,
            "date_joined": _iso(learner.date_joined),
            "last_activity_at": _iso(learner.last_activity_at),
        },
        "path_selections": [
            {"selected_at": _iso(at), "path_slug": slug, "path_name": name, "reason": reason}
            for at, slug, name, reason in selections
        ],
        "ratings": [
            {
                "rated_at": _iso(at),
                "competency_slug": slug,
                "competency_name": name,
                "level": level,
                "source": source,
                "note": note,
                "evidence_url": evidence_url,
            }
            for at, slug, name, level, source, note, evidence_url in ratings_for_export(
                learner=learner
            )
        ],
    }


@transaction.atomic
def account_delete(*, user: User) -> None:
    """Delete the user; their ratings, path history, snapshots and memberships go with them
    (on_delete=CASCADE). Ratings they gave others as a mentor keep the rating, without the rater."""
    user.delete()

"""Progress area services: the curriculum snapshot each dashboard visit leaves, the learner's data
export, and deleting an account."""

import datetime as dt
import functools
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Count, DateTimeField, F, OuterRef, Q, Subquery, TextField, Value
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from accounts.models import User
from accounts.services import axes_records_delete
from curriculum.models import CurriculumVersion, Path
from roadmap.lib import planner
from roadmap.lib.progress import DatedEvent, Snapshot
from roadmap.models import (
    Celebration,
    CheckpointSignOff,
    CurriculumSnapshot,
    Delivery,
    Feedback,
    LoggedHours,
    Notification,
    PathSelection,
    Plan,
    PlanItem,
    Rating,
    RatingVerification,
    ReminderPreference,
    StudiedResource,
)
from roadmap.services.celebrations import celebration_annotations
from roadmap.services.mentoring import mentoring_annotations
from roadmap.services.plans import next_item_annotations, projects_checkpoints


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


@functools.cache
def _hub_queryset():
    """The hub's annotated User query, built once per process: building its subqueries cost more
    than running them. Every use chains a filter, so each request gets a fresh clone and its own
    results."""
    next_item = next_item_annotations()
    annotations = {
        **mentoring_annotations(),
        **celebration_annotations(),
        **{key: next_item[key] for key in ("has_plan", "next_item_id")},
        "path_name": F("target_path__name"),
        "seen_requirements": Subquery(
            CurriculumSnapshot.objects.filter(learner=OuterRef("pk"), path=OuterRef("target_path"))
            .order_by()
            .values("requirements")[:1]
        ),
        # What the dashboard's cached history is keyed on (history_cache_key), read here so
        # neither needs a query of its own. Ratings are append-only and a new one, even one
        # dated in the past, gets a larger id.
        "newest_rating_id": Subquery(
            Rating.objects.filter(learner=OuterRef("pk"), source=Rating.Source.SELF)
            .order_by("-id")
            .values("id")[:1]
        ),
        "curriculum_token": Subquery(CurriculumVersion.objects.current().values("token")[:1]),
        # The nav's count, read here so the dashboard needs no query of its own for it.
        "unread_notifications": Coalesce(
            Subquery(
                Notification.objects.unread()
                .filter(user=OuterRef("pk"))
                .order_by()
                .values("user")
                .annotate(n=Count("pk"))
                .values("n")
            ),
            0,
        ),
    }
    return User.objects.annotate(**annotations).values(*annotations)


def dashboard_hub(*, learner: User) -> dict:
    """What the dashboard reads besides ratings and the path's competencies: the mentoring card,
    the next open item of the current plan (a started one first, then the earliest planned start;
    None in each `next_item_*` key without one) and whether that plan exists, the target path's
    name, the curriculum snapshot the learner last saw of it (`seen_requirements`, None before the
    first visit), the unread notifications count, the id of the learner's newest self-rating
    (`newest_rating_id`, None without one) and the curriculum version token (`curriculum_token`,
    as CurriculumVersion.objects.token() gives it). One query of scalar subqueries on the
    learner's own row, and one for the next item's details when there is a next item: Django
    spent more time compiling a subquery per detail than the database spent running them."""
    hub = _hub_queryset().filter(pk=learner.pk).get()
    hub["curriculum_token"] = hub["curriculum_token"] or ""  # no row before the first change
    details = None
    if hub["next_item_id"] is not None:
        details = (
            PlanItem.objects.filter(pk=hub["next_item_id"])
            .values_list("project__name", "status", "planned_start", "planned_end")
            .first()
        )
        if details is None:  # deleted in between: as if there were no next item
            hub["next_item_id"] = None
    names = ("next_item_name", "next_item_status", "next_item_start", "next_item_end")
    hub.update(zip(names, details or (None,) * len(names), strict=True))
    return hub


# The dashboard's history of a learner's ratings stays in the cache for at most this long. Its key
# holds everything it is computed from (history_cache_key), so this is not what keeps it right: it
# bounds the cache's size to the learners seen lately (an entry is tens of kB), and how long a
# rating could be missed whose id was handed out before, but committed after, a newer one that a
# dashboard view had already taken in (PostgreSQL only, and only for a learner's very first
# ratings: later ones wait for each other on their CurrentRating rows in rating_record).
HISTORY_SECONDS = 60 * 60


def history_cache_key(
    *,
    learner: User,
    newest_rating_id: int | None,
    curriculum_token: str,
    zone: ZoneInfo,
    today: dt.date,
) -> str:
    """The cache key of what the dashboard computes from the learner's self-ratings: their
    newest self-rating (a new one, even back-dated, has a larger id), the curriculum version and
    the target path (the requirements, names and retired competencies), the time zone and the
    local date (days and weeks). The version changes when what is stored under it changes shape
    (v3: the chart, the trends table and the calendar kept rendered from their templates; v4:
    the targets met lately, for the celebrations; v5: the readiness series and current levels
    kept for the chart drawn with its projection)."""
    return (
        f"dashboard-history:v5:{learner.pk}:{newest_rating_id or 0}:{curriculum_token}:"
        f"{learner.target_path_id}:{zone.key}:{today.isoformat()}"
    )


@functools.cache
def _self_ratings_queryset():
    """self_ratings_dated's query without the learner, built once per process (as the hub's):
    building it cost about as much as running it. Every use chains a filter."""
    return (
        Rating.objects.filter(source=Rating.Source.SELF)
        .order_by("created_at", "id")
        .values_list("competency_id", "level", Cast("created_at", TextField()))
    )


def self_ratings_dated(*, learner: User, zone: ZoneInfo) -> list[DatedEvent]:
    """The learner's self-ratings of any competency, oldest first (ties by id), each with its day
    in `zone`: (competency_id, level, created_at, local day); one query.

    created_at is read as text and parsed here: Django's converter for a datetime column on
    SQLite cost more than everything else about these rows (a long history has hundreds)."""
    rows = _self_ratings_queryset().filter(learner_id=learner.pk)
    parse = datetime.fromisoformat
    events = []
    for competency_id, level, text in rows:
        # SQLite keeps UTC without an offset; PostgreSQL prints one.
        moment = parse(text)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        events.append((competency_id, level, moment, moment.astimezone(zone).date()))
    return events


@functools.cache
def _activity_querysets():
    """activity_moments' two queries without the learner, built once per process: building them
    cost more than running them. Every use chains a filter, then combines them."""
    selections = PathSelection.objects.order_by().values_list(
        "created_at", Value(None, output_field=DateTimeField())
    )
    # One row per item that started or finished, with both moments (a missing one is NULL).
    items = (
        PlanItem.objects.filter(Q(started_at__isnull=False) | Q(completed_at__isnull=False))
        .order_by()
        .values_list("started_at", "completed_at")
    )
    studied = StudiedResource.objects.order_by().values_list(
        "studied_at", Value(None, output_field=DateTimeField())
    )
    return selections, items, studied


def activity_moments(*, learner: User) -> list[dt.datetime]:
    """Moments the learner did something besides rating: chose a path, started or finished a
    plan item, studied a resource. One UNION ALL query (up to two moments per row; days are
    counted in Python)."""
    selections, items, studied = _activity_querysets()
    rows = (
        selections.filter(learner_id=learner.pk)
        .union(
            items.filter(plan__learner_id=learner.pk),
            studied.filter(learner_id=learner.pk),
            all=True,
        )
        .order_by()
    )
    return [at for pair in rows for at in pair if at is not None]


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


# The my-data export's format; the JSON API (roadmap/views/api.py) serves the same rows.
EXPORT_FORMAT = "gapmap.my-data"
EXPORT_SCHEMA_VERSION = 1


def rating_row(row: tuple) -> dict:
    """One rating (a ratings_for_export row) as JSON-ready data, as both the my-data export and
    the API give it."""
    at, slug, name, level, source, note, evidence_url = row
    return {
        "rated_at": _iso(at),
        "competency_slug": slug,
        "competency_name": name,
        "level": level,
        "source": source,
        "note": note,
        "evidence_url": evidence_url,
    }


def ratings_for_export(*, learner: User):
    """Every rating of the learner, oldest first, with competency slug and name (one query)."""
    return (
        Rating.objects.filter(learner=learner)
        .order_by("created_at", "id")
        .values_list(*RATING_FIELDS)
    )


def learner_export(*, learner: User) -> dict:
    """Everything Gapmap holds about the learner, as JSON-ready data, in a fixed number of queries.

    Plans, mentoring records and reminders come from _mentoring_and_plans_export."""
    target_path = Path.objects.filter(pk=learner.target_path_id).values_list("slug", flat=True)
    selections = (
        PathSelection.objects.filter(learner=learner)
        .order_by("created_at", "id")
        .values_list("created_at", "path__slug", "path__name", "reason")
    )
    return {
        # What this document is: consumers check the version before reading the rest. Bump
        # EXPORT_SCHEMA_VERSION when a key changes meaning or goes away (adding one is fine).
        "format": EXPORT_FORMAT,
        "schema_version": EXPORT_SCHEMA_VERSION,
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
            "headline": learner.headline,
            "bio": learner.bio,
            "free_resources_only": learner.free_resources_only,
        },
        "studied_resources": _rows(
            StudiedResource.objects.filter(learner=learner).order_by("studied_at", "id"),
            "studied_at",
            title=F("resource__title"),
            url=F("resource__url"),
        ),
        # What the dashboard has celebrated (shown once each, roadmap.services.celebrations).
        "celebrations": _rows(
            Celebration.objects.filter(learner=learner).order_by("shown_at", "id"),
            "kind",
            "name",
            "achieved_at",
            "shown_at",
            "dismissed_at",
            path_slug=F("path__slug"),
        ),
        "path_selections": [
            {"selected_at": _iso(at), "path_slug": slug, "path_name": name, "reason": reason}
            for at, slug, name, reason in selections
        ],
        "ratings": [rating_row(row) for row in ratings_for_export(learner=learner)],
        "logged_hours": logged_hours_export(learner=learner),
        **_mentoring_and_plans_export(learner),
    }


def logged_hours_export(*, learner: User) -> list[dict]:
    """The learner's logged hours, oldest day first, with the project each was logged on (one
    query): hours as a number, days and moments as ISO strings."""
    rows = _rows(
        LoggedHours.objects.filter(learner=learner).order_by("day", "id"),
        "day",
        "hours",
        "note",
        "created_at",
        project_slug=F("item__project__slug"),
        project_name=F("item__project__name"),
        path_slug=F("item__plan__path__slug"),
    )
    for row in rows:
        row["hours"] = float(row["hours"])
    return rows


def _rows(queryset, *fields, **renamed) -> list[dict]:
    """values() as JSON-ready dicts: datetimes, dates and times as ISO strings."""
    result = []
    for row in queryset.values(*fields, **renamed):
        result.append(
            {
                key: value.isoformat() if isinstance(value, dt.date | dt.time) else value
                for key, value in row.items()
            }
        )
    return result


def plans_export(*, learner: User, plan_ids=None) -> list[dict]:
    """The learner's plans (optionally only `plan_ids`) with their items and milestones, as
    JSON-ready data for the my-data export and the API: three queries at any size."""
    plan_qs = Plan.objects.filter(learner=learner)
    if plan_ids is not None:
        plan_qs = plan_qs.filter(pk__in=plan_ids)
    plans = _rows(
        plan_qs.order_by("created_at", "id"),
        "id",
        "created_at",
        "regenerated_at",
        path_slug=F("path__slug"),
    )
    items = _rows(
        PlanItem.objects.filter(plan__in=[plan["id"] for plan in plans]).order_by(
            "plan", "position", "id"
        ),
        "id",
        "plan_id",
        "position",
        "status",
        "planned_start",
        "planned_end",
        "started_at",
        "completed_at",
        "evidence_url",
        "reflection",
        "verified_at",
        "project_id",
        project_slug=F("project__slug"),
        project_name=F("project__name"),
    )
    checkpoints = projects_checkpoints({item["project_id"] for item in items})
    for item in items:
        dated = planner.milestones(
            dt.date.fromisoformat(item["planned_start"]),
            dt.date.fromisoformat(item["planned_end"]),
            checkpoints.get(item.pop("project_id"), ()),
        )
        item["milestones"] = [
            {"title": m.checkpoint.title, "due_date": m.due.isoformat()} for m in dated
        ]
    for plan in plans:
        plan["items"] = [
            {k: v for k, v in item.items() if k not in ("id", "plan_id")}
            for item in items
            if item["plan_id"] == plan["id"]
        ]
    for plan in plans:
        del plan["id"]
    return plans


def _mentoring_and_plans_export(learner: User) -> dict:
    """Plans with items and milestones, mentoring records and reminders: one query per kind."""
    plans = plans_export(learner=learner)
    preference = _rows(
        ReminderPreference.objects.filter(user=learner),
        "weekly_enabled",
        "inactivity_enabled",
        "milestone_enabled",
        "digest_enabled",
        "weekday",
        "hour",
        "frequency",
        "inactivity_days",
        "quiet_start",
        "quiet_end",
    )
    return {
        "plans": plans,
        "feedback_received": _rows(
            Feedback.objects.filter(learner=learner).order_by("created_at", "id"),
            "created_at",
            "body",
            "read_at",
            author_name=F("author__full_name"),
            competency_slug=F("competency__slug"),
            project_slug=F("project__slug"),
        ),
        "rating_verifications": _rows(
            RatingVerification.objects.filter(rating__learner=learner).order_by("created_at", "id"),
            "created_at",
            "comment",
            mentor_name=F("mentor__full_name"),
            rated_at=F("rating__created_at"),
            competency_slug=F("rating__competency__slug"),
            level=F("rating__level"),
        ),
        "checkpoint_sign_offs": _rows(
            CheckpointSignOff.objects.filter(learner=learner).order_by("created_at", "id"),
            "created_at",
            "comment",
            mentor_name=F("mentor__full_name"),
            project_slug=F("checkpoint__project__slug"),
            checkpoint_title=F("checkpoint__title"),
        ),
        "reminder_preferences": preference[0] if preference else None,
        "reminder_deliveries": _rows(
            Delivery.objects.filter(recipient=learner).order_by("created_at", "id"),
            "kind",
            "period",
            "status",
            "created_at",
            "sent_at",
        ),
        "notifications": _rows(
            Notification.objects.filter(user=learner).order_by("created_at", "id"),
            "kind",
            "title",
            "body",
            "url",
            "created_at",
            "read_at",
        ),
    }


@transaction.atomic
def account_delete(*, user: User) -> None:
    """Delete the user; their ratings, path history, snapshots and memberships go with them
    (on_delete=CASCADE). Ratings they gave others as a mentor keep the rating, without the rater.
    django-axes' records of their log-ins (keyed by address, not by user) go too."""
    axes_records_delete(email=user.email)
    user.delete()

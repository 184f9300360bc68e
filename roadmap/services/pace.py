"""Logged hours and the pace a learner really keeps: logging an entry, the figures the plan and
the dashboard show of them, and replanning at the logged pace. The arithmetic is in
roadmap.lib.pace (pure); these functions read its inputs and store what it decides."""

import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Sum

from accounts.models import User
from roadmap.lib import pace
from roadmap.models import LoggedHours, Plan, PlanItem, PlanItemError
from roadmap.services.assessment import activity_touch
from roadmap.services.plans import learner_today, plan_reflow

MAX_HOURS_A_DAY = Decimal(24)
# How far back an entry may be dated: late enough to catch up after a busy week, not so late
# that last season's hours change this week's pace.
LOG_DAYS_BACK = 60
LOGGABLE = (PlanItem.Status.STARTED, PlanItem.Status.DONE)


def new_form_token() -> uuid.UUID:
    return uuid.uuid4()


@transaction.atomic
def hours_log(
    *,
    learner: User,
    item: PlanItem,
    hours: Decimal,
    day: date,
    token: uuid.UUID,
    note: str = "",
) -> tuple[LoggedHours, bool]:
    """Record `hours` on the learner's started or done item; (entry, created). The same form
    token twice returns the first entry and records nothing more (a double submission). A day
    holds at most 24 hours in all."""
    # The learner's row, locked: their entries are written one at a time, so two at once can
    # neither both pass the day's total nor both miss the other's token.
    User.objects.select_for_update().filter(pk=learner.pk).exists()
    existing = LoggedHours.objects.filter(learner=learner, token=token).first()
    if existing is not None:
        return existing, False
    status = PlanItem.objects.filter(pk=item.pk).values_list("status", flat=True).first()
    if status not in LOGGABLE:
        raise PlanItemError(
            "Start this project before logging hours on it."
            if status == PlanItem.Status.PLANNED
            else "This project was skipped: restore it to log hours on it."
        )
    if not Decimal(0) < hours <= MAX_HOURS_A_DAY:
        raise PlanItemError("Log between a few minutes and 24 hours.")
    logged = (
        LoggedHours.objects.filter(learner=learner, day=day).aggregate(total=Sum("hours"))["total"]
        or 0
    )
    if logged + hours > MAX_HOURS_A_DAY:
        left = MAX_HOURS_A_DAY - logged
        raise PlanItemError(
            f"You have already logged {hours_text(logged)} h on {day.day} {day:%B}: "
            f"a day holds at most {hours_text(left)} h more."
        )
    try:
        with transaction.atomic():
            entry = LoggedHours.objects.create(
                learner=learner, item=item, day=day, hours=hours, note=note, token=token
            )
    except IntegrityError:
        # The same token committed by a concurrent request in between.
        return LoggedHours.objects.get(learner=learner, token=token), False
    activity_touch(learner=learner)
    return entry, True


def hours_text(value) -> str:
    """1.5 -> "1.5", 2.0 -> "2": hours as people write them."""
    return f"{float(value):.2f}".rstrip("0").rstrip(".")


def learner_entries(*, learner: User) -> list[tuple[int, date, Decimal]]:
    """(item id, day, hours) of every entry of the learner, one query."""
    return list(
        LoggedHours.objects.filter(learner=learner)
        .order_by()
        .values_list("item_id", "day", "hours")
    )


@dataclass(frozen=True)
class PaceFigures:
    """What the plan and the dashboard show of the learner's logged hours."""

    this_week: str  # hours logged this week, as text
    this_week_share: int  # percent of the weekly hours, capped at 100 (the meter)
    weekly_hours: int
    week_start: date
    gap: pace.PaceGap | None  # the last weeks kept another pace than the plan's
    logged_pace: float | None  # mean of the finished weeks (None before one)
    per_item: dict[int, Decimal]  # item id -> hours logged on it
    has_entries: bool

    @property
    def gap_logged_text(self) -> str:
        return hours_text(round(self.gap.logged, 1)) if self.gap else ""


def pace_figures(*, learner: User, entries, today: date) -> PaceFigures:
    log = pace.week_log(((day, hours) for _, day, hours in entries), today)
    per_item: dict[int, Decimal] = {}
    for item_id, _, hours in entries:
        per_item[item_id] = per_item.get(item_id, Decimal(0)) + hours
    gap = pace.compare_pace(log.weeks, learner.weekly_hours)
    if gap is not None and gap.suggested == learner.weekly_hours:
        gap = None  # differs, but not by a whole hour a week: nothing to replan
    share = min(100, round(100 * log.this_week / learner.weekly_hours))
    return PaceFigures(
        this_week=hours_text(log.this_week),
        this_week_share=share,
        weekly_hours=learner.weekly_hours,
        week_start=today - timedelta(days=today.weekday()),
        gap=gap,
        logged_pace=pace.logged_pace(log),
        per_item=per_item,
        has_entries=bool(entries),
    )


@transaction.atomic
def plan_replan_at_pace(*, plan: Plan, today: date | None = None) -> pace.PaceGap | None:
    """Set the profile's weekly hours to the pace the learner logged lately and re-date the open
    items from today in their order; done, started and skipped items keep their state. Returns
    the gap acted on, or None (and changes nothing) when the logged pace matches the plan's."""
    learner = User.objects.select_for_update().get(pk=plan.learner_id)
    today = today or learner_today(learner)
    figures = pace_figures(learner=learner, entries=learner_entries(learner=learner), today=today)
    if figures.gap is None:
        return None
    learner.weekly_hours = figures.gap.suggested
    learner.save(update_fields=["weekly_hours"])
    plan.learner = learner
    plan_reflow(plan=plan, today=today)
    return figures.gap


def open_items(*, learner: User) -> list[tuple[int, str, str, int, int]]:
    """(item id, status, project name, project id, estimated hours) of the open items of the
    learner's plan for their target path, in plan order; one query."""
    if learner.target_path_id is None:
        return []
    return list(
        PlanItem.objects.filter(
            plan__learner=learner,
            plan__path_id=learner.target_path_id,
            status__in=[PlanItem.Status.PLANNED, PlanItem.Status.STARTED],
        )
        .order_by("position", "id")
        .values_list("id", "status", "project__name", "project_id", "project__estimated_hours")
    )


def remaining_hours(estimate: int, logged: Decimal | None) -> float:
    """Hours an open item still needs: its estimate less what was logged on it, and at least
    one hour while it is open (it is not done yet, whatever the estimate said)."""
    return max(float(estimate) - float(logged or 0), 1.0)


HOURS_CSV_HEADER = ["day", "hours", "project_slug", "project_name", "note", "logged_at"]


def hours_for_export(*, learner: User):
    """The learner's logged hours as CSV rows, oldest day first (one query, read in chunks)."""
    rows = (
        LoggedHours.objects.filter(learner=learner)
        .order_by("day", "id")
        .values_list(
            "day", "hours", "item__project__slug", "item__project__name", "note", "created_at"
        )
    )
    for day, hours, slug, name, note, at in rows.iterator(chunk_size=2000):
        yield [day.isoformat(), hours_text(hours), slug, name, note, at.isoformat()]

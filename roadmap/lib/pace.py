"""The pace a learner really keeps, and when the plan's remaining projects would make them ready,
as pure functions over plain data (no database).

Logged hours are (local day, hours) pairs. Weeks run Monday to Sunday in the learner's zone, as
everywhere else (roadmap.lib.progress). A week counts towards the pace once it is over and only
from the week of the learner's first entry: weeks before they started logging say nothing about
their pace.
"""

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from roadmap.lib.gaps import Requirement, readiness
from roadmap.lib.progress import week_start

# The logged pace is the mean of at most this many finished weeks: recent enough to follow a
# change of rhythm, long enough that one busy week does not replan everything.
PACE_WEEKS = 4
# A week differs from the plan when it is more than a quarter faster or slower (as a ratio, so
# "twice as fast" and "half as fast" are equally far from the plan).
TOLERANCE = Fraction(1, 4)
# How many finished weeks in a row must differ, all in the same direction, before the plan says so.
MIN_WEEKS = 2
# A projection needs at least this many points of readiness history.
MIN_POINTS = 3
MIN_WEEKLY_HOURS, MAX_WEEKLY_HOURS = 1, 80  # the profile's range


@dataclass(frozen=True)
class WeekLog:
    """What the learner logged: this (unfinished) week's total and each finished week's since
    their first entry, oldest first (at most `weeks` of them)."""

    this_week: float
    weeks: tuple[float, ...]


def week_log(entries: Iterable[tuple[date, float]], today: date, *, weeks: int = PACE_WEEKS):
    """Sum (day, hours) entries per week. Entries after today are ignored."""
    this_monday = week_start(today)
    totals: dict[date, float] = {}
    first = None
    for day, hours in entries:
        if day > today:
            continue
        monday = week_start(day)
        totals[monday] = totals.get(monday, 0.0) + float(hours)
        first = monday if first is None else min(first, monday)
    finished = []
    if first is not None:
        monday = max(first, this_monday - timedelta(weeks=weeks))
        while monday < this_monday:
            finished.append(totals.get(monday, 0.0))
            monday += timedelta(weeks=1)
    return WeekLog(this_week=totals.get(this_monday, 0.0), weeks=tuple(finished))


def logged_pace(log: WeekLog) -> float | None:
    """Hours a week the learner really kept: the mean of the finished weeks; None before one."""
    if not log.weeks:
        return None
    return sum(log.weeks) / len(log.weeks)


def _exact(value) -> Fraction:
    """A number as the fraction it is written as: 4.8 is 24/5, not the binary float just below
    it, so a week logged at exactly the edge of the tolerance is on pace."""
    return value if isinstance(value, Fraction | int) else Fraction(str(value))


def _direction(logged: float, planned: float, tolerance: Fraction) -> int:
    """-1 slower, 1 faster, 0 within the tolerance. Both sides compare logged * (1 + t) with
    planned, so swapping the two turns slower into faster exactly (no rounding in between)."""
    factor = 1 + tolerance
    logged, planned = _exact(logged), _exact(planned)
    if logged * factor < planned:
        return -1
    if planned * factor < logged:
        return 1
    return 0


@dataclass(frozen=True)
class PaceGap:
    """The last `weeks` finished weeks all differed from the plan in one direction."""

    direction: str  # "slower" or "faster"
    weeks: int
    logged: float  # their mean, hours a week
    planned: int
    suggested: int  # whole hours a week to replan at, within the profile's range


def compare_pace(
    weeks: Sequence[float],
    planned: float,
    *,
    tolerance: Fraction = TOLERANCE,
    min_weeks: int = MIN_WEEKS,
) -> PaceGap | None:
    """Whether the most recent finished weeks (oldest first) kept another pace than `planned`:
    at least `min_weeks` of them in a row, each beyond the tolerance on the same side."""
    if planned <= 0:
        return None
    run: list[float] = []
    side = 0
    for hours in reversed(weeks):
        this = _direction(hours, planned, tolerance)
        if this == 0 or (side and this != side):
            break
        side = this
        run.append(hours)
    if len(run) < min_weeks:
        return None
    mean = sum(run) / len(run)
    suggested = min(max(round(mean), MIN_WEEKLY_HOURS), MAX_WEEKLY_HOURS)
    return PaceGap(
        direction="slower" if side < 0 else "faster",
        weeks=len(run),
        logged=mean,
        planned=int(planned),
        suggested=suggested,
    )


# --- "ready by" -----------------------------------------------------------------------------------


def readiness_after_each(
    requirements: Sequence[Requirement],
    levels: Mapping[int, int],
    builds: Sequence[Mapping[int, int]],
) -> list[float]:
    """The readiness (percent) once each project, in order, is done: a project raises the levels
    it builds to its build level, never lowers one."""
    current = dict(levels)
    result = []
    for built in builds:
        for competency_id, level in built.items():
            current[competency_id] = max(current.get(competency_id, 0), level)
        result.append(readiness(requirements, current))
    return result


@dataclass(frozen=True)
class Projection:
    steps: tuple[tuple[date, float], ...]  # (day a remaining project is done, readiness then)
    ready_on: date | None  # the first day the target is reached; None if the plan stops short
    final: float  # readiness once every remaining project is done


def finish_day(today: date, hours: float, weekly_hours: float) -> date:
    """The day `hours` of work are done at `weekly_hours` a week from today, a steady
    weekly/7 hours a day as the planner schedules (roadmap.lib.planner.schedule)."""
    days = math.ceil(hours * 7 / weekly_hours - 1e-9)
    return today + timedelta(days=max(days - 1, 0))


def project_ready(
    points: Sequence[tuple[date, float]],
    remaining: Sequence[tuple[float, float]],
    weekly_hours: float,
    today: date,
    *,
    target: float = 100.0,
) -> Projection | None:
    """When the remaining projects, done one after another at `weekly_hours` a week from today,
    bring readiness to `target`. `points` is the readiness history (day, percent), `remaining`
    the plan's open projects in order as (hours left, readiness once done). None with fewer
    than MIN_POINTS points of history, or without a pace to project from."""
    if len(points) < MIN_POINTS or weekly_hours <= 0:
        return None
    current = points[-1][1]
    ready_on = today if current >= target - 1e-9 else None
    steps = []
    hours = 0.0
    final = current
    for left, after in remaining:
        hours += max(left, 0.0)
        day = finish_day(today, hours, weekly_hours)
        final = max(final, after)
        steps.append((day, final))
        if ready_on is None and final >= target - 1e-9:
            ready_on = day
    return Projection(steps=tuple(steps), ready_on=ready_on, final=final)


def against_target(ready_on: date | None, target: date | None) -> tuple[str, int] | None:
    """Where the projected day falls against the learner's target date: ("after" | "before" |
    "on", whole weeks, rounded up); None without both days."""
    if ready_on is None or target is None:
        return None
    days = (ready_on - target).days
    if days == 0:
        return "on", 0
    return ("after" if days > 0 else "before"), math.ceil(abs(days) / 7)

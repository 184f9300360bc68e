"""Progress over weeks, as pure functions over plain data (no database).

A rating event is (competency_id, level, created_at) with an aware `created_at`. Weeks run Monday
to Sunday in the learner's own zone, so a rating on Sunday 23:30 in Tokyo belongs to that week even
though it is Sunday afternoon in UTC. A learner's level on a competency at the end of a week is the
latest rating at or before that week's end."""

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from operator import itemgetter
from typing import NamedTuple
from zoneinfo import ZoneInfo

from roadmap.lib.gaps import Requirement, readiness


def local_date(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def week_start(day: date) -> date:
    """The Monday of `day`'s week."""
    return day - timedelta(days=day.weekday())


def weeks_between(first: date, last: date) -> list[date]:
    """Mondays from `first`'s week through `last`'s week, 7 calendar days apart."""
    start, end = week_start(first), week_start(last)
    count = (end - start).days // 7 + 1
    return [start + timedelta(weeks=i) for i in range(max(count, 0))]


# A rating event with its local day, computed once: the dashboard reads each event's day for the
# weekly series, for since-last-week and for the activity calendar.
DatedEvent = tuple[int, int, datetime, date]


def _events_by_week(
    events: Iterable[DatedEvent], today: date
) -> dict[date, list[tuple[datetime, int, int]]]:
    """Events grouped by local week, oldest first within a week; future events are dropped."""
    grouped: dict[date, list[tuple[datetime, int, int]]] = {}
    weeks: dict[date, date] = {}  # day -> its week's Monday: a long history repeats days
    for competency_id, level, created_at, day in events:
        if day > today:
            continue
        week = weeks.get(day)
        if week is None:
            week = weeks[day] = week_start(day)
        grouped.setdefault(week, []).append((created_at, competency_id, level))
    for rows in grouped.values():
        rows.sort(key=itemgetter(0))
    return grouped


@dataclass(frozen=True)
class WeekDiff:
    """What changed between the end of last week and now."""

    rose: dict[int, tuple[int, int]] = field(default_factory=dict)  # id -> (before, now)
    fell: dict[int, tuple[int, int]] = field(default_factory=dict)
    new: dict[int, int] = field(default_factory=dict)  # rated for the first time: id -> level
    readiness_before: float = 0.0
    readiness_now: float = 0.0

    @property
    def readiness_change(self) -> float:
        return self.readiness_now - self.readiness_before

    @property
    def is_empty(self) -> bool:
        return not (self.rose or self.fell or self.new)


def _since_last_week(
    events: Iterable[DatedEvent], requirements: Sequence[Requirement], today: date
) -> WeekDiff:
    this_week = week_start(today)
    before: dict[int, tuple[datetime, int]] = {}
    now: dict[int, tuple[datetime, int]] = {}
    for competency_id, level, created_at, day in events:
        if day > today:
            continue
        # The newest so far; ties go to the later event in the list (the database orders by
        # created_at, id).
        if day < this_week:
            latest = before.get(competency_id)
            if latest is None or latest[0] <= created_at:
                before[competency_id] = (created_at, level)
        latest = now.get(competency_id)
        if latest is None or latest[0] <= created_at:
            now[competency_id] = (created_at, level)
    levels_before = {cid: level for cid, (_, level) in before.items()}
    levels_now = {cid: level for cid, (_, level) in now.items()}
    rose, fell, new = {}, {}, {}
    for cid, level in levels_now.items():
        if cid not in levels_before:
            new[cid] = level
        elif level > levels_before[cid]:
            rose[cid] = (levels_before[cid], level)
        elif level < levels_before[cid]:
            fell[cid] = (levels_before[cid], level)
    return WeekDiff(
        rose=rose,
        fell=fell,
        new=new,
        readiness_before=readiness(requirements, levels_before),
        readiness_now=readiness(requirements, levels_now),
    )


@dataclass(frozen=True)
class History:
    """What the dashboard draws of a learner's ratings, from one pass over them."""

    weeks: list[date]  # Mondays from the week of the first rating through today's week
    readiness: list[float]  # at the end of each of those weeks, against today's requirements
    levels: dict[int, list[int | None]]  # competency -> level at the end of each week (None:
    # not rated yet); only competencies ever rated
    diff: WeekDiff


def history(
    events: Sequence[DatedEvent], requirements: Sequence[Requirement], today: date
) -> History:
    """The readiness at the end of each week, each competency's level per week and what
    changed since last week, in one pass over the ratings, for the dashboard. Readiness is kept
    up to date as levels change instead of being recomputed over every requirement each week
    (tests/roadmap/reference.py replays every week; the sums are integers, so the results are
    the same floats)."""
    grouped = _events_by_week(events, today)
    diff = _since_last_week(events, requirements, today)
    if not grouped:
        return History([], [], {}, diff)
    weeks = weeks_between(min(grouped), today)
    by_competency: dict[int, list[tuple[int, int]]] = {}
    for requirement in requirements:
        by_competency.setdefault(requirement.competency_id, []).append(
            (requirement.weight, requirement.target)
        )
    needed = sum(weight * target for pairs in by_competency.values() for weight, target in pairs)
    # Before any rating every level is 0.
    reached = sum(
        weight * min(0, target) for pairs in by_competency.values() for weight, target in pairs
    )
    current: dict[int, int] = {}
    changes: dict[int, list[tuple[int, int]]] = {}  # competency -> (week index, level) per change
    series = []
    for index, week in enumerate(weeks):
        for _, competency_id, level in grouped.get(week, ()):
            old = current.get(competency_id)
            if old == level:
                continue
            current[competency_id] = level
            for weight, target in by_competency.get(competency_id, ()):
                reached += weight * (min(level, target) - min(old or 0, target))
            steps = changes.setdefault(competency_id, [])
            if steps and steps[-1][0] == index:
                steps[-1] = (index, level)
            else:
                steps.append((index, level))
        series.append(100.0 if needed == 0 else 100.0 * reached / needed)
    count = len(weeks)
    levels = {}
    for competency_id, steps in changes.items():
        row: list[int | None] = [None] * steps[0][0]
        for (index, level), (following, _) in zip(steps, [*steps[1:], (count, None)], strict=True):
            row.extend([level] * (following - index))
        levels[competency_id] = row
    return History(weeks, series, levels, diff)


# --- curriculum changes ---------------------------------------------------------------------------

# A snapshot of a path's current requirements as the learner last saw them, JSON-friendly:
# {"<competency_id>": [name, target, weight, resources]} (JSON object keys are strings), where
# resources is how many learning resources the competency has. Snapshots stored before resources
# existed have three items; their resources are unknown and not compared.
Snapshot = dict[str, list]


def requirements_snapshot(rows: Iterable[tuple]) -> Snapshot:
    """From (competency_id, name, target, weight[, resources]) rows of the path's current
    competencies."""
    return {str(cid): list(rest) for cid, *rest in rows}


@dataclass(frozen=True)
class CurriculumChange:
    kind: str  # renamed, target, weight, added, retired, resources
    competency_id: int
    name: str
    before: object = None
    after: object = None


def curriculum_changes(old: Snapshot | None, new: Snapshot) -> list[CurriculumChange]:
    """What an admin changed in the path between two snapshots; nothing on a first visit."""
    if old is None:
        return []
    changes = []
    for key in sorted(old.keys() | new.keys(), key=int):
        cid = int(key)
        if key not in old:
            changes.append(CurriculumChange("added", cid, new[key][0], after=new[key][1]))
            continue
        if key not in new:
            changes.append(CurriculumChange("retired", cid, old[key][0]))
            continue
        (old_name, old_target, old_weight, *old_more), (name, target, weight, *more) = (
            old[key],
            new[key],
        )
        if old_name != name:
            changes.append(CurriculumChange("renamed", cid, name, before=old_name, after=name))
        if old_target != target:
            changes.append(CurriculumChange("target", cid, name, before=old_target, after=target))
        if old_weight != weight:
            changes.append(CurriculumChange("weight", cid, name, before=old_weight, after=weight))
        if old_more and more and old_more[0] != more[0]:
            changes.append(
                CurriculumChange("resources", cid, name, before=old_more[0], after=more[0])
            )
    return changes


# --- activity -------------------------------------------------------------------------------------


def active_days(moments: Iterable[datetime], zone: ZoneInfo) -> Counter[date]:
    """How many things the learner did on each local day. `moments` may come from any source
    (ratings, path selections, plan updates): the caller chains them."""
    return Counter(local_date(moment, zone) for moment in moments)


def week_streaks(days: Iterable[date], today: date) -> tuple[int, int]:
    """(current, longest) runs of consecutive weeks (Monday to Sunday) with at least one active
    day: fairer than days to people who learn beside a job, a few evenings a week.

    The current run ends this week, or last week when this week has no activity yet: a run is
    not broken until a whole week passes without activity. Days after `today` do not count."""
    weeks = sorted({week_start(d) for d in days if d <= today})
    longest = run = 0
    previous = None
    for week in weeks:
        run = run + 1 if previous is not None and week - previous == timedelta(weeks=1) else 1
        longest = max(longest, run)
        previous = week
    if previous is None or week_start(today) - previous > timedelta(weeks=1):
        return 0, longest
    return run, longest


class CalendarDay(NamedTuple):
    # A tuple, not a dataclass: the calendar makes 182 of these per page view.
    day: date
    count: int
    week_index: int  # column, 0 = oldest week
    weekday: int  # row, 0 = Monday

    @property
    def intensity(self) -> int:
        return activity_intensity(self.count)


def activity_intensity(count: int) -> int:
    """0-4 shade of a calendar day: none, 1, 2-3, 4-6, 7 or more things that day."""
    if count == 0:
        return 0
    if count == 1:
        return 1
    if count <= 3:
        return 2
    if count <= 6:
        return 3
    return 4


def activity_calendar(
    counts: Mapping[date, int], today: date, weeks: int = 26
) -> list[CalendarDay]:
    """The last `weeks` local weeks (Monday first) up to and including today; no future days."""
    first = week_start(today) - timedelta(weeks=weeks - 1)
    result = []
    day = first
    while day <= today:
        offset = (day - first).days
        result.append(CalendarDay(day, counts.get(day, 0), offset // 7, offset % 7))
        day += timedelta(days=1)
    return result


# --- celebrations ---------------------------------------------------------------------------------


def targets_reached(
    events: Iterable[DatedEvent], targets: Mapping[int, int], since: date
) -> list[tuple[int, datetime]]:
    """(competency, when) for each competency whose newest rating meets its target, where the
    rating that took it from below the target to it (at `when`) came on `since` or later: a
    target met by progress. A first rating at the target does not count (it is where the
    learner started, not a step they made), nor does one met long ago; falling below and
    climbing back is met again, later. By competency id."""
    level: dict[int, int] = {}
    met: dict[int, tuple[datetime, date] | None] = {}  # competency -> when it crossed, or None
    for competency_id, new_level, created_at, day in sorted(events, key=itemgetter(2)):
        target = targets.get(competency_id)
        if target is None:
            continue
        old = level.get(competency_id)
        level[competency_id] = new_level
        if new_level < target:
            met[competency_id] = None
        elif old is not None and old < target:
            met[competency_id] = (created_at, day)
    return sorted(
        (cid, crossed[0]) for cid, crossed in met.items() if crossed and crossed[1] >= since
    )

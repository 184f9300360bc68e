"""Cohort math as pure functions over plain data (no database): readiness, top gaps from counts,
weekly readiness, needs-attention and self-versus-mentor calibration. The services fetch the
rows with a fixed number of queries and hand them here."""

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from roadmap.lib.gaps import Requirement, readiness_display

Levels = Mapping[int, Mapping[int, int]]  # {learner_id: {competency_id: level}}


class Member(NamedTuple):
    """A tuple, not a dataclass: a cohort page builds hundreds of them per view."""

    id: int
    name: str
    last_activity_at: dt.datetime | None = None


class Cell(NamedTuple):
    """A tuple, not a dataclass: a 500 x 40 heatmap builds 20,000 of them."""

    competency_id: int
    level: int
    target: int

    @property
    def met(self) -> bool:
        return self.level >= self.target

    @property
    def below(self) -> int:
        """Levels short of the target, 0 when met: the heatmap colours by it (0, 1, 2+)."""
        return max(0, self.target - self.level)


@dataclass
class LearnerRow:
    learner_id: int
    name: str
    readiness: int
    readiness_change: int
    cells: list[Cell]
    last_active: dt.datetime | None
    flags: list["Flag"] = field(default_factory=list)

    @property
    def needs_attention(self) -> bool:
        return bool(self.flags)

    @property
    def reasons(self) -> list[str]:
        return [flag.reason for flag in self.flags]

    @property
    def severity(self) -> int:
        return sum(flag.severity for flag in self.flags)

    def level_of(self, competency_id: int) -> int:
        for cell in self.cells:
            if cell.competency_id == competency_id:
                return cell.level
        return 0


@dataclass(frozen=True)
class TopGap:
    competency_id: int
    lacking: int  # learners below target
    of: int  # learners counted
    shortfall: float  # mean levels missing among those lacking

    @property
    def percent(self) -> int:
        return round(100 * self.lacking / self.of) if self.of else 0


def readiness_of(requirements: Sequence[Requirement]):
    """roadmap.lib.gaps.readiness with the requirements bound once: the same figure, computed for
    thousands of (learner, week) pairs without re-walking the dataclasses each time."""
    reqs = [(r.competency_id, r.target, r.weight) for r in requirements]
    needed = sum(t * w for _, t, w in reqs)

    def compute(levels: Mapping[int, int]) -> float:
        if needed == 0:
            return 100.0
        get = levels.get
        reached = 0
        for cid, target, weight in reqs:
            level = get(cid, 0)
            reached += weight * (target if level >= target else level)
        return 100.0 * reached / needed

    return compute


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


@dataclass(frozen=True)
class AttentionRules:
    """When a learner needs a mentor's look; each cohort tunes its own (the defaults here are
    the model's). A learner is flagged by any rule that holds."""

    behind_weeks: int = 2  # a project of their plan this many weeks past its planned end
    idle_days: int = 21  # no assessment or plan update for this long
    drop_points: int = 10  # readiness fell by this much in four weeks


class Action:
    CHECK_IN = "Check in"
    FEEDBACK = "Send feedback"


@dataclass(frozen=True)
class Flag:
    reason: str  # what holds, in words, with the figure
    action: str  # what the mentor can do about it
    severity: int  # larger first: how far past its rule's threshold, at least 1


def attention_flags(
    *,
    last_active: dt.datetime | None,
    now: dt.datetime,
    rules: AttentionRules,
    behind_weeks: int = 0,
    readiness_change: int | None = None,
) -> list[Flag]:
    """Why a learner needs a mentor's look, most severe first; empty when they are on track.
    Severity grows with how far past the threshold they are (twice the threshold: twice as
    severe), so a learner stuck for ten weeks comes before one a day over."""
    flags = []
    if behind_weeks >= rules.behind_weeks:
        flags.append(
            Flag(
                f"behind their plan by {behind_weeks} week{'s' if behind_weeks != 1 else ''}",
                Action.CHECK_IN,
                2 * behind_weeks // rules.behind_weeks,
            )
        )
    if last_active is None:
        flags.append(Flag("no activity yet", Action.CHECK_IN, 2))
    else:
        idle = (now - last_active).days
        if idle >= rules.idle_days:
            flags.append(
                Flag(f"no activity for {idle} days", Action.CHECK_IN, 2 * idle // rules.idle_days)
            )
    if readiness_change is not None and -readiness_change >= rules.drop_points:
        flags.append(
            Flag(
                f"readiness fell {-readiness_change} points in four weeks",
                Action.FEEDBACK,
                2 * -readiness_change // rules.drop_points,
            )
        )
    return sorted(flags, key=lambda f: -f.severity)


def attention_order(rows: Iterable["LearnerRow"]) -> list["LearnerRow"]:
    """The flagged rows, most severe first (then by name)."""
    return sorted(
        (r for r in rows if r.flags), key=lambda r: (-r.severity, r.name.casefold(), r.learner_id)
    )


def short_labels(names: Sequence[str], width: int = 6) -> list[str]:
    """Column labels of at most `width` characters (plus a full stop when cut): the first word,
    with the next words' initials added where two labels would be the same. The full names
    stay in the page (title and visually hidden text)."""

    def label(name: str, extra: int) -> str:
        words = [
            w
            for w in name.replace("/", " ").split()
            if w.lower() not in {"and", "of", "&", "the", "for"}
        ]
        if not words:
            return name[:width]
        first = words[0] if len(words[0]) <= width else words[0][: width - 1] + "."
        return first + "".join(w[0].upper() for w in words[1 : 1 + extra])

    labels = [label(n, 0) for n in names]
    for extra in range(1, 4):
        seen: dict[str, int] = {}
        for text in labels:
            seen[text] = seen.get(text, 0) + 1
        if all(count == 1 for count in seen.values()):
            break
        labels = [label(n, extra) if seen[t] > 1 else t for n, t in zip(names, labels, strict=True)]
    counts: dict[str, int] = {}
    for text in labels:
        counts[text] = counts.get(text, 0) + 1
    # names alike to the end: the column's number tells them apart
    return [
        f"{label(n, 0)}{i + 1}" if counts[t] > 1 else t
        for i, (n, t) in enumerate(zip(names, labels, strict=True))
    ]


STATUSES = ("all", "attention", "on_track")


def filter_rows(
    rows: Iterable[LearnerRow], *, status: str = "all", lacking: int | None = None
) -> list[LearnerRow]:
    """Keep rows by status, and (with `lacking`) only learners below target on that competency."""
    kept = []
    for row in rows:
        if status == "attention" and not row.needs_attention:
            continue
        if status == "on_track" and row.needs_attention:
            continue
        if lacking is not None and not any(
            c.competency_id == lacking and not c.met for c in row.cells
        ):
            continue
        kept.append(row)
    return kept


def sort_rows(rows: Iterable[LearnerRow], sort: str) -> list[LearnerRow]:
    """`name`, `readiness` (lowest first: who needs help), or `c<competency id>` (lowest first)."""
    rows = list(rows)
    by_name = lambda r: (r.name.casefold(), r.learner_id)  # noqa: E731
    if sort == "readiness":
        return sorted(rows, key=lambda r: (r.readiness, by_name(r)))
    if sort.startswith("c") and sort[1:].isdigit():
        cid = int(sort[1:])
        return sorted(rows, key=lambda r: (r.level_of(cid), by_name(r)))
    return sorted(rows, key=by_name)


class GapCounts(NamedTuple):
    """One competency's current self-ratings among a cohort, counted by the database."""

    rated: int  # learners with a rating
    below: int  # of those, below target
    below_levels: int  # the sum of their levels


def top_gaps_from_counts(
    requirements: Sequence[Requirement],
    counts: Mapping[int, GapCounts],
    members: int,
    *,
    limit: int = 5,
) -> list[TopGap]:
    """top_gaps from per-competency counts instead of every learner's levels: learners without
    a rating are at level 0, below any target above 0."""
    if not members:
        return []
    gaps = []
    for r in requirements:
        rated, below, below_levels = counts.get(r.competency_id, GapCounts(0, 0, 0))
        unrated = members - rated if r.target > 0 else 0
        lacking = below + unrated
        if lacking:
            short = below * r.target - below_levels + unrated * r.target
            gaps.append(TopGap(r.competency_id, lacking, members, short / lacking))
    gaps.sort(key=lambda g: (-g.lacking, -g.shortfall, g.competency_id))
    return gaps[:limit]


def percent_of(requirements: Sequence[Requirement]):
    """Readiness (as roadmap.lib.gaps.readiness) from the weighted sum of levels capped at their
    targets, `reached`, which the database adds up per learner."""
    needed = sum(r.target * r.weight for r in requirements)
    return lambda reached: 100.0 if needed == 0 else 100.0 * reached / needed


def reached_before(reached_now: int, changes: Mapping[int, int], ends: Sequence[int]) -> list[int]:
    """A learner's weighted reached levels just before each of `ends` (bucket numbers): now,
    minus the change made by the ratings in every bucket from that end on. `changes` is
    {bucket: sum of the capped level changes of the ratings in it}."""
    return [reached_now - sum(d for b, d in changes.items() if b >= end) for end in ends]


def levels_in_order(
    requirements: Sequence[Requirement], levels: Mapping[int, int]
) -> tuple[int | None, ...]:
    """A learner's current levels as a tuple in the order of `requirements` (None: not rated):
    a compact row to keep in a cache for hundreds of learners."""
    return tuple(levels.get(r.competency_id) for r in requirements)


def reached_of(requirements: Sequence[Requirement], levels: Sequence[int | None]) -> int:
    """The weighted sum of levels capped at their targets (levels_in_order's tuple): the
    numerator of readiness, as percent_of takes it."""
    return sum(
        r.weight * min(level, r.target)
        for r, level in zip(requirements, levels, strict=True)
        if level is not None
    )


def add_gap_counts(
    counts: dict[int, list[int]],
    requirements: Sequence[Requirement],
    levels: Sequence[int | None],
    sign: int = 1,
) -> None:
    """Add (sign 1) or take back (sign -1) one learner's levels (levels_in_order's tuple) in
    `counts` {competency_id: [rated, below, below_levels]}, GapCounts' fields."""
    for r, level in zip(requirements, levels, strict=True):
        if level is None:
            continue
        mine = counts.setdefault(r.competency_id, [0, 0, 0])
        mine[0] += sign
        if level < r.target:
            mine[1] += sign
            mine[2] += sign * level


def rating_changes(
    requirements: Sequence[Requirement],
    rows: Iterable[tuple],
    cuts: Sequence[dt.datetime],
    detail: tuple[dt.datetime, dt.datetime],
) -> tuple[dict[int, dict[int, int]], dict[int, list[tuple[float, int]]]]:
    """What the database sums in the cohort service's _changes, from (learner_id, competency_id,
    level, previous_level, created_at) rows of self-ratings: ({learner: {bucket: change of
    reached}}, {learner: [(POSIX time, change), ...]} for the ratings in `detail`, [start,
    end)). Bucket n holds the ratings before cuts[n], len(cuts) those after the last cut."""
    by_id = {r.competency_id: (r.target, r.weight) for r in requirements}
    start, end = detail
    changes: dict[int, dict[int, int]] = {}
    events: dict[int, list[tuple[float, int]]] = {}
    for lid, cid, level, previous, when in rows:
        target, weight = by_id[cid]
        change = weight * (min(level, target) - min(previous, target))
        if not change:
            continue
        bucket = next((n for n, cut in enumerate(cuts) if when < cut), len(cuts))
        mine = changes.setdefault(lid, {})
        mine[bucket] = mine.get(bucket, 0) + change
        if start <= when < end:
            events.setdefault(lid, []).append((when.timestamp(), change))
    return changes, events


def week_starts(now_local: dt.datetime, weeks: int) -> list[dt.datetime]:
    """Mondays 00:00 (in now_local's zone) of the last `weeks` weeks, oldest first."""
    monday = (now_local - dt.timedelta(days=now_local.weekday())).replace(
        hour=0, minute=0, second=0, microsecond=0
    )
    starts = []
    for back in range(weeks - 1, -1, -1):
        day = (monday - dt.timedelta(weeks=back)).date()
        # rebuild from the date so a DST change in between keeps midnight local
        starts.append(dt.datetime.combine(day, dt.time(), tzinfo=now_local.tzinfo))
    return starts


def calibration_bias(self_levels: Levels, mentor_levels: Levels) -> dict[int, tuple[float, int]]:
    """{competency_id: (mean of self minus mentor, learners compared)} where both rated.

    Positive: learners rate themselves higher than their mentors do."""
    diffs: dict[int, list[int]] = defaultdict(list)
    for lid, mentor_row in mentor_levels.items():
        own = self_levels.get(lid, {})
        for cid, mentor_level in mentor_row.items():
            if cid in own:
                diffs[cid].append(own[cid] - mentor_level)
    return {cid: (sum(d) / len(d), len(d)) for cid, d in diffs.items()}


def nest_levels(rows: Iterable[tuple]) -> dict[int, dict[int, int]]:
    """(learner_id, competency_id, level, ...) rows -> {learner_id: {competency_id: level}}."""
    nested: dict[int, dict[int, int]] = defaultdict(dict)
    for row in rows:
        nested[row[0]][row[1]] = row[2]
    return dict(nested)


@dataclass
class CalibrationRow:
    competency_id: int
    name: str
    entries: list  # Rating-like objects, oldest first
    latest_self: object | None = None
    latest_mentor: object | None = None

    @property
    def difference(self) -> int | None:
        """Latest self minus latest mentor level; positive means the learner rates higher."""
        if self.latest_self is None or self.latest_mentor is None:
            return None
        return self.latest_self.level - self.latest_mentor.level


def calibration_rows(ratings: Iterable, *, self_source: str = "self") -> list[CalibrationRow]:
    """Group a learner's ratings per competency, only where a mentor has rated it too.

    `ratings` are objects with competency_id, competency (with .name), source, level and
    created_at; the result lists competencies by name, entries oldest first."""
    grouped: dict[int, CalibrationRow] = {}
    for rating in sorted(ratings, key=lambda r: (r.created_at, r.pk)):
        row = grouped.setdefault(
            rating.competency_id, CalibrationRow(rating.competency_id, rating.competency.name, [])
        )
        row.entries.append(rating)
        if rating.source == self_source:
            row.latest_self = rating
        else:
            row.latest_mentor = rating
    rows = [row for row in grouped.values() if row.latest_mentor is not None]
    rows.sort(key=lambda r: r.name.casefold())
    return rows


# --- the program view: every cohort side by side (staff) ------------------------------------------
@dataclass(frozen=True)
class CohortFigures:
    """One cohort's line of the program view."""

    members: int
    median_readiness: int | None  # whole points, None without members
    median_change: int | None  # median now minus the median four weeks ago
    behind: int  # members behind their plan by the cohort's rule
    top_gap: TopGap | None  # the competency most of its members lack

    @property
    def change_size(self) -> int | None:
        """The change in points without its sign: the page says "up" or "down"."""
        return None if self.median_change is None else abs(self.median_change)

    @property
    def behind_percent(self) -> int | None:
        return round(100 * self.behind / self.members) if self.members else None


def cohort_figures(
    requirements: Sequence[Requirement],
    member_ids: Sequence[int],
    *,
    reached: Mapping[int, int],
    changes: Mapping[int, int],
    behind_weeks: Mapping[int, int],
    behind_rule: int,
    counts: Mapping[int, GapCounts],
) -> CohortFigures:
    """A cohort's figures from what the database sums per member: `reached` (the weighted levels
    capped at their targets, as percent_of takes them) and `changes` (how much the self-ratings
    of the last four weeks changed it), so four weeks ago is now minus the change. Readiness is
    shown as everywhere (whole points, rounded down), and the change is the difference of the
    two medians as shown, so the figures on the page add up."""
    percent = percent_of(requirements)
    now = [readiness_display(percent(reached.get(m, 0))) for m in member_ids]
    then = [readiness_display(percent(reached.get(m, 0) - changes.get(m, 0))) for m in member_ids]
    median_now, median_then = median(now), median(then)
    shown_now = None if median_now is None else readiness_display(median_now)
    gaps = top_gaps_from_counts(requirements, counts, len(member_ids), limit=1)
    return CohortFigures(
        members=len(member_ids),
        median_readiness=shown_now,
        median_change=None if shown_now is None else shown_now - readiness_display(median_then),
        behind=sum(1 for m in member_ids if behind_weeks.get(m, -1) >= behind_rule),
        top_gap=gaps[0] if gaps else None,
    )


def program_top_gaps(
    cohorts: Iterable[tuple[Sequence[Requirement], Mapping[int, GapCounts], int]],
    *,
    limit: int = 5,
) -> list[TopGap]:
    """The competencies the most learners of the whole program lack, from each cohort's
    (requirements, gap counts, members): a learner counts against their own cohort's path, and
    `of` counts the learners whose path needs the competency at all. Most learners lacking
    first, then the largest mean shortfall."""
    lacking: dict[int, int] = defaultdict(int)
    of: dict[int, int] = defaultdict(int)
    short: dict[int, float] = defaultdict(float)
    for requirements, counts, members in cohorts:
        for gap in top_gaps_from_counts(requirements, counts, members, limit=len(requirements)):
            lacking[gap.competency_id] += gap.lacking
            short[gap.competency_id] += gap.shortfall * gap.lacking
        for r in requirements:
            of[r.competency_id] += members
    gaps = [TopGap(cid, n, of[cid], short[cid] / n) for cid, n in lacking.items()]
    gaps.sort(key=lambda g: (-g.lacking, -g.shortfall, g.competency_id))
    return gaps[:limit]

"""The plan's timeline and its due-date cues, as pure functions: plan items in, SVG geometry and
words out (templates/roadmap/plan/timeline.html draws it; no arithmetic happens there).

Weeks run across (each column a Monday-to-Sunday week), one row per project in plan order: a
bar from its first to its last planned day, its milestones as marks on the bar, a line for
today and one for the learner's target date. An open project whose end has passed is behind
plan: its bar is marked and a stretch runs from its planned end to today.

A long plan does not shrink to fit: weeks keep a readable width and the drawing scrolls inside
its own box (on a phone it always does); a short one widens its weeks to fill FIT_WIDTH."""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

FIT_WIDTH = 880  # the plan page's content width on a desktop, in SVG units (= CSS px)
MIN_WEEK = 16.0  # narrower weeks make a day thinner than a pixel pair
MAX_WEEK = 96.0  # wider ones make a two-week project look like a month
LEFT = 8.0
RIGHT_PAD = 8.0
HEADER = 30.0  # week labels above the rows
FOOTER = 22.0  # and again below them when there are many rows
ROW = 34.0  # a project's name on one line, its bar under it
BAR_TOP = 17.0  # where the bar starts inside its row
BAR_HEIGHT = 12.0
LABEL_WIDTH = 50.0  # room a week label ("28 Sep") needs, with a gap to the next
CHAR_WIDTH = 6.6  # an average character of the label font (13 px), for placing names
MANY_ROWS = 8  # from this many rows, the week labels repeat under the chart
TARGET_REACH_WEEKS = 12  # a target this far past the plan still widens the chart to show it
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def short_day(d: date) -> str:
    return f"{d.day} {_MONTHS[d.month - 1]}"


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class TimelineMilestone:
    due: date
    title: str
    signed_off: bool = False


@dataclass(frozen=True)
class TimelineItem:
    key: str  # the plan item's id: bars link to the item's card (#item-<key>)
    name: str
    start: date
    end: date  # the last planned day, included
    status: str  # planned, started or done (skipped items are not drawn)
    milestones: tuple[TimelineMilestone, ...] = ()
    # Words the list alternative shows as they are ("Started", "3 Dec – 14 Dec 2026")
    status_label: str = ""
    dates: str = ""


@dataclass(frozen=True)
class Mark:
    x: float
    y: float
    path: str  # a diamond centred on (x, y)
    title: str
    signed_off: bool
    passed: bool


@dataclass(frozen=True)
class Bar:
    key: str
    name: str
    status: str
    status_label: str
    dates: str
    start: date
    end: date
    x: float
    y: float
    width: float
    height: float
    label_x: float
    label_y: float
    label_anchor: str  # "start" (after the bar's start) or "end" (before its end)
    behind: bool
    overdue_x: float  # the stretch from the planned end to today; width 0 when not behind
    overdue_width: float
    marks: tuple[Mark, ...]


@dataclass(frozen=True)
class WeekTick:
    x: float
    monday: date
    label: str


@dataclass(frozen=True)
class Timeline:
    width: float
    height: float
    top: float  # the rows' area, between the label bands
    bottom: float
    week_width: float
    first_day: date
    last_day: date
    weeks: tuple[WeekTick, ...]  # the labelled weeks (the grid draws every week: a pattern)
    bars: tuple[Bar, ...]
    # Every milestone mark in three paths (to come, passed, signed off): hundreds of marks in
    # a long plan are three elements, not hundreds.
    marks_ahead: str
    marks_passed: str
    marks_signed: str
    today_x: float | None  # None when today is outside the drawn weeks
    target_x: float | None
    label_top_y: float
    label_bottom_y: float | None  # None: the labels are not repeated below

    @property
    def view_box(self) -> str:
        return f"0 0 {_fmt(self.width)} {_fmt(self.height)}"

    @property
    def grid_x(self) -> float:
        return LEFT

    @property
    def grid_width(self) -> float:
        return round(self.width - LEFT - RIGHT_PAD, 1)

    @property
    def grid_height(self) -> float:
        return self.bottom - self.top

    @property
    def behind_count(self) -> int:
        return sum(1 for bar in self.bars if bar.behind)


def _monday(d: date) -> date:
    return d - timedelta(days=d.weekday())


def day_range(items: Sequence[TimelineItem], today: date, target: date | None):
    """(first Monday, last Sunday) drawn: every item, today, and the target date when it is
    within TARGET_REACH_WEEKS of the rest."""
    first = min([today, *(item.start for item in items)])
    last = max([today, *(item.end for item in items)])
    if target is not None and first <= target <= last + timedelta(weeks=TARGET_REACH_WEEKS):
        last = max(last, target)
    first = _monday(first)
    last = _monday(last) + timedelta(days=6)
    return first, last


def timeline(
    items: Sequence[TimelineItem],
    today: date,
    *,
    target: date | None = None,
    fit_width: float = FIT_WIDTH,
) -> Timeline:
    """The geometry of the plan's timeline. Every bar, mark and line lies inside the drawing;
    for a given plan, today's line moves right as the days pass."""
    first, last = day_range(items, today, target)
    weeks = (last - first).days // 7 + 1
    inner = fit_width - LEFT - RIGHT_PAD
    week_width = min(MAX_WEEK, max(MIN_WEEK, inner / weeks))
    day_width = week_width / 7
    width = LEFT + weeks * week_width + RIGHT_PAD
    right = width - RIGHT_PAD
    top = HEADER
    bottom = top + ROW * len(items)
    repeat = len(items) >= MANY_ROWS
    height = bottom + (FOOTER if repeat else 6.0)

    def x_of(d: date) -> float:
        """The left edge of day d."""
        return LEFT + (d - first).days * day_width

    def middle(d: date) -> float:
        return round(x_of(d) + day_width / 2, 1)

    every = max(1, math.ceil(LABEL_WIDTH / week_width))
    # Every few weeks, as room allows, and never running out of the drawing.
    ticks = tuple(
        WeekTick(round(LEFT + i * week_width, 1), monday, short_day(monday))
        for i in range(0, weeks, every)
        if LEFT + i * week_width + LABEL_WIDTH <= width
        for monday in (first + timedelta(weeks=i),)
    )
    today_x = middle(today) if first <= today <= last else None
    target_x = middle(target) if target is not None and first <= target <= last else None
    bars = []
    paths: dict[str, list[str]] = {"ahead": [], "passed": [], "signed": []}
    for row, item in enumerate(items):
        y = top + row * ROW
        bar_y = y + BAR_TOP
        start = min(item.start, item.end)
        x0 = x_of(start)
        x1 = x_of(item.end + timedelta(days=1))
        behind = item.status != "done" and item.end < today
        overdue_x = x1 if behind else 0.0
        overdue_width = max(0.0, x_of(today) - x1) if behind else 0.0
        # The name reads from the bar's start, or back from its end when it would run out of
        # the drawing; either way it stays inside.
        text = len(item.name) * CHAR_WIDTH
        if x0 + text <= right or x1 - text < LEFT:
            label_x, anchor = max(LEFT, min(x0, right - text)), "start"
        else:
            label_x, anchor = x1, "end"
        centre = bar_y + BAR_HEIGHT / 2
        marks = tuple(
            Mark(
                middle(m.due),
                round(centre, 1),
                _diamond(middle(m.due), centre, BAR_HEIGHT / 2 + 1),
                m.title,
                m.signed_off,
                m.due < today,
            )
            for m in item.milestones
            if start <= m.due <= item.end
        )
        for mark in marks:
            kind = "signed" if mark.signed_off else "passed" if mark.passed else "ahead"
            paths[kind].append(mark.path)
        bars.append(
            Bar(
                item.key,
                item.name,
                item.status,
                item.status_label,
                item.dates,
                item.start,
                item.end,
                round(x0, 1),
                round(bar_y, 1),
                round(max(x1 - x0, 1.0), 1),
                BAR_HEIGHT,
                round(label_x, 1),
                round(y + 13, 1),
                anchor,
                behind,
                round(overdue_x, 1),
                round(overdue_width, 1),
                marks,
            )
        )
    return Timeline(
        width=round(width, 1),
        height=round(height, 1),
        top=top,
        bottom=bottom,
        week_width=round(week_width, 2),
        first_day=first,
        last_day=last,
        weeks=ticks,
        bars=tuple(bars),
        marks_ahead="".join(paths["ahead"]),
        marks_passed="".join(paths["passed"]),
        marks_signed="".join(paths["signed"]),
        today_x=today_x,
        target_x=target_x,
        label_top_y=top - 10,
        label_bottom_y=bottom + 15 if repeat else None,
    )


def _diamond(x: float, y: float, r: float) -> str:
    top, bottom, left, right = _fmt(y - r), _fmt(y + r), _fmt(x - r), _fmt(x + r)
    return f"M{_fmt(x)},{top}L{right},{_fmt(y)}L{_fmt(x)},{bottom}L{left},{_fmt(y)}Z"


# --- due-date cues --------------------------------------------------------------------------------

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass(frozen=True)
class DueCue:
    kind: str  # "overdue" or "due" (due within the coming week)
    text: str


def due_cue(end: date | None, today: date, *, is_open: bool = True) -> DueCue | None:
    """The cue an open item gets from its planned end: overdue once the end has passed, "due"
    in the seven days up to it (today, tomorrow, this week, or early next week by its day),
    nothing otherwise."""
    if end is None or not is_open:
        return None
    days = (end - today).days
    if days < 0:
        late = -days
        if late < 7:
            return DueCue("overdue", f"overdue by {late} day{'s' if late != 1 else ''}")
        weeks = math.ceil(late / 7)
        return DueCue("overdue", f"overdue by {weeks} week{'s' if weeks != 1 else ''}")
    if days == 0:
        return DueCue("due", "due today")
    if days == 1:
        return DueCue("due", "due tomorrow")
    if days < 7:
        weekday = _WEEKDAYS[end.weekday()]
        if _monday(end) == _monday(today):
            return DueCue("due", f"due this week ({weekday})")
        return DueCue("due", f"due {weekday}")  # early next week: its day says more
    return None

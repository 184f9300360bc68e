"""Geometry for server-drawn inline SVG charts, as pure functions: series in, coordinates out.

Templates only place what these return (templates/roadmap/progress/*.html and the cohort page);
no arithmetic happens in a template, and no markup here."""

import functools
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class ChartPoint:
    x: float
    y: float
    value: float
    label: str


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


@dataclass(frozen=True)
class LineChart:
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    points: list[ChartPoint]
    path: str  # the SVG path "d" through every point
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    # Optional marks (the readiness chart's): a target line across, and a dashed projection
    # from the last point on. None / "" when not asked for (the cohort chart).
    target_y: float | None = None
    projection_path: str = ""
    projection_points: tuple[ChartPoint, ...] = ()

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"

    @property
    def y_label_x(self) -> float:
        return self.left - 6

    @property
    def x_label_y(self) -> float:
        return self.height - 8


def line_chart(
    values: Sequence[float | None],
    labels: Sequence[str],
    *,
    width: int = 420,
    height: int = 200,
    y_max: float = 100.0,
    y_ticks: Sequence[float] = (0, 25, 50, 75, 100),
    max_x_labels: int = 6,
    left: float = 36.0,
    target: float | None = None,
    projection: Sequence[tuple[float, float, str]] = (),
) -> LineChart:
    """A line over evenly spaced points, y from 0 (bottom) to y_max (top); values are clamped.
    A week without a value (None) keeps its place and label but gets no point: the line joins
    the known ones. Every chart of Gapmap is drawn from this (the learner's readiness per week,
    the cohort's median per week).

    `target` draws a line across at that value; `projection` is (slot, value, label) points
    beyond the known ones (a slot may fall between two weeks' places, 0 being the first), drawn
    as a line on from the last known point."""
    right, top, bottom = width - 20.0, 12.0, height - 28.0
    n = len(values)
    step = (right - left) / (n - 1) if n > 1 else 0.0
    points = []
    places = []
    for i, (value, label) in enumerate(zip(values, labels, strict=True)):
        x = round(left + i * step if n > 1 else (left + right) / 2, 1)
        places.append((x, label))
        if value is None:
            continue
        clamped = min(max(value, 0.0), y_max)
        y = bottom - (bottom - top) * clamped / y_max
        points.append(ChartPoint(x, round(y, 1), value, label))
    path = " ".join(
        f"{'M' if i == 0 else 'L'}{_fmt(p.x)},{_fmt(p.y)}" for i, p in enumerate(points)
    )
    ticks = [Tick(round(bottom - (bottom - top) * t / y_max, 1), _fmt(t)) for t in y_ticks]
    # Label at most max_x_labels weeks, always the first and the last.
    every = max(1, -(-n // max_x_labels))
    x_ticks = [
        Tick(x, label) for i, (x, label) in enumerate(places) if i % every == 0 or i == n - 1
    ]
    if len(x_ticks) >= 2 and x_ticks[-1].position - x_ticks[-2].position < step * every / 2:
        del x_ticks[-2]  # the last label would overlap its neighbour

    def y_of(value: float) -> float:
        return round(bottom - (bottom - top) * min(max(value, 0.0), y_max) / y_max, 1)

    ahead = tuple(
        ChartPoint(round(left + slot * step if n > 1 else (left + right) / 2, 1), y_of(v), v, lab)
        for slot, v, lab in projection
    )
    projection_path = ""
    if ahead and points:
        projection_path = f"M{_fmt(points[-1].x)},{_fmt(points[-1].y)}" + "".join(
            f" L{_fmt(p.x)},{_fmt(p.y)}" for p in ahead
        )
    target_y = y_of(target) if target is not None else None
    return LineChart(
        width,
        height,
        left,
        right,
        top,
        bottom,
        points,
        path,
        ticks,
        x_ticks,
        target_y=target_y,
        projection_path=projection_path,
        projection_points=ahead,
    )


@dataclass(frozen=True)
class Sparkline:
    width: int
    height: int
    path: str
    last_x: float | None
    last_y: float | None
    target_y: float | None = None

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


SPARK_PAD = 3.0


def _spark_y(level: int, height: int, y_max: int) -> float:
    return height - SPARK_PAD - (height - 2 * SPARK_PAD) * min(max(level, 0), y_max) / y_max


@functools.lru_cache(maxsize=256)
def _spark_xs(
    n: int, width: int
) -> tuple[tuple[float, ...], tuple[str, ...], str, tuple[int, ...]]:
    """The x of each of n weeks and its formatted text: the same for every sparkline of a page.
    Also "H<x>" for every week in one string, with where each week's part starts (and its end),
    so a level held over weeks a..b is one slice of it."""
    if n == 1:
        xs = (width / 2,)
    else:
        step = (width - 2 * SPARK_PAD) / (n - 1) if n > 1 else 0.0
        xs = tuple(SPARK_PAD + i * step for i in range(n))
    texts = tuple(_fmt(x) for x in xs)
    holds = [f"H{text}" for text in texts]
    offsets = [0]
    for hold in holds:
        offsets.append(offsets[-1] + len(hold))
    return xs, texts, "".join(holds), tuple(offsets)


@functools.lru_cache(maxsize=256)
def _spark_level_y(level: int, height: int, y_max: int) -> tuple[float, str]:
    y = _spark_y(level, height, y_max)
    return y, _fmt(y)


def sparkline(
    values: Sequence[int | None],
    *,
    target: int | None = None,
    width: int = 120,
    height: int = 28,
    y_max: int = 4,
) -> Sparkline:
    """A small step line of levels over weeks; weeks before the first rating (None) are skipped.
    `target`, when given, places a reference line at that level."""
    n = len(values)
    xs, x_texts, holds, offsets = _spark_xs(n, width)
    parts = []
    last_x = last_y = previous = None
    index = 0
    # A run of weeks at one level at a time (a level usually holds for weeks).
    for value, run in itertools.groupby(values):
        start = index
        index += len(list(run))
        if value is None:
            continue
        if value != previous:
            y, y_text = _spark_level_y(value, height, y_max)
            if last_y is None:
                parts.append(f"M{x_texts[start]},{y_text}")
            elif y == last_y:
                parts.append(f"H{x_texts[start]}")
            else:
                parts.append(f"H{x_texts[start]}V{y_text}")
            last_y, previous = y, value
            start += 1
        # A step: the level holds until the week it changes.
        parts.append(holds[offsets[start] : offsets[index]])
        last_x = xs[index - 1]
    if last_x is not None and n == 1:
        parts.append(f"H{_fmt(last_x + 0.1)}")
    if last_x is not None:
        last_x, last_y = round(last_x, 1), round(last_y, 1)
    target_y = round(_spark_y(target, height, y_max), 1) if target is not None else None
    return Sparkline(width, height, "".join(parts), last_x, last_y, target_y)


class CalendarCell(NamedTuple):
    # A tuple, not a dataclass: one per calendar day.
    x: float
    y: float
    day: object  # roadmap.lib.progress.CalendarDay


CALENDAR_PAD = 2
CALENDAR_TOP = 16  # the month labels' row
CALENDAR_PITCH = 14  # an 11-unit cell and a 3-unit gap
CALENDAR_CELL = 11
# The weekday labels sit to the right of the newest week: a phone shows that end first.
CALENDAR_DAY_LABELS = ((0, "Mon"), (3, "Thu"), (6, "Sun"))
CALENDAR_DAY_LABEL_WIDTH = 24


@dataclass(frozen=True)
class CalendarLayout:
    cells: list[CalendarCell]
    width: int
    height: int
    months: list[Tick]  # x of the first week of each month, and its name ("Jan 2027")
    month_label_y: float
    day_labels: list[Tick]  # the baseline y of each weekday label
    day_label_x: float


def calendar_layout(days: Sequence) -> CalendarLayout:
    """Place calendar days (roadmap.lib.progress.CalendarDay: day, week_index, weekday) on a
    grid: weeks as columns, oldest on the left, Monday on top; month names above the first
    week whose Monday falls in the month (the first and each January with the year)."""
    cells = [
        CalendarCell(
            CALENDAR_PAD + day.week_index * CALENDAR_PITCH,
            CALENDAR_TOP + day.weekday * CALENDAR_PITCH,
            day,
        )
        for day in days
    ]
    weeks = max((day.week_index for day in days), default=-1) + 1
    grid_right = CALENDAR_PAD + weeks * CALENDAR_PITCH
    firsts: dict[int, date] = {}  # week index -> its earliest day (a Monday but the first's)
    for day in days:
        if day.day is not None and day.week_index not in firsts:
            firsts[day.week_index] = day.day
    starts: list[tuple[int, date]] = []  # (week index, earliest day) of each month's first week
    for index, first in sorted(firsts.items()):
        if not starts or (first.year, first.month) != (starts[-1][1].year, starts[-1][1].month):
            starts.append((index, first))
    # A month that starts within three weeks of the first leaves no room for the first's label.
    if len(starts) >= 2 and starts[1][0] - starts[0][0] < 4:
        del starts[0]
    months = [
        Tick(
            CALENDAR_PAD + index * CALENDAR_PITCH,
            f"{first:%b %Y}" if n == 0 or first.month == 1 else f"{first:%b}",
        )
        for n, (index, first) in enumerate(starts)
    ]
    day_labels = [
        Tick(CALENDAR_TOP + row * CALENDAR_PITCH + 9, name) for row, name in CALENDAR_DAY_LABELS
    ]
    return CalendarLayout(
        cells=cells,
        width=grid_right + CALENDAR_DAY_LABEL_WIDTH,
        height=CALENDAR_TOP + 7 * CALENDAR_PITCH,
        months=months,
        month_label_y=CALENDAR_TOP - 5,
        day_labels=day_labels,
        day_label_x=grid_right + 2,
    )

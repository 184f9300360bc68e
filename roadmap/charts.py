"""Geometry for server-drawn inline SVG charts, as pure functions: series in, coordinates out.

Templates only place what these return; no arithmetic happens in a template."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join


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
    values: Sequence[float],
    labels: Sequence[str],
    *,
    width: int = 420,
    height: int = 200,
    y_max: float = 100.0,
    y_ticks: Sequence[float] = (0, 25, 50, 75, 100),
    max_x_labels: int = 6,
) -> LineChart:
    """A line over evenly spaced points, y from 0 (bottom) to y_max (top); values are clamped."""
    left, right, top, bottom = 36.0, width - 20.0, 12.0, height - 28.0
    n = len(values)
    step = (right - left) / (n - 1) if n > 1 else 0.0
    points = []
    for i, (value, label) in enumerate(zip(values, labels, strict=True)):
        x = left + i * step if n > 1 else (left + right) / 2
        clamped = min(max(value, 0.0), y_max)
        y = bottom - (bottom - top) * clamped / y_max
        points.append(ChartPoint(round(x, 1), round(y, 1), value, label))
    path = " ".join(
        f"{'M' if i == 0 else 'L'}{_fmt(p.x)},{_fmt(p.y)}" for i, p in enumerate(points)
    )
    ticks = [Tick(round(bottom - (bottom - top) * t / y_max, 1), _fmt(t)) for t in y_ticks]
    # Label at most max_x_labels weeks, always the first and the last.
    every = max(1, -(-n // max_x_labels))
    x_ticks = [Tick(p.x, p.label) for i, p in enumerate(points) if i % every == 0 or i == n - 1]
    if len(x_ticks) >= 2 and x_ticks[-1].position - x_ticks[-2].position < step * every / 2:
        del x_ticks[-2]  # the last label would overlap its neighbour
    return LineChart(width, height, left, right, top, bottom, points, path, ticks, x_ticks)


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
    pad = SPARK_PAD
    n = len(values)
    step = (width - 2 * pad) / (n - 1) if n > 1 else 0.0
    parts = []
    last = None
    for i, value in enumerate(values):
        if value is None:
            continue
        x = pad + i * step if n > 1 else width / 2
        y = _spark_y(value, height, y_max)
        if last is None:
            parts.append(f"M{_fmt(x)},{_fmt(y)}")
        else:
            # A step: the level holds until the week it changes.
            parts.append(f"H{_fmt(x)}" if y == last[1] else f"H{_fmt(x)}V{_fmt(y)}")
        last = (x, y)
    if last is not None and n == 1:
        parts.append(f"H{_fmt(last[0] + 0.1)}")
    last_x, last_y = (round(last[0], 1), round(last[1], 1)) if last else (None, None)
    target_y = round(_spark_y(target, height, y_max), 1) if target is not None else None
    return Sparkline(width, height, "".join(parts), last_x, last_y, target_y)


@dataclass(frozen=True)
class CalendarCell:
    x: float
    y: float
    day: object  # roadmap.progress.CalendarDay


CALENDAR_LEFT = 30
CALENDAR_PITCH = 14  # an 11-unit cell and a 3-unit gap


def calendar_cells(days: Sequence) -> tuple[list[CalendarCell], int]:
    """Place calendar days (with week_index and weekday) on a grid: weeks as columns, Monday on
    top. Returns the cells and the width of the drawing."""
    cells = [
        CalendarCell(
            CALENDAR_LEFT + day.week_index * CALENDAR_PITCH, 2 + day.weekday * CALENDAR_PITCH, day
        )
        for day in days
    ]
    weeks = max((day.week_index for day in days), default=-1) + 1
    return cells, CALENDAR_LEFT + weeks * CALENDAR_PITCH


# --- markup -----------------------------------------------------------------------------------
# Pages with many marks (a 26-week calendar, a sparkline per competency) render these strings
# once in Python: a template loop with filters per mark cost the dashboard most of its time.


def sparkline_svg(spark: Sparkline) -> str:
    """The sparkline's inline SVG (decorative: the row's text says the same)."""
    target = (
        format_html(
            '<line class="target-line" x1="0" x2="{}" y1="{}" y2="{}"></line>',
            spark.width,
            spark.target_y,
            spark.target_y,
        )
        if spark.target_y is not None
        else ""
    )
    return format_html(
        '<svg class="sparkline" viewBox="{}" width="{}" height="{}" aria-hidden="true" '
        'focusable="false">{}<path class="spark" d="{}"></path>'
        '<circle class="spark-dot" cx="{}" cy="{}" r="2.5"></circle></svg>',
        spark.view_box,
        spark.width,
        spark.height,
        target,
        spark.path,
        spark.last_x,
        spark.last_y,
    )


def chart_dots_svg(chart: LineChart) -> str:
    """The line chart's dots, each with its week and value as a tooltip."""
    return format_html_join(
        "",
        '<circle class="dot" cx="{}" cy="{}" r="3.5"><title>Week of {}: {}%</title></circle>',
        ((p.x, p.y, p.label, p.value) for p in chart.points),
    )


def calendar_cells_svg(cells: Sequence[CalendarCell], day_labels: Sequence[str]) -> str:
    """The calendar's day squares; `day_labels` are the days' long labels, in the same order."""

    def title(day) -> str:
        if not day.count:
            return "no activity"
        return f"{day.count} thing{'' if day.count == 1 else 's'} done"

    return format_html_join(
        "",
        '<rect class="cell act-{}" x="{}" y="{}" width="11" height="11" rx="2">'
        "<title>{}: {}</title></rect>",
        (
            (cell.day.intensity, cell.x, cell.y, label, title(cell.day))
            for cell, label in zip(cells, day_labels, strict=True)
        ),
    )

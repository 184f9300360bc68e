"""SVG geometry: every point lands inside the drawing, whatever the series."""

import itertools
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from roadmap.lib.charts import calendar_layout, line_chart, sparkline
from roadmap.lib.progress import CalendarDay, activity_calendar


@given(st.lists(st.floats(-50, 150, allow_nan=False), min_size=1, max_size=60))
def test_line_chart_points_stay_inside_the_plot(values):
    chart = line_chart(values, [str(i) for i in range(len(values))])
    for point in chart.points:
        assert chart.left <= point.x <= chart.right
        assert chart.top <= point.y <= chart.bottom
    xs = [p.x for p in chart.points]
    assert xs == sorted(xs)
    assert chart.path.count("M") == 1 and chart.path.count("L") == len(values) - 1
    assert chart.x_ticks[0].label == "0" and chart.x_ticks[-1].label == str(len(values) - 1)
    assert len(chart.x_ticks) <= 7


def test_line_chart_maps_0_and_100_to_bottom_and_top():
    chart = line_chart([0, 100], ["a", "b"])
    assert chart.points[0].y == chart.bottom and chart.points[1].y == chart.top
    assert chart.path == f"M36,{chart.bottom:g} L{chart.right:g},12"


def test_a_single_week_is_drawn_in_the_middle():
    chart = line_chart([40], ["w"])
    assert chart.points[0].x == (chart.left + chart.right) / 2


@given(st.lists(st.one_of(st.none(), st.integers(0, 4)), min_size=1, max_size=60))
def test_sparkline_stays_inside(values):
    spark = sparkline(values, target=3)
    if all(v is None for v in values):
        assert spark.path == "" and spark.last_x is None
    else:
        assert spark.path.startswith("M")
        assert 0 <= spark.last_x <= spark.width and 0 <= spark.last_y <= spark.height
    assert 0 <= spark.target_y <= spark.height


def test_sparkline_steps_between_levels():
    spark = sparkline([None, 1, 1, 3], width=36, height=28)
    assert spark.path == "M13,19.5H23H33V8.5"  # levels 1 and 3 of 0-4 in 3..25


def test_calendar_cells_are_placed_by_week_and_weekday():
    days = [CalendarDay(None, 0, 0, 0), CalendarDay(None, 1, 1, 6)]
    layout = calendar_layout(days)
    assert [(cell.x, cell.y) for cell in layout.cells] == [(2, 16), (16, 100)]
    # Two weeks of 14 units, then the weekday labels on the right.
    assert (layout.width, layout.height, layout.day_label_x) == (54, 114, 32)
    assert [tick.label for tick in layout.day_labels] == ["Mon", "Thu", "Sun"]


def test_calendar_names_each_month_above_its_first_week():
    today = date(2027, 1, 20)
    layout = calendar_layout(activity_calendar({}, today))
    months = [(tick.label, int(tick.position - 2) // 14) for tick in layout.months]
    # 26 weeks from Monday 27 Jul 2026: the first column's July is too close to August.
    assert months == [
        ("Aug 2026", 1),
        ("Sep", 6),
        ("Oct", 10),
        ("Nov", 14),
        ("Dec", 19),
        ("Jan 2027", 23),
    ]
    first_weeks = {tick.position for tick in layout.months}
    for cell in layout.cells:
        if cell.x in first_weeks and cell.day.weekday == 0:
            assert cell.day.day.day <= 7  # the week's Monday is in the month's first week


@given(st.dates(date(2024, 1, 1), date(2030, 12, 31)), st.integers(1, 60))
def test_calendar_month_labels_never_overlap(today, weeks):
    layout = calendar_layout(activity_calendar({}, today, weeks=weeks))
    positions = [tick.position for tick in layout.months]
    assert positions == sorted(set(positions))
    # "Sep 2026" is about 3 weeks wide at the label size; no two labels closer than 4 weeks.
    assert all(b - a >= 4 * 14 for a, b in itertools.pairwise(positions))
    assert all(0 <= p < layout.day_label_x for p in positions)


def _reference_sparkline_path(values, width=120, height=28, y_max=4):
    """The sparkline path as first written (a point at a time), to check the faster one."""
    pad = 3.0
    n = len(values)
    step = (width - 2 * pad) / (n - 1) if n > 1 else 0.0

    def fmt(value):
        return f"{value:.1f}".rstrip("0").rstrip(".")

    parts, last = [], None
    for i, value in enumerate(values):
        if value is None:
            continue
        x = pad + i * step if n > 1 else width / 2
        y = height - pad - (height - 2 * pad) * min(max(value, 0), y_max) / y_max
        if last is None:
            parts.append(f"M{fmt(x)},{fmt(y)}")
        else:
            parts.append(f"H{fmt(x)}" if y == last[1] else f"H{fmt(x)}V{fmt(y)}")
        last = (x, y)
    if last is not None and n == 1:
        parts.append(f"H{fmt(last[0] + 0.1)}")
    return "".join(parts), (round(last[0], 1), round(last[1], 1)) if last else (None, None)


@given(st.lists(st.one_of(st.none(), st.integers(-1, 6)), min_size=1, max_size=60))
def test_sparkline_matches_the_point_by_point_drawing(values):
    spark = sparkline(values)
    assert (spark.path, (spark.last_x, spark.last_y)) == _reference_sparkline_path(values)


def test_weeks_without_a_value_keep_their_place_and_label_but_get_no_point():
    chart = line_chart([None, 40, None, 60], ["a", "b", "c", "d"], max_x_labels=10)
    assert [p.label for p in chart.points] == ["b", "d"]
    assert [t.label for t in chart.x_ticks] == ["a", "b", "c", "d"]
    assert chart.path.count("M") == 1 and chart.path.count("L") == 1
    assert line_chart([None, None], ["a", "b"]).path == ""

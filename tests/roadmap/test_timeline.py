"""The plan's timeline geometry, its due-date cues and the late-target fixes, as pure functions
(roadmap.lib.timeline, roadmap.lib.planner): properties over random plans, plus worked examples."""

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from roadmap.lib import timeline as tl
from roadmap.lib.planner import ProjectSpec, TargetFixes, end_at, schedule, target_fixes

DAY0 = date(2026, 3, 2)  # a Monday


@st.composite
def plans(draw):
    """Items one after another (with gaps and overlaps), any status, with milestones inside."""
    count = draw(st.integers(1, 40))
    cursor = DAY0 + timedelta(days=draw(st.integers(-200, 200)))
    items = []
    for n in range(count):
        cursor += timedelta(days=draw(st.integers(-3, 20)))
        length = draw(st.integers(0, 120))
        start, end = cursor, cursor + timedelta(days=length)
        dues = draw(st.lists(st.integers(0, length), max_size=4))
        items.append(
            tl.TimelineItem(
                str(n),
                draw(st.text(min_size=1, max_size=60)),
                start,
                end,
                draw(st.sampled_from(["planned", "started", "done"])),
                tuple(tl.TimelineMilestone(start + timedelta(days=d), f"step {d}") for d in dues),
            )
        )
        cursor = end
    return items


days = st.integers(-400, 800).map(lambda n: DAY0 + timedelta(days=n))


@given(plans(), days, st.none() | days, st.sampled_from([320, 880, 1200]))
def test_every_bar_mark_and_line_lies_inside_the_drawing(items, today, target, fit):
    chart = tl.timeline(items, today, target=target, fit_width=fit)
    assert len(chart.bars) == len(items)
    assert chart.width >= fit - 1 or chart.week_width == tl.MAX_WEEK
    for bar in chart.bars:
        assert 0 <= bar.x and bar.x + bar.width <= chart.width + 0.05
        assert chart.top <= bar.y and bar.y + bar.height <= chart.bottom
        if bar.overdue_width:
            assert bar.overdue_x + bar.overdue_width <= chart.width + 0.05
        for mark in bar.marks:
            assert bar.x <= mark.x <= bar.x + bar.width + 0.05
            assert bar.y <= mark.y <= bar.y + bar.height
    for tick in chart.weeks:
        assert 0 <= tick.x <= chart.width
        if tick.label:
            assert tick.x + tl.LABEL_WIDTH <= chart.width + 0.05
    for x in (chart.today_x, chart.target_x):
        assert x is None or 0 <= x <= chart.width
    # Today is always drawn; the range covers every item.
    assert chart.today_x is not None
    assert chart.first_day <= min(i.start for i in items)
    assert chart.last_day >= max(i.end for i in items)
    assert chart.first_day.weekday() == 0 and chart.last_day.weekday() == 6


@given(plans(), st.data())
def test_the_today_line_moves_right_as_the_days_pass(items, data):
    first = min(i.start for i in items)
    last = max(i.end for i in items)
    span = (last - first).days
    a, b = sorted(data.draw(st.lists(st.integers(0, span), min_size=2, max_size=2)))
    early = tl.timeline(items, first + timedelta(days=a))
    late = tl.timeline(items, first + timedelta(days=b))
    assert early.today_x <= late.today_x
    if b > a:
        assert early.today_x < late.today_x


@given(plans(), days)
def test_behind_plan_is_an_open_item_whose_end_has_passed(items, today):
    chart = tl.timeline(items, today)
    for item, bar in zip(items, chart.bars, strict=True):
        assert bar.behind == (item.status != "done" and item.end < today)
        assert (bar.overdue_width > 0) == (bar.behind and item.end + timedelta(days=1) < today)
    assert chart.behind_count == sum(bar.behind for bar in chart.bars)


def test_a_short_plan_fills_the_width_and_a_long_one_scrolls():
    short = [tl.TimelineItem("1", "RAG app", DAY0, DAY0 + timedelta(days=13), "planned")]
    chart = tl.timeline(short, DAY0)
    # Two weeks cannot fill the width without looking like months: they stop at MAX_WEEK.
    assert chart.week_width == tl.MAX_WEEK
    assert chart.width == tl.LEFT + 2 * tl.MAX_WEEK + tl.RIGHT_PAD
    assert [w.label for w in chart.weeks] == ["2 Mar", "9 Mar"]
    assert chart.today_x == round(tl.LEFT + chart.week_width / 14, 1)
    long = [
        tl.TimelineItem(
            str(n), f"P{n}", DAY0 + timedelta(weeks=n), DAY0 + timedelta(weeks=n + 1), "planned"
        )
        for n in range(150)
    ]
    chart = tl.timeline(long, DAY0)
    assert chart.week_width == tl.MIN_WEEK
    assert chart.width > tl.FIT_WIDTH  # it scrolls inside its box
    assert chart.label_bottom_y is not None  # many rows: the week labels repeat below


def test_a_far_target_does_not_stretch_the_chart_and_a_near_one_is_drawn():
    items = [tl.TimelineItem("1", "RAG app", DAY0, DAY0 + timedelta(days=20), "started")]
    far = tl.timeline(items, DAY0, target=DAY0 + timedelta(weeks=40))
    assert far.target_x is None and far.last_day < DAY0 + timedelta(weeks=5)
    near = tl.timeline(items, DAY0, target=DAY0 + timedelta(days=10))
    assert near.target_x is not None and near.target_x < near.bars[0].x + near.bars[0].width


def test_a_name_near_the_right_edge_reads_back_from_the_bar_end():
    items = [
        tl.TimelineItem("1", "First", DAY0, DAY0 + timedelta(days=6), "done"),
        tl.TimelineItem(
            "2",
            "A long project name",
            DAY0 + timedelta(days=60),
            DAY0 + timedelta(days=69),
            "planned",
        ),
    ]
    chart = tl.timeline(items, DAY0)
    assert chart.bars[0].label_anchor == "start"
    last = chart.bars[1]
    assert last.label_anchor == "end" and last.label_x == round(last.x + last.width, 1)


# --- due-date cues ---------------------------------------------------------------------------


def test_due_cues_say_when_in_words():
    assert tl.due_cue(DAY0, DAY0) == tl.DueCue("due", "due today")
    assert tl.due_cue(DAY0 + timedelta(days=1), DAY0).text == "due tomorrow"
    assert tl.due_cue(DAY0 + timedelta(days=4), DAY0).text == "due this week (Friday)"
    friday = DAY0 + timedelta(days=4)
    assert tl.due_cue(friday + timedelta(days=5), friday).text == "due Wednesday"  # next week
    assert tl.due_cue(DAY0 + timedelta(days=7), DAY0) is None
    assert tl.due_cue(DAY0 - timedelta(days=1), DAY0) == tl.DueCue("overdue", "overdue by 1 day")
    assert tl.due_cue(DAY0 - timedelta(days=6), DAY0).text == "overdue by 6 days"
    assert tl.due_cue(DAY0 - timedelta(days=15), DAY0).text == "overdue by 3 weeks"
    assert tl.due_cue(DAY0 - timedelta(days=15), DAY0, is_open=False) is None
    assert tl.due_cue(None, DAY0) is None


@given(st.integers(-400, 400))
def test_an_open_item_is_overdue_exactly_when_its_end_has_passed(offset):
    cue = tl.due_cue(DAY0 + timedelta(days=offset), DAY0)
    assert (cue is not None and cue.kind == "overdue") == (offset < 0)
    assert (cue is not None and cue.kind == "due") == (0 <= offset < 7)


# --- the late-target fixes ------------------------------------------------------------------------


@given(
    st.lists(st.integers(0, 200), min_size=1, max_size=30),
    st.integers(1, 80),
    days,
)
def test_end_at_is_the_end_schedule_gives(hours, weekly, start):
    specs = [ProjectSpec(n, f"P{n}", h) for n, h in enumerate(hours)]
    total = sum(max(1, h) for h in hours)
    assert end_at(start, total, weekly) == schedule(specs, weekly, start)[-1].end


@given(st.integers(1, 2000), st.integers(1, 80), st.integers(0, 400), st.integers(1, 400))
def test_the_offered_weekly_hours_make_the_target_and_fewer_would_not(total, weekly, ahead, late):
    start = DAY0
    target = start + timedelta(days=ahead)
    end = max(target + timedelta(days=late), end_at(start, total, weekly))
    fixes = target_fixes(
        end=end, target=target, start=start, total_hours=total, weekly_hours=weekly
    )
    assert fixes.text and fixes.late_weeks >= 1
    assert fixes.target_date is not None and fixes.target_date >= start
    if fixes.weekly_hours is not None:
        assert weekly < fixes.weekly_hours <= 80
        assert fixes.add_hours == fixes.weekly_hours - weekly
        assert end_at(start, total, fixes.weekly_hours) <= target
        assert end_at(start, total, fixes.weekly_hours - 1) > target or (
            fixes.weekly_hours - 1 == weekly
        )
        assert f"add {fixes.add_hours} h a week" in fixes.text


def test_a_plan_that_fits_has_no_fixes():
    fixes = target_fixes(
        end=DAY0, target=DAY0 + timedelta(days=1), start=DAY0, total_hours=10, weekly_hours=6
    )
    assert fixes == TargetFixes("")


def test_a_passed_target_offers_only_a_new_date_from_today():
    # The plan's dates are stale (it ended before today): the new target is its end from today.
    fixes = target_fixes(
        end=DAY0 - timedelta(days=3),
        target=DAY0 - timedelta(days=10),
        start=DAY0,
        total_hours=12,
        weekly_hours=6,
    )
    assert fixes.weekly_hours is None and "already passed" in fixes.text
    assert fixes.target_date == end_at(DAY0, 12, 6) == DAY0 + timedelta(days=13)


def test_when_reflowing_is_enough_it_says_so():
    fixes = target_fixes(
        end=DAY0 + timedelta(days=40),
        target=DAY0 + timedelta(days=30),
        start=DAY0,
        total_hours=6,
        weekly_hours=6,
    )
    assert fixes.reflow and fixes.weekly_hours is None and "reflow" in fixes.text

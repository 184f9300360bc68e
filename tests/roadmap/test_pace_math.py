"""roadmap.lib.pace: week totals, the pace comparison and the "ready by" projection, as pure
functions, with hypothesis properties (monotone in hours, nothing from too little history,
symmetric comparison around its threshold)."""

from datetime import date, timedelta
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from roadmap.lib import pace
from roadmap.lib.gaps import Requirement

TODAY = date(2026, 3, 4)  # a Wednesday
MONDAY = date(2026, 3, 2)


def _history(n):
    return [(MONDAY - timedelta(weeks=n - 1 - i), 10.0 * i) for i in range(n)]


# --- week totals ----------------------------------------------------------------------------------


def test_week_log_counts_finished_weeks_from_the_first_entry_only():
    entries = [(MONDAY - timedelta(weeks=2), 3), (MONDAY - timedelta(days=1), 2), (TODAY, 1.5)]
    log = pace.week_log(entries, TODAY)
    assert log.this_week == 1.5
    # the week of the first entry, then last week; nothing before the first entry
    assert log.weeks == (3.0, 2.0)
    assert pace.logged_pace(log) == 2.5


def test_a_week_without_entries_after_the_first_counts_as_zero():
    entries = [(MONDAY - timedelta(weeks=3), 4)]
    assert pace.week_log(entries, TODAY).weeks == (4.0, 0.0, 0.0)


def test_week_log_keeps_at_most_the_last_pace_weeks_and_ignores_the_future():
    entries = [(MONDAY - timedelta(weeks=10), 4), (TODAY + timedelta(days=1), 9)]
    log = pace.week_log(entries, TODAY)
    assert len(log.weeks) == pace.PACE_WEEKS
    assert log.this_week == 0


def test_no_entries_no_pace():
    log = pace.week_log([], TODAY)
    assert log == pace.WeekLog(0.0, ())
    assert pace.logged_pace(log) is None


# --- the pace comparison --------------------------------------------------------------------------


def test_two_slow_weeks_in_a_row_make_a_gap_with_a_whole_hours_suggestion():
    gap = pace.compare_pace([6, 3, 2], 6)
    assert gap.direction == "slower" and gap.weeks == 2
    assert gap.logged == 2.5 and gap.suggested == 2  # round half to even, never below 1


def test_one_differing_week_is_not_enough():
    assert pace.compare_pace([6, 6, 2], 6) is None


def test_weeks_on_both_sides_are_not_a_gap():
    assert pace.compare_pace([12, 2], 6) is None


def test_within_the_tolerance_is_on_pace():
    # 6 / 1.25 = 4.8 and 6 * 1.25 = 7.5 are the edges: on them is still on pace
    assert pace.compare_pace([4.8, 7.5], 6) is None
    assert pace.compare_pace([7.5, 7.5], 6) is None
    assert pace.compare_pace([4.8, 4.8], 6) is None


def test_nothing_logged_for_two_weeks_suggests_the_profiles_minimum():
    gap = pace.compare_pace([0, 0], 6)
    assert gap.direction == "slower" and gap.suggested == 1


def test_the_suggestion_stays_inside_the_profiles_range():
    assert pace.compare_pace([100, 120], 40).suggested == 80


hours = st.floats(min_value=0.25, max_value=80, allow_nan=False).map(lambda h: round(h, 2))


@given(logged=hours, planned=hours, weeks=st.integers(2, 4))
def test_comparison_is_symmetric(logged, planned, weeks):
    """Logged a, planned b is slower exactly when logged b, planned a is faster."""
    one = pace.compare_pace([logged] * weeks, planned)
    other = pace.compare_pace([planned] * weeks, logged)
    flip = {"slower": "faster", "faster": "slower"}
    assert (one is None) == (other is None)
    if one is not None:
        assert other.direction == flip[one.direction]


@given(planned=st.integers(1, 80), ratio=st.fractions(Fraction(1, 10), Fraction(10)))
def test_comparison_threshold(planned, ratio):
    """A steady pace differs from the plan exactly when the ratio leaves [1/1.25, 1.25]."""
    logged = planned * ratio
    gap = pace.compare_pace([logged, logged], planned)
    inside = Fraction(4, 5) <= ratio <= Fraction(5, 4)
    assert (gap is None) == inside
    if gap is not None:
        assert gap.direction == ("slower" if ratio < 1 else "faster")
        assert pace.MIN_WEEKLY_HOURS <= gap.suggested <= pace.MAX_WEEKLY_HOURS


@given(weeks=st.lists(hours, max_size=6), planned=st.integers(1, 80))
def test_a_gap_needs_min_weeks_in_a_row(weeks, planned):
    gap = pace.compare_pace(weeks, planned)
    if gap is not None:
        assert gap.weeks >= pace.MIN_WEEKS
        assert len(weeks) >= gap.weeks


# --- readiness once each project is done ----------------------------------------------------------


def test_readiness_after_each_project_rises_to_its_builds():
    requirements = [Requirement(1, 3, 1), Requirement(2, 3, 1)]
    after = pace.readiness_after_each(requirements, {1: 1, 2: 3}, [{1: 2}, {1: 3}, {2: 1}])
    # 4/6, 1, and a project building below a level already held lowers nothing
    assert after == [100 * 5 / 6, 100.0, 100.0]


# --- the projection -------------------------------------------------------------------------------


def test_projection_dates_the_target_as_the_planner_would():
    # 6 h a week: 12 h take 14 days, the last of which is today + 13
    projection = pace.project_ready(_history(3), [(6, 60), (6, 100)], 6, TODAY)
    assert projection.steps == ((TODAY + timedelta(days=6), 60), (TODAY + timedelta(days=13), 100))
    assert projection.ready_on == TODAY + timedelta(days=13)
    assert projection.final == 100


def test_a_plan_that_stops_short_has_no_ready_day():
    projection = pace.project_ready(_history(4), [(10, 70)], 5, TODAY)
    assert projection.ready_on is None and projection.final == 70


def test_no_projection_from_fewer_than_three_points():
    assert pace.project_ready(_history(2), [(6, 100)], 6, TODAY) is None
    assert pace.project_ready([], [(6, 100)], 6, TODAY) is None


def test_no_projection_without_a_pace():
    assert pace.project_ready(_history(5), [(6, 100)], 0, TODAY) is None


def test_already_ready_is_ready_today():
    history = [*_history(2), (MONDAY, 100.0)]
    assert pace.project_ready(history, [], 6, TODAY).ready_on == TODAY


remaining = st.lists(
    st.tuples(st.floats(0, 200, allow_nan=False), st.floats(0, 100, allow_nan=False)),
    max_size=12,
).map(lambda rows: [(h, v) for h, v in sorted(rows, key=lambda r: r[1])])


@given(
    points=st.integers(0, 8),
    rows=remaining,
    slow=st.floats(0.5, 80, allow_nan=False),
    extra=st.floats(0, 80, allow_nan=False),
)
def test_more_hours_never_give_a_later_date(points, rows, slow, extra):
    history = _history(points)
    slower = pace.project_ready(history, rows, slow, TODAY)
    faster = pace.project_ready(history, rows, slow + extra, TODAY)
    if points < pace.MIN_POINTS:
        assert slower is None and faster is None
        return
    assert (slower.ready_on is None) == (faster.ready_on is None)
    if slower.ready_on is not None:
        assert faster.ready_on <= slower.ready_on
    for (slow_day, _), (fast_day, _) in zip(slower.steps, faster.steps, strict=True):
        assert fast_day <= slow_day
        assert slow_day >= TODAY


@given(points=st.integers(0, 2), rows=remaining, weekly=st.floats(0.1, 80, allow_nan=False))
def test_never_a_projection_from_fewer_than_three_points(points, rows, weekly):
    assert pace.project_ready(_history(points), rows, weekly, TODAY) is None


@given(hours_done=st.floats(0, 500, allow_nan=False), weekly=st.floats(0.25, 80, allow_nan=False))
def test_finish_day_is_never_before_today_and_covers_the_hours(hours_done, weekly):
    day = pace.finish_day(TODAY, hours_done, weekly)
    assert day >= TODAY
    # the days up to and including `day` hold at least the hours, at weekly/7 a day
    assert ((day - TODAY).days + 1) * weekly / 7 >= hours_done - 1e-6


def test_against_target_in_whole_weeks():
    target = date(2026, 3, 14)
    assert pace.against_target(date(2026, 3, 15), target) == ("after", 1)
    assert pace.against_target(date(2026, 3, 29), target) == ("after", 3)
    assert pace.against_target(date(2026, 3, 1), target) == ("before", 2)
    assert pace.against_target(target, target) == ("on", 0)
    assert pace.against_target(None, target) is None
    assert pace.against_target(target, None) is None

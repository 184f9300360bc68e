"""Pure progress math: weeks in the learner's zone, weekly readiness, since last week,
curriculum diffs, streaks and the activity calendar."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from roadmap.lib.gaps import Requirement
from roadmap.lib.progress import (
    WeekDiff,
    active_days,
    activity_calendar,
    curriculum_changes,
    history,
    requirements_snapshot,
    targets_reached,
    week_start,
    week_streaks,
    weeks_between,
)
from tests.roadmap import reference

UTC_ZONE = ZoneInfo("UTC")
BERLIN = ZoneInfo("Europe/Berlin")
TOKYO = ZoneInfo("Asia/Tokyo")
REQS = [Requirement(1, 4, 1), Requirement(2, 2, 1)]


def at(*args, zone=UTC_ZONE):
    return datetime(*args, tzinfo=zone)


def progress_of(events, zone, today, requirements=REQS):
    """history() of (competency, level, moment) events, each dated in `zone` as the dashboard's
    query dates them."""
    dated = [(cid, level, moment, moment.astimezone(zone).date()) for cid, level, moment in events]
    return history(dated, requirements, today)


ZONES = st.sampled_from(
    [
        "UTC",
        "Europe/Berlin",
        "America/New_York",
        "Asia/Tokyo",
        "Australia/Lord_Howe",
        "Pacific/Kiritimati",
        "America/St_Johns",
    ]
).map(ZoneInfo)
MOMENTS = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2026, 12, 31)).map(
    lambda d: d.replace(tzinfo=UTC)
)
EVENTS = st.lists(st.tuples(st.integers(1, 3), st.integers(0, 4), MOMENTS), max_size=30)
REQUIREMENT_LISTS = st.lists(
    st.builds(Requirement, st.integers(1, 3), st.integers(1, 4), st.integers(1, 10)),
    min_size=1,
    max_size=3,
    unique_by=lambda r: r.competency_id,
)


def test_week_starts_on_monday():
    assert week_start(date(2026, 11, 25)) == date(2026, 11, 23)  # a Wednesday
    assert week_start(date(2026, 11, 23)) == date(2026, 11, 23)
    assert week_start(date(2026, 11, 29)) == date(2026, 11, 23)  # Sunday ends the week


def test_a_sunday_evening_rating_in_tokyo_is_last_week_in_utc_but_this_week_locally():
    # Monday 00:30 in Tokyo is Sunday 15:30 UTC.
    moment = at(2026, 11, 22, 15, 30)
    events = [(1, 2, moment)]
    today = date(2026, 11, 25)
    assert progress_of(events, TOKYO, today).weeks[0] == date(2026, 11, 23)
    assert progress_of(events, UTC_ZONE, today).weeks[0] == date(2026, 11, 16)


def test_level_at_end_of_week_is_the_latest_rating_by_then():
    events = [
        (1, 1, at(2026, 11, 2, 9)),  # Monday week 1
        (1, 3, at(2026, 11, 4, 9)),  # later in week 1
        (2, 2, at(2026, 11, 12, 9)),  # week 2
        (1, 2, at(2026, 11, 24, 9)),  # week 4
    ]
    result = progress_of(events, UTC_ZONE, date(2026, 11, 25))
    assert result.weeks == [
        date(2026, 11, 2),
        date(2026, 11, 9),
        date(2026, 11, 16),
        date(2026, 11, 23),
    ]
    assert result.levels == {1: [3, 3, 3, 2], 2: [None, 2, 2, 2]}
    # needed 4 + 2 = 6; week 1: 3 of 6; week 2: 5 of 6; week 4: 4 of 6
    assert [round(value, 2) for value in result.readiness] == [50.0, 83.33, 83.33, 66.67]


def test_no_events_no_weeks():
    result = progress_of([], UTC_ZONE, date(2026, 11, 25))
    assert (result.weeks, result.readiness, result.levels) == ([], [], {})


def test_future_events_are_ignored():
    events = [(1, 4, at(2026, 12, 30))]
    result = progress_of(events, UTC_ZONE, date(2026, 11, 25))
    assert result.weeks == [] and result.diff.is_empty


@given(EVENTS, REQUIREMENT_LISTS, ZONES, MOMENTS)
def test_series_is_in_range_with_one_point_per_week(events, requirements, zone, now):
    today = now.astimezone(zone).date()
    result = progress_of(events, zone, today, requirements)
    assert len(result.readiness) == len(result.weeks)
    assert all(0.0 <= value <= 100.0 for value in result.readiness)
    for earlier, later in zip(result.weeks, result.weeks[1:], strict=False):
        assert later - earlier == timedelta(days=7)
        assert later.weekday() == 0
    past = [e for e in events if e[2].astimezone(zone).date() <= today]
    if past:
        first = min(e[2] for e in past).astimezone(zone).date()
        assert result.weeks[0] == week_start(first)
        assert result.weeks[-1] == week_start(today)
    else:
        assert result.weeks == []


@given(st.lists(st.tuples(st.integers(1, 3), MOMENTS), max_size=30), REQUIREMENT_LISTS, ZONES)
def test_series_never_falls_when_ratings_only_rise(moments, requirements, zone):
    # Give each competency levels that rise with time.
    ordered = sorted(moments, key=lambda m: m[1])
    seen: dict[int, int] = {}
    events = []
    for cid, moment in ordered:
        seen[cid] = min(4, seen.get(cid, -1) + 1)
        events.append((cid, seen[cid], moment))
    values = progress_of(events, zone, date(2027, 1, 1), requirements).readiness
    assert values == sorted(values)


@given(ZONES, st.dates(date(2024, 1, 1), date(2026, 12, 31)), st.integers(1, 60))
def test_weeks_across_dst_are_seven_local_days_apart(zone, first, span):
    weeks = weeks_between(first, first + timedelta(weeks=span))
    assert len(weeks) == span + 1
    assert all(b - a == timedelta(days=7) for a, b in zip(weeks, weeks[1:], strict=False))


def test_dst_week_in_berlin_keeps_sunday_night_in_its_week():
    # 2026-03-29 is the spring-forward Sunday in Berlin; 23:30 local is 21:30 UTC.
    events = [(1, 1, at(2026, 3, 23, 9)), (1, 2, at(2026, 3, 29, 21, 30))]
    result = progress_of(events, BERLIN, date(2026, 4, 1))
    assert result.weeks == [date(2026, 3, 23), date(2026, 3, 30)]
    assert result.levels == {1: [2, 2]}


def test_since_last_week_lists_rose_fell_and_new():
    today = date(2026, 11, 25)
    events = [
        (1, 1, at(2026, 11, 10)),
        (2, 2, at(2026, 11, 10)),
        (3, 2, at(2026, 11, 10)),
        (1, 3, at(2026, 11, 24)),  # rose
        (2, 1, at(2026, 11, 24)),  # fell
        (4, 2, at(2026, 11, 24)),  # new
        (3, 2, at(2026, 11, 24)),  # same: neither
    ]
    reqs = [Requirement(1, 4, 1), Requirement(2, 4, 1)]
    diff = progress_of(events, UTC_ZONE, today, reqs).diff
    assert diff.rose == {1: (1, 3)}
    assert diff.fell == {2: (2, 1)}
    assert diff.new == {4: 2}
    assert diff.readiness_before == 100.0 * 3 / 8
    assert diff.readiness_now == 100.0 * 4 / 8
    assert diff.readiness_change == 100.0 / 8
    assert not diff.is_empty


def test_since_last_week_is_empty_without_ratings_this_week():
    diff = progress_of([(1, 2, at(2026, 11, 10))], UTC_ZONE, date(2026, 11, 25)).diff
    assert diff.is_empty and diff.readiness_change == 0


def test_curriculum_changes_first_visit_is_silent():
    assert curriculum_changes(None, requirements_snapshot([(1, "Python", 3, 5)])) == []


def test_curriculum_changes_lists_each_kind():
    old = requirements_snapshot([(1, "Python", 3, 5), (2, "SQL", 2, 3), (3, "Docker", 2, 2)])
    new = requirements_snapshot([(1, "Python & SQL", 4, 5), (2, "SQL", 2, 6), (9, "Evals", 3, 4)])
    changes = [(c.kind, c.competency_id, c.before, c.after) for c in curriculum_changes(old, new)]
    assert changes == [
        ("renamed", 1, "Python", "Python & SQL"),
        ("target", 1, 3, 4),
        ("weight", 2, 3, 6),
        ("retired", 3, None, None),
        ("added", 9, None, 3),
    ]
    assert curriculum_changes(new, new) == []


def test_week_streaks_count_weeks_with_any_activity():
    today = date(2026, 11, 25)  # a Wednesday
    monday = date(2026, 11, 23)
    # This week, the last two (one day each is enough), a gap, then three weeks in a row.
    days = [today, monday - timedelta(days=1), monday - timedelta(days=10)]
    days += [monday - timedelta(weeks=w) for w in (4, 5, 6)]
    assert week_streaks(days, today) == (3, 3)
    # Nothing yet this week: the run that ended last week still counts.
    assert week_streaks([monday - timedelta(days=1), monday - timedelta(days=8)], today) == (2, 2)
    # A whole week without activity breaks it.
    assert week_streaks([monday - timedelta(days=8)], today) == (0, 1)
    assert week_streaks([], today) == (0, 0)
    # Seven active days in one week are one week.
    assert week_streaks([monday + timedelta(days=n) for n in range(3)], today) == (1, 1)
    assert week_streaks([today + timedelta(days=7)], today) == (0, 0)  # the future: not yet


def _reference_week_streaks(days, today):
    """Walk back week by week (the definition, slowly)."""
    weeks = {d - timedelta(days=d.weekday()) for d in days if d <= today}
    this_week = today - timedelta(days=today.weekday())
    start = this_week if this_week in weeks else this_week - timedelta(weeks=1)
    current = 0
    while start - timedelta(weeks=current) in weeks:
        current += 1
    longest = 0
    for week in weeks:
        n = 0
        while week + timedelta(weeks=n) in weeks:
            n += 1
        longest = max(longest, n)
    return current, longest


DAY_SETS = st.sets(st.dates(date(2025, 6, 1), date(2026, 12, 31)), max_size=60)
TODAYS = st.dates(date(2025, 6, 1), date(2026, 12, 31))


@given(DAY_SETS, TODAYS)
def test_week_streaks_match_the_definition(days, today):
    assert week_streaks(days, today) == _reference_week_streaks(days, today)


@given(DAY_SETS, TODAYS)
def test_week_streak_properties(days, today):
    current, longest = week_streaks(days, today)
    past = [d for d in days if d <= today]
    assert 0 <= current <= longest <= len({week_start(d) for d in past}) <= len(past)
    if current:
        # Active this week or last week.
        assert any(week_start(today) - week_start(d) <= timedelta(weeks=1) for d in past)


@given(DAY_SETS, TODAYS, st.dates(date(2025, 6, 1), date(2026, 12, 31)))
def test_one_more_active_day_never_shortens_a_streak(days, today, extra):
    current, longest = week_streaks(days, today)
    more_current, more_longest = week_streaks(days | {extra}, today)
    assert more_longest >= longest
    assert more_current >= current


@given(DAY_SETS, TODAYS, st.integers(-30, 30))
def test_week_streaks_do_not_depend_on_the_calendar_week(days, today, shift):
    moved = {d + timedelta(weeks=shift) for d in days}
    assert week_streaks(moved, today + timedelta(weeks=shift)) == week_streaks(days, today)


def test_active_days_counts_per_local_day():
    # 23:30 UTC on the 24th is already the 25th in Berlin.
    counts = active_days([at(2026, 11, 24, 23, 30), at(2026, 11, 25, 8)], BERLIN)
    assert counts == {date(2026, 11, 25): 2}


def test_activity_calendar_covers_26_weeks_up_to_today():
    today = date(2026, 11, 25)  # a Wednesday
    cal = activity_calendar({today: 3, date(2026, 6, 1): 1, date(2026, 1, 1): 9}, today)
    assert cal[0].day == date(2026, 6, 1) and cal[0].weekday == 0 and cal[0].week_index == 0
    assert cal[-1].day == today and cal[-1].week_index == 25 and cal[-1].weekday == 2
    assert len(cal) == 25 * 7 + 3
    assert [(d.day, d.count, d.intensity) for d in cal if d.count] == [
        (date(2026, 6, 1), 1, 1),
        (today, 3, 2),
    ]


@given(EVENTS, REQUIREMENT_LISTS, ZONES, MOMENTS)
def test_history_matches_a_replay_of_every_week(events, requirements, zone, now):
    today = now.astimezone(zone).date()
    result = progress_of(events, zone, today, requirements)
    weeks = reference.weekly_levels(events, zone, today)
    assert result.weeks == [week for week, _ in weeks]
    # The same floats, not only close ones: the dashboard shows them rounded down.
    assert result.readiness == reference.weekly_readiness(events, requirements, zone, today)
    rated = {cid for _, levels in weeks for cid in levels}
    assert set(result.levels) == rated
    for cid in rated:
        assert result.levels[cid] == [levels.get(cid) for _, levels in weeks]
    assert result.diff == WeekDiff(**reference.since_last_week(events, requirements, zone, today))


def test_history_counts_only_required_competencies_and_duplicates_sum():
    # Competency 3 is rated but not required; competency 1 appears twice (weights add up).
    requirements = [Requirement(1, 4, 1), Requirement(1, 2, 3), Requirement(2, 2, 1)]
    events = [(3, 4, at(2026, 11, 2)), (1, 2, at(2026, 11, 3)), (2, 1, at(2026, 11, 11))]
    result = progress_of(events, UTC_ZONE, date(2026, 11, 12), requirements)
    assert result.weeks == [date(2026, 11, 2), date(2026, 11, 9)]
    assert result.readiness == [100.0 * 8 / 12, 100.0 * 9 / 12]
    assert result.levels == {3: [4, 4], 1: [2, 2], 2: [None, 1]}
    assert result.diff.new == {2: 1}


# --- celebrations ---------------------------------------------------------------------------------


def _event(cid, level, day, hour=12):
    moment = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
    return (cid, level, moment, day)


def test_a_target_met_by_a_rise_is_celebrated_once_it_is_recent():
    since = date(2026, 11, 11)
    events = [
        _event(1, 1, date(2026, 10, 1)),
        _event(1, 3, date(2026, 11, 20)),  # below, then at the target: met
        _event(2, 3, date(2026, 11, 20)),  # first rating at the target: where they started
        _event(3, 1, date(2026, 9, 1)),
        _event(3, 4, date(2026, 10, 1)),  # met, but long ago
        _event(4, 1, date(2026, 11, 12)),
        _event(4, 3, date(2026, 11, 13)),
        _event(4, 2, date(2026, 11, 14)),  # met, then fell below again
        _event(9, 4, date(2026, 11, 20)),  # not on the path
    ]
    assert targets_reached(events, {1: 3, 2: 3, 3: 3, 4: 3}, since) == [
        (1, datetime(2026, 11, 20, 12, tzinfo=UTC))
    ]


RATING_EVENTS = st.lists(
    st.tuples(
        st.integers(1, 4),
        st.integers(0, 4),
        st.dates(date(2026, 1, 1), date(2026, 12, 31)),
        st.integers(0, 23),
    ),
    max_size=30,
)


@given(RATING_EVENTS, st.dictionaries(st.integers(1, 4), st.integers(1, 4)), TODAYS)
def test_targets_reached_properties(rows, targets, since):
    events = [_event(cid, level, day, hour) for cid, level, day, hour in rows]
    reached = [cid for cid, _ in targets_reached(events, targets, since)]
    ordered = sorted(events, key=lambda e: e[2])
    for cid in reached:
        mine = [level for c, level, *_ in ordered if c == cid]
        assert mine[-1] >= targets[cid]  # it meets the target now
        assert min(mine) < targets[cid]  # and was below it first
    # An earlier `since` celebrates at least as much.
    assert set(targets_reached(events, targets, since)) <= set(
        targets_reached(events, targets, since - timedelta(days=30))
    )
    # One rating per competency is a starting point, never a step.
    firsts = {}
    for event in ordered:
        firsts.setdefault(event[0], event)
    assert targets_reached(list(firsts.values()), targets, date(2000, 1, 1)) == []

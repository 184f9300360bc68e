"""The pure schedule: weekday/hour in the learner's zone, DST changes, quiet hours, periods."""

import datetime as dt
from zoneinfo import ZoneInfo, available_timezones

import time_machine
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from roadmap.lib import schedule
from roadmap.lib.schedule import Schedule

UTC = dt.UTC
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def ticks(start: dt.datetime, end: dt.datetime, step=dt.timedelta(minutes=15)):
    moment = start
    while moment < end:
        yield moment
        moment += step


def first_due_per_period(plan, zone, start, end, step=dt.timedelta(minutes=15)):
    """What the dispatcher would store: the first tick at which each period is due."""
    first = {}
    for moment in ticks(start, end, step):
        period = schedule.weekly_due(plan, zone, moment)
        if period and period not in first:
            first[period] = moment
    return first


def test_weekly_reminder_due_at_local_weekday_and_hour():
    plan = Schedule(weekday=2, hour=18)  # Wednesday 18:00
    # Wednesday 25 Nov 2026, 18:00 in Berlin is 17:00 UTC.
    assert schedule.weekly_due(plan, BERLIN, dt.datetime(2026, 11, 25, 16, 45, tzinfo=UTC)) is None
    assert (
        schedule.weekly_due(plan, BERLIN, dt.datetime(2026, 11, 25, 17, 0, tzinfo=UTC))
        == "2026-W48"
    )
    assert (
        schedule.weekly_due(plan, BERLIN, dt.datetime(2026, 11, 25, 19, 0, tzinfo=UTC))
        == "2026-W48"
    )
    # Another weekday: nothing.
    assert schedule.weekly_due(plan, BERLIN, dt.datetime(2026, 11, 24, 17, 0, tzinfo=UTC)) is None


def test_frozen_clock_across_berlin_spring_dst_one_reminder_per_local_week():
    plan = Schedule(weekday=6, hour=9)  # Sunday 09:00; DST starts Sunday 29 March 2026
    start = dt.datetime(2026, 3, 9, tzinfo=UTC)
    end = dt.datetime(2026, 4, 13, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as traveller:
        first = {}
        while timezone.now() < end:
            now = timezone.now()
            period = schedule.weekly_due(plan, BERLIN, now)
            if period and period not in first:
                first[period] = now
            traveller.shift(dt.timedelta(minutes=15))
    assert sorted(first) == ["2026-W11", "2026-W12", "2026-W13", "2026-W14", "2026-W15"]
    for moment in first.values():
        local = moment.astimezone(BERLIN)
        assert (local.weekday(), local.hour, local.minute) == (6, 9, 0)
    # The change is on Sunday 29 March itself: 09:00 Berlin is 08:00 UTC before, 07:00 after.
    assert first["2026-W12"].hour == 8 and first["2026-W13"].hour == 7


def test_frozen_clock_across_new_york_autumn_dst_one_reminder_per_local_week():
    plan = Schedule(weekday=0, hour=8)  # Monday 08:00; DST ends Sunday 1 November 2026
    first = first_due_per_period(
        plan, NEW_YORK, dt.datetime(2026, 10, 19, tzinfo=UTC), dt.datetime(2026, 11, 17, tzinfo=UTC)
    )
    assert sorted(first) == ["2026-W43", "2026-W44", "2026-W45", "2026-W46", "2026-W47"]
    for moment in first.values():
        local = moment.astimezone(NEW_YORK)
        assert (local.weekday(), local.hour) == (0, 8)
    assert first["2026-W44"].hour == 12 and first["2026-W45"].hour == 13


def test_every_tick_of_a_year_yields_exactly_one_period_per_local_week():
    plan = Schedule(weekday=4, hour=17)
    first = first_due_per_period(
        plan,
        BERLIN,
        dt.datetime(2026, 1, 5, tzinfo=UTC),
        dt.datetime(2027, 1, 4, tzinfo=UTC),
        step=dt.timedelta(hours=1),
    )
    assert len(first) == 52
    assert len({m.astimezone(BERLIN).isocalendar()[:2] for m in first.values()}) == 52


def test_fortnightly_skips_every_other_week():
    plan = Schedule(weekday=0, hour=9, frequency="fortnightly")
    first = first_due_per_period(
        plan, BERLIN, dt.datetime(2026, 11, 2, tzinfo=UTC), dt.datetime(2026, 12, 28, tzinfo=UTC)
    )
    assert len(first) == 4
    weeks = sorted(int(key.split("W")[1]) for key in first)
    assert all(b - a == 2 for a, b in zip(weeks, weeks[1:], strict=False))


def test_slot_in_quiet_hours_moves_to_their_end():
    plan = Schedule(weekday=0, hour=23)  # 23:00 is inside 21:00-08:00
    slot = schedule.weekly_slot(dt.date(2026, 11, 23), BERLIN, plan)
    local = slot.astimezone(BERLIN)
    assert (local.date(), local.hour) == (dt.date(2026, 11, 24), 8)
    assert schedule.weekly_due(plan, BERLIN, dt.datetime(2026, 11, 23, 22, 0, tzinfo=UTC)) is None
    assert (
        schedule.weekly_due(plan, BERLIN, dt.datetime(2026, 11, 24, 7, 0, tzinfo=UTC)) == "2026-W48"
    )


def test_in_quiet_hours_wrapping_and_plain_and_none():
    night = Schedule()
    assert schedule.in_quiet_hours(dt.time(21, 0), night)
    assert schedule.in_quiet_hours(dt.time(3, 0), night)
    assert not schedule.in_quiet_hours(dt.time(8, 0), night)
    lunch = Schedule(quiet_start=dt.time(12), quiet_end=dt.time(13))
    assert schedule.in_quiet_hours(dt.time(12, 30), lunch)
    assert not schedule.in_quiet_hours(dt.time(13, 0), lunch)
    assert not schedule.in_quiet_hours(
        dt.time(3), Schedule(quiet_start=dt.time(0), quiet_end=dt.time(0))
    )


def test_inactivity_one_period_per_quiet_spell_at_the_usual_hour():
    plan = Schedule(hour=9, inactivity_days=10)
    last = dt.datetime(2026, 11, 1, 18, 0, tzinfo=UTC)
    too_soon = dt.datetime(2026, 11, 10, 12, 0, tzinfo=UTC)
    assert schedule.inactivity_due(plan, BERLIN, too_soon, last) is None
    early = dt.datetime(2026, 11, 12, 6, 0, tzinfo=UTC)  # 07:00 Berlin, quiet and before 09:00
    assert schedule.inactivity_due(plan, BERLIN, early, last) is None
    due = dt.datetime(2026, 11, 12, 9, 0, tzinfo=UTC)
    later = dt.datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    assert schedule.inactivity_due(plan, BERLIN, due, last) == "idle-since-2026-11-01"
    assert schedule.inactivity_due(plan, BERLIN, later, last) == "idle-since-2026-11-01"


def test_milestone_due_the_local_day_before():
    plan = Schedule(hour=9)
    now = dt.datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # Wed 11:00 Berlin
    assert (
        schedule.milestone_due(plan, BERLIN, now, "12-7", dt.date(2026, 11, 26))
        == "milestone-12-7-2026-11-26"
    )
    assert schedule.milestone_due(plan, BERLIN, now, "12-7", dt.date(2026, 11, 27)) is None
    night = dt.datetime(2026, 11, 25, 22, 0, tzinfo=UTC)
    assert schedule.milestone_due(plan, BERLIN, night, "12-7", dt.date(2026, 11, 26)) is None


def test_unknown_zone_falls_back_to_utc():
    assert schedule.safe_zone("Mars/Olympus") == ZoneInfo("UTC")


ZONES = sorted(available_timezones() - {"Factory", "localtime"})


@settings(max_examples=300, deadline=None)
@given(
    zone_name=st.sampled_from(ZONES),
    now=st.datetimes(
        min_value=dt.datetime(2000, 1, 1),
        max_value=dt.datetime(2037, 12, 31),
        timezones=st.just(UTC),
    ),
    weekday=st.integers(0, 6),
    hour=st.integers(0, 23),
    quiet_start=st.integers(0, 23),
    quiet_end=st.integers(0, 23),
    frequency=st.sampled_from(["weekly", "fortnightly"]),
)
def test_next_send_is_in_the_future_and_inside_the_local_window(
    zone_name, now, weekday, hour, quiet_start, quiet_end, frequency
):
    zone = ZoneInfo(zone_name)
    plan = Schedule(
        weekday=weekday,
        hour=hour,
        frequency=frequency,
        quiet_start=dt.time(quiet_start),
        quiet_end=dt.time(quiet_end),
    )
    nxt = schedule.next_weekly_send(plan, zone, now)
    assert nxt > now
    assert nxt - now <= dt.timedelta(days=16)
    assert not schedule.in_quiet_hours(nxt.astimezone(zone).time(), plan)
    # And the dispatcher finds it due at that moment.
    assert schedule.weekly_due(plan, zone, nxt) is not None

"""When the dispatcher next needs to look at a user (roadmap.lib.schedule.next_due_at): never in
the past, never later than a reminder that becomes due, in the user's zone across DST changes."""

import datetime as dt
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from roadmap.lib import schedule
from roadmap.lib.schedule import Reminders, Schedule

UTC = dt.UTC
BERLIN = ZoneInfo("Europe/Berlin")
TICK = dt.timedelta(minutes=15)
# Zones with DST both ways, half-hour DST (Lord Howe), 45-minute offsets, no DST, +14 and -11.
ZONES = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "America/Sao_Paulo",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Asia/Kathmandu",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "America/Santiago",
]

times = st.builds(dt.time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))
schedules = st.builds(
    Schedule,
    weekday=st.integers(0, 6),
    hour=st.integers(0, 23),
    frequency=st.sampled_from(["weekly", "fortnightly"]),
    quiet_start=times,
    quiet_end=times,
    inactivity_days=st.integers(3, 60),
)
moments = st.datetimes(
    min_value=dt.datetime(2024, 1, 1), max_value=dt.datetime(2030, 12, 31), timezones=st.just(UTC)
)


@st.composite
def reminders_at(draw):
    now = draw(moments)
    milestones = tuple(
        (f"{i}-{i}", now.date() + dt.timedelta(days=offset))
        for i, offset in enumerate(draw(st.lists(st.integers(-1, 9), max_size=3)))
    )
    reminders = Reminders(
        schedule=draw(schedules),
        zone=ZoneInfo(draw(st.sampled_from(ZONES))),
        weekly=draw(st.booleans()),
        inactivity=draw(st.booleans()),
        last_activity=now
        - draw(st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=70))),
        milestones=milestones,
    )
    return reminders, now


@settings(max_examples=150, deadline=None)
@given(reminders_at(), st.timedeltas(min_value=dt.timedelta(0), max_value=TICK))
def test_next_due_is_after_now_and_nothing_new_is_due_before_it(case, offset):
    reminders, now = case
    due_now = schedule.due_periods(reminders, now)
    at = schedule.next_due_at(reminders, now)
    assert at.tzinfo is not None and now < at <= now + schedule.HORIZON
    # Every beat tick in between (any phase) finds nothing that was not already due at `now`.
    moment = now + offset
    while moment < at:
        if moment > now:
            assert schedule.due_periods(reminders, moment) <= due_now, moment
        moment += TICK
    # And at that instant something new is due, unless it is a bound: the horizon, or the
    # earliest a new quiet spell can end after this one's nudge.
    caps = {now + schedule.HORIZON, now + dt.timedelta(days=reminders.schedule.inactivity_days)}
    assert at in caps or schedule.due_periods(reminders, at) - due_now


def test_weekly_slot_in_the_learners_zone_across_the_spring_dst_change():
    plan = Schedule(weekday=6, hour=9)  # Sunday 09:00 Berlin; DST starts Sunday 29 March 2026
    reminders = Reminders(plan, BERLIN, inactivity=False)
    before = dt.datetime(2026, 3, 22, 9, 0, tzinfo=UTC)  # after that Sunday's slot (08:00 UTC)
    # the next Sunday is in summer time: 09:00 Berlin is 07:00 UTC
    assert schedule.next_due_at(reminders, before) == dt.datetime(2026, 3, 29, 7, 0, tzinfo=UTC)


def test_quiet_hours_in_the_catch_up_window_move_the_instant_to_their_end():
    # Monday 20:00 Berlin, quiet 20:30-21:30: a dispatcher asking at 20:45 (nothing due, quiet)
    # looks again at 21:30, still inside the six-hour catch-up window.
    plan = Schedule(weekday=0, hour=20, quiet_start=dt.time(20, 30), quiet_end=dt.time(21, 30))
    reminders = Reminders(plan, BERLIN, inactivity=False)
    asked = dt.datetime(2026, 11, 23, 19, 45, tzinfo=UTC)
    assert schedule.due_periods(reminders, asked) == set()
    assert schedule.next_due_at(reminders, asked) == dt.datetime(2026, 11, 23, 20, 30, tzinfo=UTC)


def test_after_a_nudge_the_next_look_is_one_quiet_spell_later():
    plan = Schedule(hour=0, quiet_start=dt.time(0), quiet_end=dt.time(0), inactivity_days=5)
    now = dt.datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    reminders = Reminders(plan, BERLIN, weekly=False, last_activity=now - dt.timedelta(days=30))
    assert {kind for kind, _ in schedule.due_periods(reminders, now)} == {"inactivity"}
    assert schedule.next_due_at(reminders, now) == now + dt.timedelta(days=5)


def test_a_milestone_is_looked_at_from_the_users_hour_the_day_before():
    plan = Schedule(hour=9)
    reminders = Reminders(
        plan, BERLIN, weekly=False, inactivity=False, milestones=(("7-3", dt.date(2026, 11, 26)),)
    )
    now = dt.datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    assert schedule.next_due_at(reminders, now) == dt.datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def test_nothing_turned_on_means_a_look_within_the_horizon():
    reminders = Reminders(Schedule(), BERLIN, weekly=False, inactivity=False)
    now = dt.datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    assert schedule.next_due_at(reminders, now) == now + schedule.HORIZON

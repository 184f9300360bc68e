"""When reminders are due, as pure functions over plain data (no database, no clock).

Beat runs the dispatcher every 15 minutes in UTC; each call asks these functions, with the
learner's zone and `now` (an aware UTC datetime), whether something is due and for which period.
The period key is what makes a reminder happen once: the dispatcher stores one Delivery row per
(recipient, kind, period), so asking again in the same period changes nothing.

Weeks are the learner's local weeks (ISO, Monday start). A slot that falls in quiet hours moves
to the end of the quiet hours, so nothing is ever sent at night in the learner's zone."""

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

UTC = dt.UTC
# After its slot a weekly reminder stays due this long, so a late or missed beat tick still sends
# it (once: the period key dedupes), but a preference changed mid-week does not fire days late.
CATCH_UP = dt.timedelta(hours=6)
# Fortnightly reminders go out in even-numbered weeks counted from this Monday.
_EPOCH_MONDAY = dt.date(1970, 1, 5)


@dataclass(frozen=True)
class Schedule:
    weekday: int = 0  # 0 = Monday
    hour: int = 9
    frequency: str = "weekly"  # or "fortnightly"
    quiet_start: dt.time = dt.time(21, 0)
    quiet_end: dt.time = dt.time(8, 0)
    inactivity_days: int = 10

    @classmethod
    def from_preference(cls, pref) -> "Schedule":
        return cls(
            weekday=pref.weekday,
            hour=pref.hour,
            frequency=pref.frequency,
            quiet_start=pref.quiet_start,
            quiet_end=pref.quiet_end,
            inactivity_days=pref.inactivity_days,
        )


def in_quiet_hours(local_time: dt.time, schedule: Schedule) -> bool:
    """Quiet hours may wrap midnight (21:00-08:00); equal start and end means none."""
    start, end = schedule.quiet_start, schedule.quiet_end
    t = local_time.replace(tzinfo=None)
    if start == end:
        return False
    if start < end:
        return start <= t < end
    return t >= start or t < end


def week_key(local_date: dt.date) -> str:
    year, week, _ = local_date.isocalendar()
    return f"{year}-W{week:02d}"


def week_monday(local_date: dt.date) -> dt.date:
    return local_date - dt.timedelta(days=local_date.weekday())


def _in_frequency(monday: dt.date, schedule: Schedule) -> bool:
    if schedule.frequency != "fortnightly":
        return True
    return ((monday - _EPOCH_MONDAY).days // 7) % 2 == 0


def _localize(naive: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """A wall-clock time in `zone` as aware UTC. Times skipped by a DST change resolve forward
    (02:30 on a spring-forward night is 03:30); repeated times take their first occurrence."""
    return naive.replace(tzinfo=zone).astimezone(UTC)


def allowed_from(moment: dt.datetime, zone: ZoneInfo, schedule: Schedule) -> dt.datetime:
    """`moment` if it is outside quiet hours in `zone`, else the end of those quiet hours (UTC)."""
    for _ in range(3):
        local = moment.astimezone(zone)
        if not in_quiet_hours(local.time(), schedule):
            return moment
        end = dt.datetime.combine(local.date(), schedule.quiet_end)
        if end <= local.replace(tzinfo=None):
            end += dt.timedelta(days=1)
        moment = _localize(end, zone)
    return moment


def weekly_slot(monday: dt.date, zone: ZoneInfo, schedule: Schedule) -> dt.datetime:
    """When the weekly reminder of the local week starting `monday` goes out (UTC)."""
    naive = dt.datetime.combine(
        monday + dt.timedelta(days=schedule.weekday), dt.time(schedule.hour)
    )
    return allowed_from(_localize(naive, zone), zone, schedule)


def weekly_due(schedule: Schedule, zone: ZoneInfo, now: dt.datetime) -> str | None:
    """The period key of the weekly reminder due at `now`, or None."""
    local_monday = week_monday(now.astimezone(zone).date())
    # The slot of last week can still be in its catch-up window (Sunday evening slots).
    for monday in (local_monday, local_monday - dt.timedelta(days=7)):
        if not _in_frequency(monday, schedule):
            continue
        slot = weekly_slot(monday, zone, schedule)
        if slot <= now < slot + CATCH_UP and not in_quiet_hours(
            now.astimezone(zone).time(), schedule
        ):
            return week_key(monday)
    return None


def next_weekly_send(schedule: Schedule, zone: ZoneInfo, now: dt.datetime) -> dt.datetime:
    """The first weekly slot strictly after `now` (UTC), inside the local allowed window."""
    monday = week_monday(now.astimezone(zone).date()) - dt.timedelta(days=7)
    for _ in range(6):
        if _in_frequency(monday, schedule):
            slot = weekly_slot(monday, zone, schedule)
            if slot > now:
                return slot
        monday += dt.timedelta(days=7)
    raise AssertionError("unreachable: a slot exists every two weeks")


def inactivity_due(
    schedule: Schedule, zone: ZoneInfo, now: dt.datetime, last_activity: dt.datetime
) -> str | None:
    """The period key of an inactivity nudge due at `now`, or None.

    One nudge per quiet spell: the key names the day of the last activity, so a learner who
    stays away gets one nudge, and a new spell (after they came back) can get another. The nudge
    waits for the learner's usual hour and never goes out in quiet hours."""
    if now < last_activity + dt.timedelta(days=schedule.inactivity_days):
        return None
    local = now.astimezone(zone)
    if local.hour < schedule.hour or in_quiet_hours(local.time(), schedule):
        return None
    return f"idle-since-{last_activity.astimezone(zone).date().isoformat()}"


def milestone_due(
    schedule: Schedule, zone: ZoneInfo, now: dt.datetime, milestone_key: str, due_date: dt.date
) -> str | None:
    """The period key of a reminder for a milestone due tomorrow (local), or None."""
    local = now.astimezone(zone)
    if due_date != local.date() + dt.timedelta(days=1):
        return None
    if local.hour < schedule.hour or in_quiet_hours(local.time(), schedule):
        return None
    return f"milestone-{milestone_key}-{due_date.isoformat()}"


# --- when the dispatcher next needs to look at a user -------------------------------------------
# The dispatcher stores, per user, the instant from which something may be due (User.
# reminders_due_at, indexed) and reads only the users whose instant has come. The instant never
# lies beyond this horizon, so whatever it cannot see from plain data (a milestone further out
# than the dispatcher reads, a new quiet spell after a nudge) is looked at again within a week.
HORIZON = dt.timedelta(days=7)


@dataclass(frozen=True)
class Reminders:
    """What one user may be reminded of, whatever their role (the dispatcher checks the role when
    it creates the rows): a role change then never needs the instant moved.

    `weekly` covers the weekly reminder and the mentors' digest, which share the weekly slot.
    `milestones` are (key, due date) pairs of the user's plan within the horizon."""

    schedule: Schedule
    zone: ZoneInfo
    weekly: bool = True
    inactivity: bool = True
    last_activity: dt.datetime | None = None
    milestones: tuple[tuple[str, dt.date], ...] = ()


def due_periods(reminders: Reminders, now: dt.datetime) -> set[tuple[str, str]]:
    """Every (kind, period) due at `now`, as the dispatcher asks for them ("weekly" standing for
    the digest too)."""
    plan, zone = reminders.schedule, reminders.zone
    due = set()
    if reminders.weekly and (period := weekly_due(plan, zone, now)):
        due.add(("weekly", period))
    if reminders.inactivity and reminders.last_activity is not None:
        if period := inactivity_due(plan, zone, now, reminders.last_activity):
            due.add(("inactivity", period))
    for key, due_date in reminders.milestones:
        if period := milestone_due(plan, zone, now, key, due_date):
            due.add(("milestone", period))
    return due


def next_due_at(reminders: Reminders, now: dt.datetime) -> dt.datetime:
    """The first instant after `now` at which a reminder that is not due at `now` becomes due, or
    `now + HORIZON` if that comes first. The dispatcher, having created what is due at `now`,
    need not look at this user before then: nothing new can be due in between. Always after
    `now`, in UTC."""
    due = due_periods(reminders, now)
    candidates = [now + HORIZON]
    if reminders.weekly:
        candidates.append(_next_weekly(reminders, now, due))
    if reminders.inactivity and reminders.last_activity is not None:
        candidates.append(_next_inactivity(reminders, now, due))
    for key, due_date in reminders.milestones:
        candidates.append(_next_milestone(reminders, now, due, key, due_date))
    return min(c for c in candidates if c is not None)


def _next_weekly(reminders: Reminders, now, due) -> dt.datetime | None:
    plan, zone = reminders.schedule, reminders.zone
    monday = week_monday(now.astimezone(zone).date()) - dt.timedelta(days=7)
    for _ in range(5):
        if _in_frequency(monday, plan) and ("weekly", week_key(monday)) not in due:
            slot = weekly_slot(monday, zone, plan)
            # Inside a slot's catch-up window the reminder waits only for quiet hours to end.
            moment = allowed_from(max(slot, now), zone, plan)
            if now < moment < slot + CATCH_UP:
                return moment
        monday += dt.timedelta(days=7)
    return None


def _first_after_hour(start: dt.datetime, reminders: Reminders, *, last_date=None):
    """The first instant from `start` at or after the user's hour (local) and outside quiet
    hours, on or before the local date `last_date` if given; None if there is none (the hour
    falls in quiet hours every day)."""
    plan, zone = reminders.schedule, reminders.zone
    moment = start
    for _ in range(8):
        local = moment.astimezone(zone)
        if last_date is not None and local.date() > last_date:
            return None
        if local.hour < plan.hour:
            moment = _localize(dt.datetime.combine(local.date(), dt.time(plan.hour)), zone)
        elif in_quiet_hours(local.time(), plan):
            moment = allowed_from(moment, zone, plan)
        else:
            return moment
    return None


def _next_inactivity(reminders: Reminders, now, due) -> dt.datetime | None:
    last = reminders.last_activity
    period = f"idle-since-{last.astimezone(reminders.zone).date().isoformat()}"
    if ("inactivity", period) in due:
        # This spell's nudge is made; the next spell starts with new activity, after `now`.
        return now + dt.timedelta(days=reminders.schedule.inactivity_days)
    start = max(now, last + dt.timedelta(days=reminders.schedule.inactivity_days))
    moment = _first_after_hour(start, reminders)
    return moment if moment is not None and moment > now else None


def _next_milestone(reminders: Reminders, now, due, key, due_date) -> dt.datetime | None:
    if ("milestone", f"milestone-{key}-{due_date.isoformat()}") in due:
        return None
    eve = due_date - dt.timedelta(days=1)  # reminded the day before, from the user's hour
    opens = _localize(dt.datetime.combine(eve, dt.time(reminders.schedule.hour)), reminders.zone)
    moment = _first_after_hour(max(now, opens), reminders, last_date=eve)
    if moment is None or moment <= now or moment.astimezone(reminders.zone).date() != eve:
        return None
    return moment


def safe_zone(name: str) -> ZoneInfo:
    """The user's zone, or UTC if the stored name is unknown (never crash the dispatcher)."""
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo("UTC")

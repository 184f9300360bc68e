"""The straightforward versions of cohort figures and a learner's weekly
progress that the app computes a faster way.

Not used by the app: the tests check its aggregates in SQL, incremental updates, joined markup
and one-pass history against these (a replay over every learner's levels, one call per mark, a
replay of every rating for every week)."""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from roadmap.lib.cohorts import (
    AttentionRules,
    Cell,
    LearnerRow,
    Levels,
    Member,
    TopGap,
    attention_flags,
    median,
    readiness_of,
)
from roadmap.lib.gaps import Requirement, readiness, readiness_display


def heatmap_rows(
    members: Iterable[Member],
    requirements: Sequence[Requirement],
    current: Levels,
    past: Levels,
    *,
    now: dt.datetime,
    last_rating_at: Mapping[int, dt.datetime] | None = None,
    behind_plan: Mapping[int, int] | None = None,
    rules: AttentionRules = AttentionRules(),  # noqa: B008 - frozen
) -> list[LearnerRow]:
    """One row per member: a cell per requirement, readiness now and its change since `past`.

    Activity falls back to the learner's last rating when last_activity_at was never set."""
    last_rating_at = last_rating_at or {}
    behind = behind_plan or {}
    ready = readiness_of(requirements)
    rows = []
    for member in members:
        levels = current.get(member.id, {})
        now_ready = readiness_display(ready(levels))
        then_ready = readiness_display(ready(past.get(member.id, {})))
        last_active = member.last_activity_at or last_rating_at.get(member.id)
        rows.append(
            LearnerRow(
                learner_id=member.id,
                name=member.name,
                readiness=now_ready,
                readiness_change=now_ready - then_ready,
                cells=[
                    Cell(r.competency_id, levels.get(r.competency_id, 0), r.target)
                    for r in requirements
                ],
                last_active=last_active,
                flags=attention_flags(
                    last_active=last_active,
                    now=now,
                    rules=rules,
                    behind_weeks=behind.get(member.id, 0),
                    readiness_change=now_ready - then_ready,
                ),
            )
        )
    return rows


def top_gaps(
    requirements: Sequence[Requirement],
    current: Levels,
    learner_ids: Sequence[int],
    *,
    limit: int = 5,
) -> list[TopGap]:
    """Competencies the most learners lack (then by the larger mean shortfall): teach these next."""
    if not learner_ids:
        return []
    gaps = []
    for r in requirements:
        shortfalls = [
            r.target - current.get(lid, {}).get(r.competency_id, 0)
            for lid in learner_ids
            if current.get(lid, {}).get(r.competency_id, 0) < r.target
        ]
        if shortfalls:
            gaps.append(
                TopGap(
                    r.competency_id,
                    len(shortfalls),
                    len(learner_ids),
                    sum(shortfalls) / len(shortfalls),
                )
            )
    gaps.sort(key=lambda g: (-g.lacking, -g.shortfall, g.competency_id))
    return gaps[:limit]


def levels_as_of(baseline: Levels, events: Iterable[tuple], at) -> dict:
    """Levels just before `at`: the baseline with every (learner, competency, level, when)
    event whose `when` < `at` applied in order. `when` and `at` may be datetimes or any other
    ordered values (the service passes week-bucket numbers computed in the database)."""
    levels = {lid: dict(comps) for lid, comps in baseline.items()}
    for lid, cid, level, when in sorted(events, key=lambda e: e[3]):
        if when >= at:
            break
        levels.setdefault(lid, {})[cid] = level
    return levels


def weekly_medians(
    requirements: Sequence[Requirement],
    learner_ids: Sequence[int],
    baseline: Levels,
    events: Iterable[tuple],
    ends: Sequence,
    labels: Sequence[dt.date],
) -> list[tuple[dt.date, float | None]]:
    """The members' median readiness at each of `ends` (one per week, labelled by `labels`).

    `baseline` holds levels before the first week; `events` are (learner, competency, level,
    when) rows after it, `when` comparable with `ends`. One sweep over the sorted events."""
    ordered = sorted(events, key=lambda e: e[3])
    levels = {lid: dict(baseline.get(lid, {})) for lid in learner_ids}
    ready = readiness_of(requirements)
    points = []
    i = 0
    for label, end in zip(labels, ends, strict=True):
        while i < len(ordered) and ordered[i][3] < end:
            lid, cid, level, _ = ordered[i]
            if lid in levels:
                levels[lid][cid] = level
            i += 1
        value = median([ready(levels[lid]) for lid in learner_ids])
        points.append((label, None if value is None else round(value, 1)))
    return points


# --- a learner's progress over weeks (roadmap.lib.progress.history computes it in one pass) -------


def weekly_levels(events, zone, today: dt.date) -> list[tuple[dt.date, dict[int, int]]]:
    """(Monday, {competency: level}) for each week from the first rating's week through today's,
    each level the newest rating at or before the week's last local day (ties: the later event);
    ratings dated after today do not count. Replayed from scratch for every week."""
    dated = [(cid, level, at, at.astimezone(zone).date()) for cid, level, at in events]
    dated = [event for event in dated if event[3] <= today]
    if not dated:
        return []
    week = min(day for *_, day in dated)
    week -= dt.timedelta(days=week.weekday())
    weeks = []
    while week <= today:
        weeks.append((week, _newest_levels(dated, until=week + dt.timedelta(days=6))))
        week += dt.timedelta(weeks=1)
    return weeks


def weekly_readiness(events, requirements, zone, today: dt.date) -> list[float]:
    """Readiness against `requirements` at the end of each week of weekly_levels."""
    return [readiness(requirements, levels) for _, levels in weekly_levels(events, zone, today)]


def since_last_week(events, requirements, zone, today: dt.date) -> dict:
    """What changed between the end of last week (local) and today: rose, fell, new and the
    readiness before and now."""
    dated = [(cid, level, at, at.astimezone(zone).date()) for cid, level, at in events]
    monday = today - dt.timedelta(days=today.weekday())
    before = _newest_levels(dated, until=monday - dt.timedelta(days=1))
    now = _newest_levels(dated, until=today)
    return {
        "rose": {c: (before[c], lv) for c, lv in now.items() if c in before and lv > before[c]},
        "fell": {c: (before[c], lv) for c, lv in now.items() if c in before and lv < before[c]},
        "new": {c: lv for c, lv in now.items() if c not in before},
        "readiness_before": readiness(requirements, before),
        "readiness_now": readiness(requirements, now),
    }


def _newest_levels(dated, *, until: dt.date) -> dict[int, int]:
    newest: dict[int, tuple[dt.datetime, int]] = {}
    for cid, level, at, day in dated:
        if day <= until and (cid not in newest or newest[cid][0] <= at):
            newest[cid] = (at, level)
    return {cid: level for cid, (_, level) in newest.items()}

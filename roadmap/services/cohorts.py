"""Cohorts: creating one, inviting to it and joining it; the cohort dashboard's reads (the
members, their heatmap rows and cells, the mentor's summary of all their cohorts); and the
dashboard's expensive figures (weekly medians, reached levels now and 4 weeks ago, top gaps,
calibration), cached, with the per-member "basis" they are computed from brought up to date
incrementally after new ratings. They feed roadmap.lib.cohorts' pure functions. Every read here
runs a fixed number of queries, whatever the cohort size."""

import datetime as dt
import hashlib
import time
from dataclasses import dataclass

from django.db import transaction
from django.db.models import (
    Case,
    DateTimeField,
    F,
    IntegerField,
    Max,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Least
from django.utils import timezone

from accounts.models import (
    Cohort,
    CohortInvite,
    CohortMembership,
    User,
    normalise_invite_code,
)
from curriculum.cache import cache_get, cache_set
from curriculum.models import Path, PathCompetency
from roadmap.lib import cohorts
from roadmap.lib.gaps import Requirement, readiness_display
from roadmap.models import CurrentRating, Rating
from roadmap.services.assessment import ratings_repaired_token
from roadmap.services.conversations import joined_notify
from roadmap.services.mentoring import behind_plan_weeks

INVITE_DAYS = 14


# --- cohorts --------------------------------------------------------------------------------------
COHORT_SETTINGS = (
    "checkin_weekday",
    "attention_behind_weeks",
    "attention_idle_days",
    "attention_drop_points",
)


@transaction.atomic
def cohort_create(*, name: str, path: Path, start_date: dt.date, mentors, **settings) -> Cohort:
    """A new cohort; `settings`: any of COHORT_SETTINGS (the model's defaults otherwise)."""
    unknown = settings.keys() - set(COHORT_SETTINGS)
    if unknown:
        raise TypeError(f"unknown cohort settings: {sorted(unknown)}")
    cohort = Cohort.objects.create(name=name, path=path, start_date=start_date, **settings)
    cohort.mentors.set(mentors)
    return cohort


@transaction.atomic
def cohort_update(*, cohort: Cohort, mentors=None, **fields) -> Cohort:
    """Change a cohort's name, path, start date or COHORT_SETTINGS; `mentors` (for whoever
    sees all cohorts) replaces its mentors."""
    allowed = {"name", "path", "start_date", *COHORT_SETTINGS}
    unknown = fields.keys() - allowed
    if unknown:
        raise TypeError(f"unknown cohort fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(cohort, name, value)
    cohort.save(update_fields=list(fields))
    if mentors is not None:
        cohort.mentors.set(mentors)
    return cohort


def cohort_mentor_add(*, cohort: Cohort, mentor: User) -> bool:
    """Add a co-mentor; False if they already mentor it."""
    if not mentor.is_mentor:
        raise ValueError("only mentor accounts can mentor a cohort")
    if cohort.mentors.filter(pk=mentor.pk).exists():
        return False
    cohort.mentors.add(mentor)
    return True


def cohort_invite_create(
    *, cohort: Cohort, created_by: User, days: int = INVITE_DAYS, max_uses: int | None = None
) -> CohortInvite:
    return CohortInvite.objects.create(
        cohort=cohort,
        created_by=created_by,
        max_uses=max_uses,
        expires_at=timezone.now() + dt.timedelta(days=days),
    )


def invite_find(*, code: str) -> CohortInvite | None:
    """The invite a typed or linked code names, in any case and with spaces or dashes anywhere,
    with its cohort, path and mentors (the join page names them); None if no invite has it."""
    return (
        CohortInvite.objects.select_related("cohort__path")
        .prefetch_related("cohort__mentors")
        .filter(code=normalise_invite_code(code))
        .first()
    )


class JoinError(Exception):
    """An invite that cannot admit this user; the message is for them."""


@transaction.atomic
def cohort_join(*, learner: User, code: str) -> CohortMembership:
    """Join (or rejoin) the invite's cohort. Expired, revoked, used-up or unknown codes raise
    JoinError and change nothing."""
    now = timezone.now()
    if not learner.is_learner:
        raise JoinError("Only learner accounts can join a cohort.")
    invite = invite_find(code=code)
    if invite is None:
        raise JoinError("That invite code is not known. Check it with your mentor.")
    status = invite.status(now)
    if status != "active":
        raise JoinError(f"That invite is {status}. Ask your mentor for a new one.")
    membership = CohortMembership.objects.filter(cohort=invite.cohort, learner=learner).first()
    if membership and membership.left_at is None:
        return membership  # already in: no use of the invite spent
    # Claim one use with a conditional UPDATE so a last seat cannot be taken twice.
    claimed = (
        CohortInvite.objects.usable(now).filter(pk=invite.pk).update(use_count=F("use_count") + 1)
    )
    if claimed != 1:
        raise JoinError("That invite has just been used up. Ask your mentor for a new one.")
    if membership:
        CohortMembership.objects.filter(pk=membership.pk).update(left_at=None, joined_at=now)
        membership.refresh_from_db()
    else:
        membership = CohortMembership.objects.create(cohort=invite.cohort, learner=learner)
    joined_notify(membership=membership)
    return membership


# --- the cohort dashboard's reads -----------------------------------------------------------------
CHART_WEEKS = 8


@dataclass
class CohortData:
    cohort: Cohort
    requirements: list[Requirement]
    path_competencies: list[PathCompetency]
    members: list[cohorts.Member]
    rows: list[cohorts.LearnerRow]  # cells empty until cohort_cells fills them
    weekly: list
    bias: dict
    top_gaps: list[cohorts.TopGap]


def _members(cohort) -> list[cohorts.Member]:
    """Active members; a learner whose last_activity_at was never set counts as last active
    when they last rated anything (their newest current self-rating, looked up only for them,
    in one grouped query: a subquery per member had PostgreSQL JIT-compile the query, 30 ms)."""
    users = list(
        User.objects.filter(
            memberships__cohort=cohort, memberships__left_at__isnull=True
        ).values_list("id", "full_name", "email", "last_activity_at")
    )
    never_active = [uid for uid, _, _, last in users if last is None]
    last_rated = {}
    if never_active:
        last_rated = dict(
            CurrentRating.objects.filter(learner__in=never_active, source=Rating.Source.SELF)
            .order_by()
            .values("learner_id")
            .annotate(last=Max("created_at"))
            .values_list("learner_id", "last")
        )
    return [
        cohorts.Member(uid, name or email.split("@")[0], last or last_rated.get(uid))
        for uid, name, email, last in users
    ]


def _cohort_rows(cohort, members, requirements, *, now, reached, past):
    """The heatmap rows without cells: readiness, its change since `past` and attention."""
    if reached is None:  # the export: readiness from the cells, no attention
        return [cohorts.LearnerRow(m.id, m.name, None, 0, [], m.last_activity_at) for m in members]
    percent = cohorts.percent_of(requirements)
    behind = behind_plan_weeks(member_ids(cohort))
    rules = cohort_rules(cohort)
    rows = []
    for m in members:
        now_ready = readiness_display(percent(reached.get(m.id, 0)))
        then_ready = readiness_display(percent(past.get(m.id, 0)))
        last_active = m.last_activity_at
        rows.append(
            cohorts.LearnerRow(
                learner_id=m.id,
                name=m.name,
                readiness=now_ready,
                readiness_change=now_ready - then_ready,
                cells=[],
                last_active=last_active,
                flags=cohorts.attention_flags(
                    last_active=last_active,
                    now=now,
                    rules=rules,
                    behind_weeks=behind.get(m.id, 0),
                    readiness_change=now_ready - then_ready,
                ),
            )
        )
    return rows


def cohort_rules(cohort: Cohort) -> cohorts.AttentionRules:
    return cohorts.AttentionRules(
        behind_weeks=cohort.attention_behind_weeks,
        idle_days=cohort.attention_idle_days,
        drop_points=cohort.attention_drop_points,
    )


def cohort_requirements(cohort) -> tuple[list[PathCompetency], list[Requirement]]:
    pcs = list(
        PathCompetency.objects.current()
        .filter(path=cohort.path_id)
        .select_related("competency")
        .order_by("position", "id")
    )
    return pcs, [Requirement(pc.competency_id, pc.target_level, pc.weight) for pc in pcs]


def cohort_data(cohort: Cohort, *, now=None, with_history: bool = True) -> CohortData:
    """Everything the cohort dashboard shows but the heatmap cells (cohort_cells reads those for
    the rows shown): a fixed number of queries whatever the size and the length of the history,
    the aggregates cached until any of their inputs changes (cohort_stats).
    Without history (the CSV export) only the rows, their readiness set by cohort_cells with the
    cells: no chart, readiness change, attention, top gaps or calibration."""
    now = now or timezone.now()
    pcs, requirements = cohort_requirements(cohort)
    members = _members(cohort)
    weekly, bias, gaps = [], {}, []
    if with_history:
        starts = cohorts.week_starts(timezone.localtime(now), CHART_WEEKS)
        stats = cohort_stats(cohort, members, requirements, starts)
        reached, weekly = stats["reached"], stats["weekly"]
        bias, gaps = stats["bias"], stats["gaps"]
        past = reached_past(cohort, requirements, stats, starts, now - dt.timedelta(weeks=4))
    else:
        reached = past = None
    rows = _cohort_rows(cohort, members, requirements, now=now, reached=reached, past=past)
    return CohortData(cohort, requirements, pcs, members, rows, weekly, bias, gaps)


def cohort_levels(learner_ids, competency_ids) -> dict[int, dict[int, int]]:
    """{learner: {competency: current self level}} of `learner_ids` over `competency_ids`, in
    one query (a competency without a rating is missing: level 0)."""
    return cohorts.nest_levels(
        CurrentRating.objects.filter(
            learner__in=learner_ids, source=Rating.Source.SELF, competency__in=competency_ids
        ).values_list("learner_id", "competency_id", "level")
    )


def cohort_cells(data: CohortData, rows, *, competency_ids=None) -> None:
    """Fill `rows`' cells (one per requirement, or only those of `competency_ids`) from the
    current self-ratings, in one query. Full rows get their readiness from the cells too."""
    requirements = data.requirements
    if competency_ids is not None:
        requirements = [r for r in requirements if r.competency_id in competency_ids]
    by_id = {row.learner_id: row for row in rows}
    levels = cohort_levels(list(by_id), [r.competency_id for r in requirements])
    ready = cohorts.readiness_of(requirements) if competency_ids is None else None
    for lid, row in by_id.items():
        mine = levels.get(lid, {})
        row.cells = [
            cohorts.Cell(r.competency_id, mine.get(r.competency_id, 0), r.target)
            for r in requirements
        ]
        if ready is not None:
            row.readiness = readiness_display(ready(mine))


@dataclass
class CohortSummary:
    cohort: Cohort
    size: int
    median_readiness: int | None
    attention: int


def cohort_summaries(user, *, now=None) -> list[CohortSummary]:
    """The mentor's cohorts with size, median readiness and needs-attention count: at most six
    queries for any number of cohorts and learners. The database adds up each member's capped
    levels (never sending every current rating here), the last rating of those never active and
    the most overdue item; what is left here is a few numbers per member (the median, the rules)."""
    now = now or timezone.now()
    cohort_list = list(
        Cohort.objects.mentored_by(user).select_related("path").order_by("-start_date", "name")
    )
    needed = dict(
        PathCompetency.objects.current()
        .filter(path__in={c.path_id for c in cohort_list})
        .order_by()
        .values("path_id")
        .annotate(needed=Sum(F("weight") * F("target_level")))
        .values_list("path_id", "needed")
    )
    reached = dict(
        _reached_by_membership(cohort_list).values_list(
            "learner__memberships__id", "reached", named=False
        )
    )
    active = CohortMembership.objects.active().filter(cohort__in=cohort_list).order_by()
    members = list(active.values_list("id", "cohort_id", "learner_id", "learner__last_activity_at"))
    # Grouped queries, not a subquery per member: PostgreSQL's estimate for 5,000 correlated
    # subqueries alone made it compile the query (JIT, about 150 ms).
    never_active = {lid for _, _, lid, last in members if last is None}
    last_rated = {}
    if never_active:  # usually few: those who joined and never assessed or planned
        last_rated = dict(
            CurrentRating.objects.filter(learner__in=never_active)
            .order_by()
            .values("learner_id")
            .annotate(last=Max("created_at"))
            .values_list("learner_id", "last")
        )
    behind = behind_plan_weeks(active.values("learner_id"))
    by_cohort: dict[int, list] = {c.id: [] for c in cohort_list}
    for membership_id, cohort_id, learner_id, last in members:
        by_cohort[cohort_id].append(
            (
                reached.get(membership_id, 0),
                last or last_rated.get(learner_id),
                behind.get(learner_id, 0),
            )
        )
    summaries = []
    for cohort in cohort_list:
        rules = cohort_rules(cohort)
        path_needed = needed.get(cohort.path_id) or 0
        ready, attention = [], 0
        for mine, last, behind in by_cohort[cohort.id]:
            ready.append(100.0 if not path_needed else 100.0 * mine / path_needed)
            # the summary has no readiness history: the plan and activity rules only
            if cohorts.attention_flags(last_active=last, now=now, rules=rules, behind_weeks=behind):
                attention += 1
        med = cohorts.median(ready)
        summaries.append(
            CohortSummary(
                cohort, len(ready), None if med is None else readiness_display(med), attention
            )
        )
    return summaries


def _reached_by_membership(cohort_list):
    """Per active membership of these cohorts: the member's current self levels, capped at their
    cohort path's targets and weighted, summed (readiness's numerator), by the database."""
    return (
        CurrentRating.objects.filter(
            source=Rating.Source.SELF,
            learner__memberships__cohort__in=cohort_list,
            learner__memberships__left_at__isnull=True,
            competency__path_competencies__path=F("learner__memberships__cohort__path"),
            competency__path_competencies__retired_at__isnull=True,
        )
        .order_by()
        .values("learner__memberships__id")
        .annotate(
            reached=Sum(
                F("competency__path_competencies__weight")
                * Least(F("level"), F("competency__path_competencies__target_level"))
            )
        )
    )


# --- the cohort dashboard's cached figures --------------------------------------------------------
def member_ids(cohort):
    """The active members' ids as a subquery: filtering ratings by it lets the database use its
    index instead of matching hundreds of bound ids one by one (and sends one parameter)."""
    return CohortMembership.objects.active().filter(cohort=cohort).values("learner_id")


def _per_requirement(requirements, value):
    """CASE on the competency: value(target, weight) for each requirement, 0 for the rest. In
    the query instead of a join to PathCompetency, which SQLite would start from, reading every
    learner's ratings of each competency instead of the cohort's through the learner index."""
    return Case(
        *[
            When(competency_id=r.competency_id, then=value(Value(r.target), Value(r.weight)))
            for r in requirements
        ],
        default=Value(0),
        output_field=IntegerField(),
    )


def _capped_change(target, weight):
    # what a rating adds to `reached`: its capped level minus the capped one it replaced
    return weight * (Least(F("level"), target) - Least(F("previous_level"), target))


def _changes(cohort, requirements, since, cuts, *, detail=None):
    """({learner: {bucket: change of reached}}, {learner: [(POSIX time, change), ...]}) of the
    self-ratings since `since`: bucket n holds those before cuts[n] (len(cuts): after the last
    cut); the ratings in `detail` (a [start, end) range) also come one by one. A rating changes
    `reached` by weight x (capped level - capped previous level), so the database sums the
    changes per week without anyone replaying the history. One query."""
    bucket = Case(
        *[When(created_at__lt=cut, then=Value(n)) for n, cut in enumerate(cuts)],
        default=Value(len(cuts)),
        output_field=IntegerField(),
    )
    start, end = detail or (since, since)
    at = Case(
        When(created_at__gte=start, created_at__lt=end, then=F("created_at")),
        default=Value(None),
        output_field=DateTimeField(null=True),
    )
    rows = (
        Rating.objects.filter(
            learner__in=member_ids(cohort),
            source=Rating.Source.SELF,
            created_at__gte=since,
            competency__in=[r.competency_id for r in requirements],
        )
        .order_by()
        .annotate(bucket=bucket, at=at)
        .values("learner_id", "bucket", "at")
        .annotate(change=Sum(_per_requirement(requirements, _capped_change)))
        .values_list("learner_id", "bucket", "at", "change")
    )
    changes: dict[int, dict[int, int]] = {}
    events: dict[int, list[tuple]] = {}
    for lid, b, when, change in rows:
        if not change:
            continue
        mine = changes.setdefault(lid, {})
        mine[b] = mine.get(b, 0) + change
        if when is not None:
            events.setdefault(lid, []).append((when.timestamp(), change))
    return changes, events


def _current_levels(learners, requirements) -> tuple[dict, dict]:
    """({learner: levels_in_order tuple of their current self-ratings}, {learner: {competency:
    their mentors' current level}}) over the path's requirements, for `learners` (ids or a
    subquery). One query, one row per rated competency."""
    own: dict[int, dict[int, int]] = {}
    mentor: dict[int, dict[int, int]] = {}
    for lid, cid, source, level in CurrentRating.objects.filter(
        learner__in=learners, competency__in=[r.competency_id for r in requirements]
    ).values_list("learner_id", "competency_id", "source", "level"):
        (own if source == Rating.Source.SELF else mentor).setdefault(lid, {})[cid] = level
    levels = {lid: cohorts.levels_in_order(requirements, mine) for lid, mine in own.items()}
    return levels, mentor


STATS_SECONDS = 600  # an upper bound only: any change to what the figures come from changes the key
# A basis older than this is rebuilt from scratch rather than brought up to date. It bounds how
# long a rating can be missed whose id was handed out before, but committed after, a newer one
# that a dashboard view had already taken in (a window of a few milliseconds in rating_record).
BASIS_SECONDS = STATS_SECONDS
# Bringing a basis up to date reads each changed learner's current rows and chart-weeks ratings
# (about 0.4 ms a learner at 40 competencies, against about 0.3 ms a member for a build): past
# this share of the members changed, one pass over the whole cohort is cheaper.
BASIS_MAX_CHANGED_SHARE = 1 / 3


def _digest(*parts) -> str:
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _basis_parts(members, requirements, starts) -> tuple:
    return (
        [(r.competency_id, r.target, r.weight) for r in requirements],
        [m.id for m in members],
        [start.isoformat() for start in starts],
    )


def _newest_rating_id() -> int:
    """The newest rating of anyone: the primary key's last entry, one index probe. A basis
    built after reading it holds every member rating up to it."""
    return Rating.objects.aggregate(newest=Max("id"))["newest"] or 0


def _rated_since(cohort, newest: int) -> dict[int, int]:
    """{member: their newest rating id} of the members who rated after rating `newest`. Ratings
    are append-only and a new one, even back-dated, gets a larger id, so this is every change to
    the figures (a repair that deletes ratings changes ratings_repaired_token instead). It
    reads the primary key's range above `newest`, the ratings since of anyone, and never all
    the members' ratings (the old MAX(id) over them read every rating in the table)."""
    return dict(
        Rating.objects.filter(id__gt=newest, learner__in=member_ids(cohort))
        .order_by()
        .values("learner_id")
        .annotate(newest=Max("id"))
        .values_list("learner_id", "newest")
    )


def _basis_build(cohort, members, requirements, starts, newest) -> dict:
    """Every member's part of the figures, from two queries over the whole cohort: current levels
    (self and mentor) and the self-ratings' changes per chart week (summed by the database)."""
    levels, mentor = _current_levels(member_ids(cohort), requirements)
    changes, events = _changes(
        cohort, requirements, starts[0], starts[1:], detail=(starts[3], starts[4])
    )
    basis = {
        "built": time.time(),
        "newest": newest,
        "levels": levels,
        "mentor": mentor,
        "series": {},
        "events": events,
        "counts": {},
    }
    for m in members:
        _basis_set_series(basis, requirements, starts, m.id, changes.get(m.id, {}))
    for mine in levels.values():
        cohorts.add_gap_counts(basis["counts"], requirements, mine)
    return basis


def _basis_set_series(basis, requirements, starts, lid, changes) -> None:
    # bucket n: ratings before starts[n + 1]; the last bucket: since this week's start
    ends = [*range(1, len(starts)), len(starts)]
    mine = basis["levels"].get(lid)
    reached = cohorts.reached_of(requirements, mine) if mine else 0
    basis["series"][lid] = cohorts.reached_before(reached, changes, ends)


def _basis_update(cohort, members, requirements, starts, basis, rated) -> dict:
    """The basis with the learners who rated since it was built (or last brought up to date)
    read again (`rated`: see _rated_since): their current levels and the ratings of the chart's
    weeks, a few rows each."""
    changed, newest = set(rated), max(rated.values())
    if len(changed) > BASIS_MAX_CHANGED_SHARE * len(members):
        return _basis_build(cohort, members, requirements, starts, newest)
    if changed:
        levels, mentor = _current_levels(changed, requirements)
        changes, events = cohorts.rating_changes(
            requirements,
            Rating.objects.filter(
                learner__in=changed,
                source=Rating.Source.SELF,
                created_at__gte=starts[0],
                competency__in=[r.competency_id for r in requirements],
            )
            .order_by()
            .values_list("learner_id", "competency_id", "level", "previous_level", "created_at"),
            starts[1:],
            (starts[3], starts[4]),
        )
        counts = basis["counts"]
        for lid in changed:
            old = basis["levels"].pop(lid, None)
            if old:
                cohorts.add_gap_counts(counts, requirements, old, -1)
            if lid in levels:
                basis["levels"][lid] = levels[lid]
                cohorts.add_gap_counts(counts, requirements, levels[lid])
            for part, value in (("mentor", mentor.get(lid)), ("events", events.get(lid))):
                basis[part].pop(lid, None)
                if value:
                    basis[part][lid] = value
            _basis_set_series(basis, requirements, starts, lid, changes.get(lid, {}))
    basis["newest"] = newest
    return basis


def _figures(members, requirements, starts, basis) -> dict:
    """The dashboard's figures from a basis: the weekly medians, each learner's reached levels
    now and just before the chart's fourth week (and that week's rating changes, where "4 weeks
    ago" falls), the top gaps and the self-versus-mentor calibration."""
    percent = cohorts.percent_of(requirements)
    series = basis["series"]
    weekly = []
    for i, start in enumerate(starts):
        value = cohorts.median([percent(series[m.id][i]) for m in members])
        weekly.append((start.date(), None if value is None else round(value, 1)))
    levels, mentor = basis["levels"], basis["mentor"]
    own = {}
    for lid in mentor:
        mine = levels.get(lid, ())
        own[lid] = {
            r.competency_id: level
            for r, level in zip(requirements, mine, strict=False)
            if level is not None
        }
    counts = {cid: cohorts.GapCounts(*values) for cid, values in basis["counts"].items()}
    return {
        "reached": {m.id: series[m.id][-1] for m in members},
        "weekly": weekly,
        "base": {m.id: series[m.id][2] for m in members},  # just before starts[3]
        "events": basis["events"],
        "gaps": cohorts.top_gaps_from_counts(requirements, counts, len(members)),
        "bias": cohorts.calibration_bias(own, mentor),
    }


def cohort_stats(cohort, members, requirements, starts) -> dict:
    """The expensive figures of the dashboard (_figures), kept in the cache under a key of
    everything they are computed from: the path's requirements, who is in the cohort, the newest
    rating of any member and the chart's weeks (in the viewer's time zone). So a new rating, a
    curriculum edit or a membership change shows up on the next view.

    They are computed from a "basis", each member's part of them, cached under the same key
    without the newest rating. After a new rating (the usual reason for a new key) only the
    learners who rated since are read again, instead of every member's ratings of 8 weeks.
    The newest rating the figures hold is kept under a small "head" entry, so a view asks the
    database only for the members' ratings after it (_rated_since): none, then the figures."""
    parts = (*_basis_parts(members, requirements, starts), ratings_repaired_token())
    head_key = f"cohort-head:{cohort.pk}:{_digest(*parts)}"
    newest = cache_get(head_key)
    rated = None
    if newest is not None:
        rated = _rated_since(cohort, newest)
        stats = None if rated else cache_get(_stats_key(cohort, parts, newest))
        if stats is not None:
            return stats
    basis_key = f"cohort-basis:{cohort.pk}:{_digest(*parts)}"
    basis = cache_get(basis_key)
    if basis is None or time.time() - basis["built"] > BASIS_SECONDS:
        basis = _basis_build(cohort, members, requirements, starts, _newest_rating_id())
    else:
        if rated is None or basis["newest"] != newest:
            rated = _rated_since(cohort, basis["newest"])
        if rated:
            basis = _basis_update(cohort, members, requirements, starts, basis, rated)
    cache_set(basis_key, basis, BASIS_SECONDS)
    stats = _figures(members, requirements, starts, basis)
    cache_set(_stats_key(cohort, parts, basis["newest"]), stats, STATS_SECONDS)
    cache_set(head_key, basis["newest"], STATS_SECONDS)
    return stats


def _stats_key(cohort, parts, newest) -> str:
    return f"cohort-stats:{cohort.pk}:{_digest(*parts, newest)}"


def reached_past(cohort, requirements, stats, starts, cut) -> dict[int, int]:
    """{learner: reached levels just before `cut`}: 4 weeks ago is in the chart's fourth week
    (whose ratings cohort_stats keeps), unless a clock change moved it: then ask the database."""
    if not starts[3] <= cut < starts[4]:
        since, _ = _changes(cohort, requirements, cut, [])
        return {lid: r - since.get(lid, {}).get(0, 0) for lid, r in stats["reached"].items()}
    cut = cut.timestamp()
    return {
        lid: base + sum(change for at, change in stats["events"].get(lid, ()) if at < cut)
        for lid, base in stats["base"].items()
    }

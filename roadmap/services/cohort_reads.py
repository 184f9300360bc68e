"""The cohort dashboard's reads: the members, their heatmap rows and cells, the figures around
them (cached in cohort_figures) and the mentor's summary of all their cohorts. They feed
roadmap.cohorts' pure functions; the mentoring writes and per-learner reads are in mentoring.
Every read here runs a fixed number of queries, whatever the cohort size."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, F, Max, OuterRef, Subquery, When
from django.utils import timezone

from accounts.models import Cohort, CohortMembership, User
from curriculum.models import PathCompetency
from roadmap import cohorts
from roadmap.gaps import Requirement, readiness, readiness_display
from roadmap.models import CurrentRating, Rating
from roadmap.services import cohort_figures
from roadmap.services.mentoring import behind_plan_ids

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
    when they last rated anything (their newest current self-rating, looked up only for them)."""
    last_rated = (
        CurrentRating.objects.filter(learner=OuterRef("pk"), source=Rating.Source.SELF)
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    users = (
        User.objects.filter(memberships__cohort=cohort, memberships__left_at__isnull=True)
        .annotate(
            last=Case(
                When(last_activity_at__isnull=True, then=Subquery(last_rated)),
                default=F("last_activity_at"),
            )
        )
        .values_list("id", "full_name", "email", "last")
    )
    return [
        cohorts.Member(uid, name or email.split("@")[0], last) for uid, name, email, last in users
    ]


def _cohort_rows(cohort, members, requirements, *, now, reached, past):
    """The heatmap rows without cells: readiness, its change since `past` and attention."""
    if reached is None:  # the export: readiness from the cells, no attention
        return [cohorts.LearnerRow(m.id, m.name, None, 0, [], m.last_activity_at) for m in members]
    percent = cohorts.percent_of(requirements)
    behind = behind_plan_ids(cohort_figures.member_ids(cohort))
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
                reasons=cohorts.attention_reasons(last_active, now, behind_plan=m.id in behind),
            )
        )
    return rows


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
    the aggregates cached until any of their inputs changes (cohort_figures.cohort_stats).
    Without history (the CSV export) only the rows, their readiness set by cohort_cells with the
    cells: no chart, readiness change, attention, top gaps or calibration."""
    now = now or timezone.now()
    pcs, requirements = cohort_requirements(cohort)
    members = _members(cohort)
    weekly, bias, gaps = [], {}, []
    if with_history:
        starts = cohorts.week_starts(timezone.localtime(now), CHART_WEEKS)
        stats = cohort_figures.cohort_stats(cohort, members, requirements, starts)
        reached, weekly = stats["reached"], stats["weekly"]
        bias, gaps = stats["bias"], stats["gaps"]
        past = cohort_figures.reached_past(
            cohort, requirements, stats, starts, now - dt.timedelta(weeks=4)
        )
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
    """The mentor's cohorts with size, median readiness and needs-attention count: a fixed number
    of queries for any number of cohorts and learners."""
    now = now or timezone.now()
    cohort_list = list(
        Cohort.objects.mentored_by(user).select_related("path").order_by("-start_date", "name")
    )
    path_ids = {c.path_id for c in cohort_list}
    reqs: dict[int, list[Requirement]] = {pid: [] for pid in path_ids}
    for pid, cid, target, weight in (
        PathCompetency.objects.current()
        .filter(path__in=path_ids)
        .values_list("path_id", "competency_id", "target_level", "weight")
    ):
        reqs[pid].append(Requirement(cid, target, weight))
    memberships = list(
        CohortMembership.objects.active()
        .filter(cohort__in=cohort_list)
        .values_list("cohort_id", "learner_id", "learner__last_activity_at")
    )
    ids = {lid for _, lid, _ in memberships}
    levels = cohorts.nest_levels(
        CurrentRating.objects.filter(learner__in=ids, source=Rating.Source.SELF).values_list(
            "learner_id", "competency_id", "level"
        )
    )
    # the newest current row is the newest rating
    last_rating = dict(
        CurrentRating.objects.filter(learner__in=ids)
        .values("learner_id")
        .annotate(last=Max("created_at"))
        .values_list("learner_id", "last")
    )
    behind = behind_plan_ids(ids)
    summaries = []
    for cohort in cohort_list:
        ready, attention = [], 0
        for cid, lid, last in memberships:
            if cid != cohort.id:
                continue
            ready.append(readiness(reqs[cohort.path_id], levels.get(lid, {})))
            if cohorts.attention_reasons(
                last or last_rating.get(lid), now, behind_plan=lid in behind
            ):
                attention += 1
        med = cohorts.median(ready)
        summaries.append(
            CohortSummary(
                cohort, len(ready), None if med is None else readiness_display(med), attention
            )
        )
    return summaries

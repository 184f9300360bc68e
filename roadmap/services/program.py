"""The program view's reads: every cohort side by side for staff who run the program (members,
median readiness and its change in four weeks, the share behind plan, the top gaps). The
database sums each member's figures against their own cohort's path; roadmap.lib.cohorts does
the rest. A fixed number of queries whatever the number of cohorts and members (three more per
path that has cohorts)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Least
from django.utils import timezone

from accounts.models import Cohort, CohortMembership
from curriculum.models import PathCompetency
from roadmap.lib import cohorts
from roadmap.lib.gaps import Requirement
from roadmap.models import CurrentRating, Rating
from roadmap.services.mentoring import behind_plan_weeks

CHANGE_WEEKS = 4


@dataclass(frozen=True)
class ProgramCohort:
    cohort: Cohort
    mentors: list[str]
    figures: cohorts.CohortFigures
    top_gap_name: str | None


@dataclass(frozen=True)
class Program:
    cohorts: list[ProgramCohort]
    top_gaps: list[tuple[cohorts.TopGap, str]]  # (gap, competency name)
    members: int
    since: dt.datetime  # "four weeks ago"


# The joins from a member's rating to their cohort's requirement of that competency, for one path
# at a time. One filter() call, so the membership join is the one that names the cohort and every
# rating counts once per cohort of that path the learner is in. A constant path (rather than
# F("learner__memberships__cohort__path"), one query for all paths) lets PostgreSQL filter both
# sides before joining: with the cohort's path matched to the column, it merge-joined 42 M rows
# for 10,500 memberships (6 s a query at the benchmark's 10x).
def _on_path(path_id: int) -> dict:
    return {
        "source": Rating.Source.SELF,
        "learner__memberships__left_at__isnull": True,
        "learner__memberships__cohort__path_id": path_id,
        "competency__path_competencies__path_id": path_id,
        "competency__path_competencies__retired_at__isnull": True,
    }


_COHORT = "learner__memberships__cohort_id"
_TARGET = F("competency__path_competencies__target_level")
_WEIGHT = F("competency__path_competencies__weight")


def _reached(path_id: int):
    """{(cohort, learner): weighted current levels capped at the path's targets}. One query."""
    rows = (
        CurrentRating.objects.filter(**_on_path(path_id))
        .order_by()
        .values(_COHORT, "learner_id")
        .annotate(reached=Sum(_WEIGHT * Least(F("level"), _TARGET)))
        .values_list(_COHORT, "learner_id", "reached")
    )
    return {(cid, lid): reached for cid, lid, reached in rows}


def _changes(path_id: int, since):
    """{(cohort, learner): how much the self-ratings since `since` changed `reached`}: a rating
    changes it by weight x (capped level - capped previous level). One query."""
    rows = (
        Rating.objects.filter(created_at__gte=since, **_on_path(path_id))
        .order_by()
        .values(_COHORT, "learner_id")
        .annotate(
            change=Sum(_WEIGHT * (Least(F("level"), _TARGET) - Least(F("previous_level"), _TARGET)))
        )
        .values_list(_COHORT, "learner_id", "change")
    )
    return {(cid, lid): change for cid, lid, change in rows}


def _gap_counts(path_id: int):
    """{cohort: {competency: GapCounts}} of the members' current self-ratings. One query."""
    below = Q(level__lt=_TARGET)
    rows = (
        CurrentRating.objects.filter(**_on_path(path_id))
        .order_by()
        .values(_COHORT, "competency_id")
        .annotate(
            rated=Count("id"),
            below=Count("id", filter=below),
            below_levels=Sum("level", filter=below, default=0),
        )
        .values_list(_COHORT, "competency_id", "rated", "below", "below_levels")
    )
    counts: dict[int, dict[int, cohorts.GapCounts]] = {}
    for cid, comp, rated, n_below, levels in rows:
        counts.setdefault(cid, {})[comp] = cohorts.GapCounts(rated, n_below, levels)
    return counts


def program_overview(*, now=None) -> Program:
    """Every cohort, newest path and start first, with its figures and the program's top gaps."""
    now = now or timezone.now()
    since = now - dt.timedelta(weeks=CHANGE_WEEKS)
    cohort_list = list(
        Cohort.objects.select_related("path")
        .prefetch_related("mentors")
        .order_by("path__position", "path__name", "-start_date", "name", "id")
    )
    requirements: dict[int, list[Requirement]] = {c.path_id: [] for c in cohort_list}
    names: dict[int, str] = {}
    for pid, comp, name, target, weight in (
        PathCompetency.objects.current()
        .filter(path__in=list(requirements))
        .values_list("path_id", "competency_id", "competency__name", "target_level", "weight")
    ):
        requirements[pid].append(Requirement(comp, target, weight))
        names[comp] = name
    members: dict[int, list[int]] = {c.pk: [] for c in cohort_list}
    for cid, lid in CohortMembership.objects.active().values_list("cohort_id", "learner_id"):
        members[cid].append(lid)
    active = CohortMembership.objects.active().values("learner_id")
    behind = behind_plan_weeks(active)
    # Three queries per path with cohorts (a handful: the curriculum's, not the program's size).
    reached, changes, counts = {}, {}, {}
    for path_id in requirements:
        reached |= _reached(path_id)
        changes |= _changes(path_id, since)
        counts |= _gap_counts(path_id)
    rows = []
    for cohort in cohort_list:
        ids = members[cohort.pk]
        figures = cohorts.cohort_figures(
            requirements[cohort.path_id],
            ids,
            reached={lid: reached.get((cohort.pk, lid), 0) for lid in ids},
            changes={lid: changes.get((cohort.pk, lid), 0) for lid in ids},
            behind_weeks=behind,
            behind_rule=cohort.attention_behind_weeks,
            counts=counts.get(cohort.pk, {}),
        )
        gap = figures.top_gap
        mentors = sorted((m.display_name for m in cohort.mentors.all()), key=str.casefold)
        rows.append(
            ProgramCohort(cohort, mentors, figures, names[gap.competency_id] if gap else None)
        )
    top = cohorts.program_top_gaps(
        (requirements[c.path_id], counts.get(c.pk, {}), len(members[c.pk])) for c in cohort_list
    )
    return Program(
        cohorts=rows,
        top_gaps=[(gap, names[gap.competency_id]) for gap in top],
        members=len({lid for ids in members.values() for lid in ids}),
        since=since,
    )

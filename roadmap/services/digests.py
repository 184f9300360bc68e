"""What a reminder says. The learners' weekly content is read for a whole chunk of sends at once,
and the mentors' digest for a whole cohort: a fixed number of queries, not a few per e-mail."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import F, Max, Window
from django.db.models.functions import RowNumber
from django.urls import reverse

from accounts.models import CohortMembership, User
from curriculum.models import PathCompetency
from roadmap.lib import planner
from roadmap.lib.gaps import Requirement, gap_list, readiness, readiness_display
from roadmap.models import PlanItem, Rating
from roadmap.services.plans import projects_checkpoints

STALE_AFTER = dt.timedelta(weeks=4)
STUCK_AFTER = dt.timedelta(days=14)


@dataclass(frozen=True)
class MilestoneDue:
    learner_id: int
    key: str  # "<item id>-<checkpoint id>": milestones are computed, not stored
    title: str
    due_date: dt.date


@dataclass(frozen=True)
class PlanItemSummary:
    title: str
    planned_start: dt.date | None
    planned_end: dt.date | None
    url: str


def _open_current_items():
    # Open items of each learner's current plan (the one for their target path).
    return PlanItem.objects.filter(
        plan__path_id=F("plan__learner__target_path_id"),
        status__in=[PlanItem.Status.PLANNED, PlanItem.Status.STARTED],
    )


def milestones_due(*, learner_ids: list[int], start: dt.date, end: dt.date) -> list[MilestoneDue]:
    """Milestones of these learners due between `start` and `end` (inclusive), of open items of
    each learner's current plan, earliest first. Two queries (the items whose dates overlap the
    window, since an item's milestones fall within its dates, and their checkpoints): the
    dispatcher calls this once per chunk of users."""
    if not learner_ids:
        return []
    items = list(
        _open_current_items()
        .filter(plan__learner_id__in=learner_ids, planned_start__lte=end, planned_end__gte=start)
        .values_list("plan__learner_id", "id", "project_id", "planned_start", "planned_end")
    )
    checkpoints = projects_checkpoints({project_id for _, _, project_id, _, _ in items})
    due = []
    for learner_id, item_id, project_id, item_start, item_end in items:
        for index, m in enumerate(
            planner.milestones(item_start, item_end, checkpoints.get(project_id, ()))
        ):
            if start <= m.due <= end:
                key = f"{item_id}-{m.checkpoint.id}"
                milestone = MilestoneDue(learner_id, key, m.checkpoint.title, m.due)
                due.append(((m.due, item_id, index), milestone))
    return [milestone for _, milestone in sorted(due, key=lambda pair: pair[0])]


def next_plan_item(*, learner: User) -> PlanItemSummary | None:
    """The learner's next open item of their current plan (a started one first, then the
    earliest planned start), or None. One query."""
    item = (
        _open_current_items()
        .filter(plan__learner=learner)
        .select_related("project")
        .order_by("-status", "planned_start", "position", "id")  # "started" sorts before "planned"
        .first()
    )
    if item is None:
        return None
    return PlanItemSummary(
        title=item.project.name,
        planned_start=item.planned_start,
        planned_end=item.planned_end,
        url=reverse("roadmap:plan") + f"#item-{item.pk}",
    )


def weekly_contents(*, learners: list[User], now: dt.datetime) -> dict[int, dict]:
    """{learner id: weekly content} for a chunk of learners: readiness now and a week ago, the
    next plan item or the top gap, stale competencies. A fixed number of queries whatever the
    chunk's size (the send task calls this once per chunk). Learners need `target_path` loaded."""
    learner_ids = [learner.pk for learner in learners]
    if not learner_ids:
        return {}
    levels_now = _levels_by_learner(learner_ids, at=None)
    levels_then = _levels_by_learner(learner_ids, at=now - dt.timedelta(days=7))
    requirements, names = _requirements_by_path(
        {learner.target_path_id for learner in learners} - {None}
    )
    next_items = _next_plan_items(learner_ids)
    stale = _stale_competencies(learner_ids, before=now - STALE_AFTER)
    result = {}
    for learner in learners:
        path = learner.target_path
        levels = levels_now.get(learner.pk, {})
        current = previous = top_gap = None
        if path is not None:
            reqs = requirements.get(path.pk, [])
            current = readiness_display(readiness(reqs, levels))
            previous = readiness_display(readiness(reqs, levels_then.get(learner.pk, {})))
            gaps = [g for g in gap_list(reqs, levels) if g.size]
            if gaps:
                top_gap = {
                    "name": names[gaps[0].competency_id],
                    "current": gaps[0].current,
                    "target": gaps[0].target,
                }
        result[learner.pk] = {
            "path": path,
            "readiness": current,
            "readiness_before": previous,
            "readiness_change": None if current is None or previous is None else current - previous,
            "next_item": next_items.get(learner.pk),
            "top_gap": top_gap,
            "stale": stale.get(learner.pk, [])[:5],
        }
    return result


def weekly_content(*, learner: User, now: dt.datetime) -> dict:
    """The weekly content of one learner (see `weekly_contents`)."""
    return weekly_contents(learners=[learner], now=now)[learner.pk]


def _requirements_by_path(path_ids) -> tuple[dict[int, list[Requirement]], dict[int, str]]:
    """Each path's current requirements, in the order of `PathCompetency.objects.requirements`,
    and the names of their competencies. One query for all paths."""
    requirements: dict[int, list[Requirement]] = defaultdict(list)
    names: dict[int, str] = {}
    if path_ids:
        rows = (
            PathCompetency.objects.current()
            .filter(path_id__in=path_ids)
            .values_list("path_id", "competency_id", "target_level", "weight", "competency__name")
        )
        for path_id, cid, target, weight, name in rows:
            requirements[path_id].append(Requirement(cid, target, weight))
            names[cid] = name
    return requirements, names


def _next_plan_items(learner_ids) -> dict[int, PlanItemSummary]:
    """`next_plan_item` for many learners in one query: the first open item per learner, in
    the same order, picked by a window function in the database."""
    rows = (
        _open_current_items()
        .filter(plan__learner_id__in=learner_ids)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("plan__learner_id")],
                order_by=[  # as next_plan_item: "started" sorts before "planned"
                    F("status").desc(),
                    F("planned_start").asc(),
                    F("position").asc(),
                    F("id").asc(),
                ],
            )
        )
        .filter(rank=1)
        .values_list("plan__learner_id", "id", "project__name", "planned_start", "planned_end")
    )
    plan_url = reverse("roadmap:plan")
    return {
        learner_id: PlanItemSummary(
            title=name, planned_start=start, planned_end=end, url=f"{plan_url}#item-{pk}"
        )
        for learner_id, pk, name, start, end in rows
    }


def _stale_competencies(learner_ids, *, before: dt.datetime) -> dict[int, list[str]]:
    """Names (sorted by the database) of the competencies each learner last self-rated before
    `before`. One query."""
    rows = (
        Rating.objects.filter(learner_id__in=learner_ids, source=Rating.Source.SELF)
        .values("learner_id", "competency_id", "competency__name")
        .annotate(last=Max("created_at"))
        .filter(last__lt=before)
        .order_by("competency__name")
        .values_list("learner_id", "competency__name")
    )
    result: dict[int, list[str]] = defaultdict(list)
    for learner_id, name in rows:
        result[learner_id].append(name)
    return result


def digest_content(*, mentor: User, now: dt.datetime) -> dict:
    """Per cohort: who moved this week, who is stuck, the top gaps across the cohort.

    A fixed number of queries whatever the cohort sizes: memberships, then latest levels now and
    a week ago for every learner at once, then requirements per distinct path."""
    memberships = list(
        CohortMembership.objects.active()
        .filter(cohort__mentors=mentor)
        .select_related("cohort", "cohort__path", "learner")
        .order_by("cohort__name", "learner__full_name", "learner__email")
    )
    learner_ids = {m.learner_id for m in memberships}
    week_ago = now - dt.timedelta(days=7)
    levels_now = _levels_by_learner(learner_ids, at=None)
    levels_then = _levels_by_learner(learner_ids, at=week_ago)
    requirements, names = _requirements_by_path({m.cohort.path_id for m in memberships})
    cohorts: dict[int, dict] = {}
    for m in memberships:
        entry = cohorts.setdefault(
            m.cohort_id,
            {"cohort": m.cohort, "moved": [], "stuck": [], "gap_totals": defaultdict(int)},
        )
        reqs = requirements[m.cohort.path_id]
        now_levels = levels_now.get(m.learner_id, {})
        then_levels = levels_then.get(m.learner_id, {})
        r_now = readiness_display(readiness(reqs, now_levels))
        r_then = readiness_display(readiness(reqs, then_levels))
        if r_now != r_then:
            entry["moved"].append({"learner": m.learner, "before": r_then, "now": r_now})
        last = m.learner.last_activity_at
        if last is None or last < now - STUCK_AFTER:
            entry["stuck"].append({"learner": m.learner, "last_activity": last})
        for gap in gap_list(reqs, now_levels):
            entry["gap_totals"][gap.competency_id] += gap.weighted
    result = []
    for entry in cohorts.values():
        top = sorted(entry.pop("gap_totals").items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        entry["top_gaps"] = [
            {"name": names.get(cid, "?"), "total": total} for cid, total in top if total
        ]
        result.append(entry)
    return {"cohorts": result}


def _levels_by_learner(learner_ids, *, at) -> dict[int, dict[int, int]]:
    rows = Rating.objects.filter(learner_id__in=learner_ids, source=Rating.Source.SELF)
    if at is not None:
        rows = rows.filter(created_at__lte=at)
    result: dict[int, dict[int, int]] = defaultdict(dict)
    for learner_id, cid, level in rows.latest_per_competency().values_list(
        "learner_id", "competency_id", "level"
    ):
        result[learner_id][cid] = level
    return result

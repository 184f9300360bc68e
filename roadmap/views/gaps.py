"""Gap analysis: the learner's largest gaps on their path first (a current-vs-target chart, what
the next level means, the plan items that close each gap), then every active path side by side
(readiness, which fits now, what another path would add)."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from curriculum.models import Competency, LevelDescriptor, Path, PathCompetency, ProjectCompetency
from roadmap.lib.gaps import (
    Gap,
    Requirement,
    distance_class,
    gap_list,
    next_level,
    side_by_side,
    steps_words,
    weight_words,
)
from roadmap.models import PlanItem, Rating
from roadmap.services.resources import resources_for_steps, studied_ids

from .assessment import redirect_to_onboarding, scale_levels

TOP_GAPS = 10
TOP_ADDITIONS = 8
RESOURCES_PER_GAP = 4


@dataclass(frozen=True)
class GapRow:
    competency: Competency
    gap: Gap
    current_name: str
    target_name: str
    next_level: int | None
    next_name: str
    next_descriptor: str
    steps: str = ""
    counts: str = ""
    closing_items: list = field(default_factory=list)
    resources: list = field(default_factory=list)


def _closing_items(user, path, competency_ids) -> dict[int, list[dict]]:
    """The learner's open plan items (of their current plan) whose project builds each
    competency, soonest first: one query."""
    rows = (
        PlanItem.objects.filter(
            plan__learner=user,
            plan__path=path,
            status__in=[PlanItem.Status.PLANNED, PlanItem.Status.STARTED],
            project__builds__competency_id__in=competency_ids,
        )
        .order_by("position")
        .values_list("pk", "project__name", "project__builds__competency_id", "planned_end")
    )
    closing: dict[int, list[dict]] = defaultdict(list)
    for pk, name, competency_id, planned_end in rows:
        closing[competency_id].append({"pk": pk, "name": name, "planned_end": planned_end})
    return closing


@require_GET
def gaps(request):
    user = request.user
    if user.target_path_id is None:
        return redirect_to_onboarding(request)
    mine = user.target_path
    levels = Rating.objects.latest_levels(user)
    if not levels:
        return render(request, "roadmap/assessment/gaps.html", {"path": mine, "no_ratings": True})

    paths = list(Path.objects.active())
    if mine not in paths:  # a path retired from the catalogue still counts for its learners
        paths.insert(0, mine)
    requirements: dict[int, list[Requirement]] = {p.pk: [] for p in paths}
    competencies: dict[int, Competency] = {}
    for pc in PathCompetency.objects.current().filter(path__in=paths).select_related("competency"):
        requirements[pc.path_id].append(Requirement(pc.competency_id, pc.target_level, pc.weight))
        competencies[pc.competency_id] = pc.competency

    scale = scale_levels()
    descriptors = LevelDescriptor.objects.filter(
        competency__path_competencies__path=mine,
        competency__path_competencies__retired_at__isnull=True,
    ).as_map()
    open_gaps = [g for g in gap_list(requirements[mine.pk], levels) if not g.is_met]
    closing = _closing_items(user, mine, [g.competency_id for g in open_gaps])
    # What to study for exactly the next step of each gap, best first.
    steps = resources_for_steps(
        learner=user, steps=[(g.competency_id, next_level(g)) for g in open_gaps]
    )
    rows = []
    for gap in open_gaps:
        upcoming = next_level(gap)
        rows.append(
            GapRow(
                competency=competencies[gap.competency_id],
                gap=gap,
                current_name=scale[gap.current][0],
                target_name=scale[gap.target][0],
                next_level=upcoming,
                next_name=scale[upcoming][0],
                next_descriptor=descriptors.get((gap.competency_id, upcoming))
                or scale[upcoming][1],
                steps=steps_words(gap.size),
                counts=weight_words(gap.weight),
                closing_items=closing.get(gap.competency_id, []),
                resources=steps.get((gap.competency_id, upcoming), [])[:RESOURCES_PER_GAP],
            )
        )

    by_pk = {p.pk: p for p in paths}
    comparisons = [
        {
            "path": by_pk[c.key],
            "comparison": c,
            "additions": [
                {
                    "competency": competencies[a.competency_id],
                    "addition": a,
                    "target_name": scale[a.target][0],
                    "your_target_name": scale[a.your_target][0] if a.your_target else "",
                }
                for a in c.additions[:TOP_ADDITIONS]
            ],
            "more_additions": max(0, len(c.additions) - TOP_ADDITIONS),
        }
        for c in side_by_side(requirements, levels, mine=mine.pk)
    ]
    fits_now = next(item["path"] for item in comparisons if item["comparison"].fits_now)
    context = {
        "path": mine,
        "no_ratings": False,
        "top_gaps": rows[:TOP_GAPS],
        "more_gaps": rows[TOP_GAPS:],
        "gap_count": len(rows),
        "studied_ids": studied_ids(
            learner=user, resource_ids=[r.pk for row in rows for r in row.resources]
        ),
        "next": reverse("roadmap:gaps"),
        # The chart shows the largest gaps; the table beside it is its text alternative.
        "chart_rows": rows[:TOP_GAPS],
        "comparisons": comparisons,
        "fits_now": fits_now,
        "mine": next(item for item in comparisons if item["comparison"].is_mine),
    }
    return render(request, "roadmap/assessment/gaps.html", context)


# --- the skill map --------------------------------------------------------------------------------
STATUS_WORDS = {
    PlanItem.Status.PLANNED: "planned",
    PlanItem.Status.STARTED: "started",
    PlanItem.Status.DONE: "done",
    PlanItem.Status.SKIPPED: "skipped",
}


@require_GET
def skill_map(request):
    """The learner's path as a map: competencies grouped by category, each coloured by where the
    learner stands against its target, with the projects that build it and their status in the
    learner's plan. Four queries, whatever the size of the path."""
    user = request.user
    if user.target_path_id is None:
        return redirect_to_onboarding(request)
    path = user.target_path
    levels = Rating.objects.latest_levels(user)
    scale = scale_levels()
    statuses = dict(
        PlanItem.objects.filter(plan__learner=user, plan__path=path).values_list(
            "project_id", "status"
        )
    )
    projects: dict[int, list[dict]] = defaultdict(list)
    for competency_id, project_id, name, slug, builds_to in (
        ProjectCompetency.objects.filter(project__path=path, project__is_active=True)
        .order_by("project__name")
        .values_list(
            "competency_id", "project_id", "project__name", "project__slug", "builds_to_level"
        )
    ):
        status = statuses.get(project_id)
        projects[competency_id].append(
            {
                "name": name,
                "slug": slug,
                "builds_to": builds_to,
                "status": STATUS_WORDS.get(status, "not in your plan"),
            }
        )
    groups: dict[str, list[dict]] = {}
    counts = {"met": 0, "near": 0, "far": 0, "unrated": 0}
    for pc in PathCompetency.objects.for_assessment(path):
        current = levels.get(pc.competency_id)
        where = distance_class(current, pc.target_level)
        counts[where] += 1
        groups.setdefault(pc.competency.category or "Other", []).append(
            {
                "competency": pc.competency,
                "current": current,
                "current_name": scale[current][0] if current is not None else "",
                "target": pc.target_level,
                "target_name": scale[pc.target_level][0],
                "where": where,
                "projects": projects.get(pc.competency_id, []),
            }
        )
    return render(
        request,
        "roadmap/assessment/skill_map.html",
        {"path": path, "groups": groups, "counts": counts, "rated": bool(levels)},
    )

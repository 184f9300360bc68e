"""Writes on plans: generate, regenerate, reflow, reorder, item state changes, private links.

The order and dates come from roadmap.lib.planner (pure); these functions only load its inputs and
store its output."""

from datetime import date

from django.db import transaction
from django.db.models import Exists, Max, OuterRef, QuerySet, Subquery
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from accounts.models import User
from curriculum.cache import from_curriculum
from curriculum.models import (
    Path,
    PathCompetency,
    Project,
    ProjectCheckpoint,
    ProjectCompetency,
)
from roadmap.lib import planner
from roadmap.lib.gaps import Requirement
from roadmap.models import Plan, PlanItem, PlanItemError, Rating
from roadmap.models.plans import new_token
from roadmap.services.assessment import activity_touch


def learner_today(learner: User) -> date:
    """Today in the learner's zone: plans are dated in the learner's days."""
    return timezone.localdate(timezone.now(), learner.zone)


def path_requirements(path: Path) -> list[Requirement]:
    """The path's current targets as plain data for roadmap.lib.gaps."""
    rows = (
        PathCompetency.objects.current()
        .filter(path=path)
        .values_list("competency_id", "target_level", "weight")
    )
    return [Requirement(cid, target, weight) for cid, target, weight in rows]


def path_project_specs(path: Path) -> tuple[dict[int, planner.ProjectSpec], dict[int, str]]:
    """The path's active projects as planner specs, in curriculum order, and the names of the
    competencies they build, from plain rows (3 queries at any size: model instances of 150
    projects, their builds and competencies were most of plan generation's time)."""
    projects = Project.objects.filter(path=path, is_active=True)
    prerequisites: dict[int, set[int]] = {}
    # Unordered where order does not matter: ordering builds by competency name cost a join.
    for pid, pre in (
        Project.prerequisites.through.objects.filter(from_project__in=projects)
        .order_by()
        .values_list("from_project_id", "to_project_id")
    ):
        prerequisites.setdefault(pid, set()).add(pre)
    builds: dict[int, dict[int, int]] = {}
    names: dict[int, str] = {}
    for pid, cid, level, name in (
        ProjectCompetency.objects.filter(project__in=projects)
        .order_by()
        .values_list("project_id", "competency_id", "builds_to_level", "competency__name")
    ):
        builds.setdefault(pid, {})[cid] = level
        names[cid] = name
    specs = {
        pid: planner.ProjectSpec(
            id=pid,
            name=name,
            hours=hours,
            prerequisites=frozenset(prerequisites.get(pid, ())),
            builds=builds.get(pid, {}),
            position=position,
        )
        for pid, name, hours, position in projects.values_list(
            "id", "name", "estimated_hours", "position"
        )
    }
    return specs, names


def _checkpoint_specs(
    checkpoints: QuerySet[ProjectCheckpoint],
) -> dict[int, tuple[planner.CheckpointSpec, ...]]:
    """{project id: its checkpoints in curriculum order} of these checkpoints, in one query."""
    by_project: dict[int, list[planner.CheckpointSpec]] = {}
    for pid, cp_id, title in checkpoints.order_by("project_id", "position", "id").values_list(
        "project_id", "id", "title"
    ):
        by_project.setdefault(pid, []).append(planner.CheckpointSpec(cp_id, title))
    return {pid: tuple(cps) for pid, cps in by_project.items()}


def path_checkpoints(path_id: int) -> dict[int, tuple[planner.CheckpointSpec, ...]]:
    """The checkpoints of every project of the path (retired ones too: done items keep theirs),
    per project, read once per curriculum version."""
    return from_curriculum(
        ("path checkpoints", path_id),
        lambda: _checkpoint_specs(ProjectCheckpoint.objects.filter(project__path_id=path_id)),
    )


def projects_checkpoints(project_ids) -> dict[int, tuple[planner.CheckpointSpec, ...]]:
    """The checkpoints of these projects (of any paths), per project: one query."""
    return _checkpoint_specs(ProjectCheckpoint.objects.filter(project_id__in=project_ids))


def item_milestones(item: PlanItem, checkpoints) -> list[planner.Milestone]:
    """The item's milestones: its project's checkpoints (`checkpoints`: {project id: specs})
    spread over its dates. They are computed, not stored, so they follow the item's dates and
    the curriculum's checkpoints without being rewritten."""
    return planner.milestones(
        item.planned_start, item.planned_end, checkpoints.get(item.project_id, ())
    )


def planner_inputs(
    path: Path, *, token: str | None = None
) -> tuple[dict[int, planner.ProjectSpec], dict[int, str], list]:
    """path_project_specs() and the path's requirements, read once per curriculum version (one
    query while the curriculum is unchanged; reading them was a fifth of plan generation; none
    when the caller read the version's `token` already)."""

    def read():
        specs, names = path_project_specs(path)
        return specs, names, path_requirements(path)

    return from_curriculum(("planner inputs", path.pk), read, token=token)


def project_spec(project: Project) -> planner.ProjectSpec:
    return planner.ProjectSpec(
        id=project.id,
        name=project.name,
        hours=project.estimated_hours,
        prerequisites=frozenset(p.id for p in project.prerequisites.all()),
        builds={b.competency_id: b.builds_to_level for b in project.builds.all()},
        position=project.position,
    )


def _open_items(plan: Plan) -> list[PlanItem]:
    return list(
        plan.items.filter(status__in=[PlanItem.Status.PLANNED, PlanItem.Status.STARTED])
        .select_related("project")
        .order_by("position", "id")
    )


def _item_spec(item: PlanItem) -> planner.ProjectSpec:
    """What scheduling needs of an item's project (select_related), its hours."""
    return planner.ProjectSpec(
        id=item.project.id, name=item.project.name, hours=item.project.estimated_hours
    )


def _save_dates(items: list[PlanItem]) -> None:
    # Small batches: one bulk_update over ~150 rows builds CASE expressions whose cost grows
    # with the square of the rows.
    PlanItem.objects.bulk_update(items, ["planned_start", "planned_end"], batch_size=20)


def _write_schedule(items: list[PlanItem], *, weekly_hours: int, start: date) -> None:
    """Date the saved `items` one after another from `start`."""
    slots = planner.schedule([_item_spec(i) for i in items], weekly_hours, start)
    for item, slot in zip(items, slots, strict=True):
        item.planned_start, item.planned_end = slot.start, slot.end
    _save_dates(items)


@transaction.atomic
def plan_generate(*, learner: User, path: Path, today: date | None = None) -> Plan:
    """The learner's plan for `path`, created if needed, (re)planned from today. Its
    regenerated_at stays None when it was created here: callers tell a new plan by it."""
    # Locked as it is read (serialises concurrent clicks); created on the first click.
    plan = Plan.objects.select_for_update().filter(learner=learner, path=path).first()
    created = False
    if plan is None:
        plan, created = Plan.objects.get_or_create(learner=learner, path=path)
    # The caller's objects: reading them again through the plan costs two queries.
    plan.learner, plan.path = learner, path
    return _regenerate(plan, today, locked=True, created=created)


@transaction.atomic
def plan_regenerate(*, plan: Plan, today: date | None = None) -> Plan:
    """Keep started, done and skipped items; replace the planned ones with a fresh plan from
    today, given the learner's latest levels and what the kept items build."""
    return _regenerate(plan, today, locked=False, created=False)


def _regenerate(plan: Plan, today: date | None, *, locked: bool, created: bool) -> Plan:
    learner = plan.learner
    today = today or learner_today(learner)
    if not locked:
        Plan.objects.select_for_update().filter(pk=plan.pk).first()  # serialise concurrent clicks
    # Started, done and skipped items stay as they are; the planned ones are planned again.
    kept, previous = [], {}
    if not created:
        kept = list(
            plan.items.exclude(status=PlanItem.Status.PLANNED)
            .select_related("project")
            .order_by("position", "id")
        )
        # What each planned project's row holds now: only what the new plan changes is written.
        previous = {
            project_id: (position, start, end, explanation)
            for project_id, position, start, end, explanation in plan.items.filter(
                status=PlanItem.Status.PLANNED
            ).values_list("project_id", "position", "planned_start", "planned_end", "explanation")
        }
    specs, names, requirements = planner_inputs(plan.path)
    levels = Rating.objects.latest_levels(learner)
    for item in kept:
        if item.status in (PlanItem.Status.DONE, PlanItem.Status.STARTED):
            spec = specs.get(item.project_id)
            for cid, level in spec.builds.items() if spec else ():
                levels[cid] = max(levels.get(cid, 0), level)
    planned = planner.plan(
        list(specs.values()),
        requirements,
        levels,
        names,
        done={item.project_id for item in kept},
    )
    # Date everything before writing, so the new items are inserted once with their dates.
    kept_open = [item for item in kept if item.is_open]
    slots = planner.schedule(
        [specs.get(i.project_id) or _item_spec(i) for i in kept_open]
        + [p.project for p in planned],
        learner.weekly_hours,
        today,
    )
    kept_slots, new_slots = slots[: len(kept_open)], slots[len(kept_open) :]
    for item, slot in zip(kept_open, kept_slots, strict=True):
        item.planned_start, item.planned_end = slot.start, slot.end
    if kept_open:
        _save_dates(kept_open)
    next_position = (max((item.position for item in kept), default=-1)) + 1
    rows = {
        p.project.id: (next_position + index, slot.start, slot.end, p.explanation)
        for index, (p, slot) in enumerate(zip(planned, new_slots, strict=True))
    }
    # A planned item the new plan keeps is updated in place rather than replaced, so its id (and
    # its calendar events, milestone reminders and links) stays; one that did not change is not
    # written at all. At most two queries at any size: the dropped ones go, then one upsert on
    # (plan, project) writes the new and the changed ones.
    dropped = previous.keys() - rows.keys()
    if dropped:
        plan.items.filter(status=PlanItem.Status.PLANNED, project_id__in=dropped).delete()
    changed = []
    for project_id, row in rows.items():
        if previous.get(project_id) == row:
            continue
        position, start, end, explanation = row
        changed.append(
            PlanItem(
                plan_id=plan.pk,
                project_id=project_id,
                position=position,
                planned_start=start,
                planned_end=end,
                explanation=explanation,
            )
        )
    if changed:
        PlanItem.objects.bulk_create(
            changed,
            update_conflicts=True,
            unique_fields=["plan", "project"],
            update_fields=["position", "planned_start", "planned_end", "explanation"],
        )
    if not created:
        plan.regenerated_at = timezone.now()
        plan.save(update_fields=["regenerated_at"])
    activity_touch(learner=learner)
    return plan


@transaction.atomic
def plan_reflow(*, plan: Plan, today: date | None = None) -> Plan:
    """Re-date the open items from today in their current order; done items stay as they were."""
    today = today or learner_today(plan.learner)
    _write_schedule(_open_items(plan), weekly_hours=plan.learner.weekly_hours, start=today)
    activity_touch(learner=plan.learner)
    return plan


@transaction.atomic
def plan_item_reorder(*, item: PlanItem, direction: str) -> PlanItem:
    """Swap an open item with its open neighbour above or below, then re-date the open items
    from where they started. A project never moves above one of its prerequisites."""
    if direction not in ("up", "down"):
        raise PlanItemError("Move a project up or down.")
    if not item.is_open:
        raise PlanItemError("Only planned or started projects can be moved.")
    items = _open_items(item.plan)
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    neighbour_index = index - 1 if direction == "up" else index + 1
    if not 0 <= neighbour_index < len(items):
        raise PlanItemError(
            f"This project is already at the {'top' if direction == 'up' else 'bottom'}."
        )
    first, second = sorted([items[index], items[neighbour_index]], key=lambda i: i.position)
    if first.project.dependants.filter(pk=second.project_id).exists():
        raise PlanItemError(f"{first.project.name} is needed before {second.project.name}.")
    start = min(i.planned_start for i in items)
    first.position, second.position = second.position, first.position
    if first.position == second.position:
        second.position += 1
    PlanItem.objects.bulk_update([first, second], ["position"])
    items.sort(key=lambda i: (i.position, i.id))
    _write_schedule(items, weekly_hours=item.plan.learner.weekly_hours, start=start)
    activity_touch(learner=item.plan.learner)
    item.refresh_from_db()
    return item


@transaction.atomic
def plan_item_start(*, item: PlanItem) -> PlanItem:
    item.start()
    activity_touch(learner=item.plan.learner)
    return item


@transaction.atomic
def plan_item_skip(*, item: PlanItem) -> PlanItem:
    item.skip()
    activity_touch(learner=item.plan.learner)
    return item


@transaction.atomic
def plan_item_restore(*, item: PlanItem, today: date | None = None) -> PlanItem:
    """Undo a skip. The item kept its place in the order; the open items are re-dated from where
    the others started (today when it is the only open one), so its old dates do not pull the
    plan into the past."""
    learner = item.plan.learner
    item.restore()
    items = _open_items(item.plan)
    others = [i.planned_start for i in items if i.pk != item.pk]
    start = min(others) if others else (today or learner_today(learner))
    _write_schedule(items, weekly_hours=learner.weekly_hours, start=start)
    activity_touch(learner=learner)
    item.refresh_from_db()
    return item


@transaction.atomic
@transaction.atomic
def plan_item_complete(*, item: PlanItem, evidence_url: str, reflection: str = "") -> PlanItem:
    """Idempotent: completing an item that is already done (a double submit, a second tab)
    keeps the first completion and records nothing more. The row is locked, so two requests at
    once complete it once."""
    PlanItem.objects.select_for_update().filter(pk=item.pk).exists()
    item.refresh_from_db(
        fields=["status", "started_at", "completed_at", "evidence_url", "reflection"]
    )
    if item.status == PlanItem.Status.DONE:
        return item
    item.complete(evidence_url=evidence_url, reflection=reflection)
    activity_touch(learner=item.plan.learner)
    return item


def reassess_url(item: PlanItem) -> str:
    """The self-assessment page focused on what the project builds, levels pre-selected (the
    build level, capped at the path's target), or the dashboard until that page exists."""
    try:
        base = reverse("roadmap:assess")
    except NoReverseMatch:
        return reverse("roadmap:dashboard")
    targets = {r.competency_id: r.target for r in path_requirements(item.plan.path)}
    builds = sorted(item.project.builds.values_list("competency_id", "builds_to_level"))
    if not builds:
        return base
    focus = ",".join(str(cid) for cid, _ in builds)
    suggest = ",".join(f"{cid}:{min(level, targets.get(cid, level))}" for cid, level in builds)
    return f"{base}?focus={focus}&suggest={suggest}"


@transaction.atomic
def plan_share_token_set(*, plan: Plan, revoke: bool = False) -> Plan:
    """A new private portfolio link (the old one stops working), or none at all."""
    plan.share_token = None if revoke else new_token()
    plan.save(update_fields=["share_token"])
    return plan


@transaction.atomic
def plan_calendar_token_set(*, plan: Plan, revoke: bool = False) -> Plan:
    plan.calendar_token = None if revoke else new_token()
    plan.save(update_fields=["calendar_token"])
    return plan


def plan_end(plan: Plan):
    return plan.items.filter(
        status__in=[PlanItem.Status.PLANNED, PlanItem.Status.STARTED]
    ).aggregate(end=Max("planned_end"))["end"]


def next_item_annotations() -> dict:
    """Expressions over a User query (OuterRef "pk" = the learner) naming the next open item of
    the learner's current plan (a started one first, then the earliest planned start) and
    whether that plan exists, so a page can read them in a query it runs anyway."""
    learner = OuterRef("pk")
    next_open = (
        PlanItem.objects.filter(
            plan__learner=learner,
            plan__path=OuterRef("target_path"),
            status__in=[PlanItem.Status.PLANNED, PlanItem.Status.STARTED],
        )
        # "started" sorts after "planned": descending puts a started item first
        .order_by("-status", "planned_start", "position", "id")
    )
    return {
        "has_plan": Exists(Plan.objects.filter(learner=learner, path=OuterRef("target_path"))),
        "next_item_id": Subquery(next_open.values("pk")[:1]),
        "next_item_name": Subquery(next_open.values("project__name")[:1]),
        "next_item_status": Subquery(next_open.values("status")[:1]),
        "next_item_start": Subquery(next_open.values("planned_start")[:1]),
        "next_item_end": Subquery(next_open.values("planned_end")[:1]),
    }

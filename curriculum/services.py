"""Import and export of the curriculum data file (curriculum/default_curriculum.yaml).

The file is the editor-friendly form of the curriculum tables. Import validates the whole file
first (collecting every problem with its line), computes what it would change (curriculum.diff:
the same diff a dry run prints and the admin preview shows), then writes in one transaction,
matching rows by slug so competencies keep their identity (and learners' ratings) across
renames. Nothing that learners' data may point at is ever deleted: dropped path competencies get
`retired_at`, dropped projects and paths are deactivated, and paths, projects and career goals
the file does not list are left alone unless `retire_missing` asks otherwise. Export writes the
same format back."""

from collections import Counter
from uuid import uuid4

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, ProtectedError, Q
from django.utils import timezone

from curriculum.curriculum_file import (
    CurriculumError,
    OneLineList,
    OneLineMapping,
    check_curriculum_file,
    dump_curriculum_file,
)
from curriculum.diff import (
    CurriculumDiff,
    curriculum_diff,
    readiness_paths,
    snapshot_from_db,
    snapshot_from_file,
)
from curriculum.models import (
    CareerGoal,
    Competency,
    CurriculumVersion,
    LevelDescriptor,
    Path,
    PathCompetency,
    PathTrait,
    Project,
    ProjectCheckpoint,
    ProjectCompetency,
    Resource,
    ScaleLevel,
)


class StalePreview(CurriculumError):
    """The curriculum changed between the preview an editor confirmed and the import."""


# --- writing


def _sync(existing, model, values: dict, **lookup):
    """Create the row, or update only the fields that differ."""
    if existing is None:
        return model.objects.create(**lookup, **values)
    changed = [name for name, value in values.items() if getattr(existing, name) != value]
    if changed:
        for name in changed:
            setattr(existing, name, values[name])
        existing.save(update_fields=changed)
    return existing


def match_checkpoints(existing: list[tuple], wanted: list[str]) -> tuple[list, list]:
    """Pair the file's checkpoint titles with existing (row, title) pairs, keeping row identity
    (plans may point at checkpoints): same title first, so reordering keeps each row; then by
    position, so a renamed checkpoint keeps its row. Returns (row or None per wanted title,
    rows left over). curriculum.diff pairs them the same way, so its preview is what happens."""
    by_title: dict = {}
    for row, title in existing:
        by_title.setdefault(title, row)
    used: list = []
    matches: list = []
    for title in wanted:
        row = by_title.get(title)
        if row is not None and row not in used:
            used.append(row)
            matches.append(row)
        else:
            matches.append(None)
    leftovers = [row for row, _ in existing if row not in used]
    for index, row in enumerate(matches):
        if row is None and leftovers:
            matches[index] = leftovers.pop(0)
    return matches, leftovers


def _sync_resources(owner: dict, existing: list, wanted: list) -> None:
    """The owner's resources as the file lists them, matched by URL (so a row keeps its link
    check results), in the file's order; rows for URLs the file no longer lists are deleted."""
    by_url = {r.url: r for r in existing}
    for position, item in enumerate(wanted):
        values = {
            "title": item["title"],
            "kind": item["kind"],
            "cost": item["cost"],
            "language": item.get("language", "en"),
            "minutes": item["minutes"],
            "note": item["note"],
            "checked_on": item.get("checked_on"),
            "level_from": item["levels"][0],
            "level_to": item["levels"][1],
            "position": position,
        }
        _sync(by_url.pop(item["url"], None), Resource, values, url=item["url"], **owner)
    if by_url:
        Resource.objects.filter(id__in=[r.id for r in by_url.values()]).delete()


def resource_file_data(resource: Resource) -> dict:
    data = {
        "title": resource.title,
        "url": resource.url,
        "kind": resource.kind,
        "cost": resource.cost,
    }
    if resource.language != "en":
        data["language"] = resource.language
    data["minutes"] = resource.minutes
    data["levels"] = OneLineList([resource.level_from, resource.level_to])
    if resource.checked_on is not None:
        data["checked_on"] = resource.checked_on
    data["note"] = resource.note
    return data


def curriculum_changed() -> None:
    """A new curriculum version token: what was cached under the old one is no longer used.
    Called by every write to the curriculum (the import, the curriculum admin)."""
    CurriculumVersion.objects.update_or_create(
        pk=1, defaults={"token": uuid4().hex, "changed_at": timezone.now()}
    )


# --- positions: every ordered list of the curriculum numbers itself 0, 1, 2, ...
# Each model's position counts within its group (the fields named here); editors never type one.
POSITION_GROUPS = {
    Path: (),
    CareerGoal: (),
    Project: ("path_id",),
    PathTrait: ("path_id",),
    PathCompetency: ("path_id",),
    ProjectCheckpoint: ("project_id",),
    Resource: ("competency_id", "project_id"),  # a resource has exactly one owner
}
MOVE_TARGETS = ("up", "down", "top", "bottom")


def position_group(obj) -> dict:
    """The fields whose values name the list `obj` is placed in ({"path_id": 3}; {} for paths)."""
    return {name: getattr(obj, name) for name in POSITION_GROUPS[type(obj)]}


def position_next(model, **group) -> int:
    """Where a row newly put in the `group` list of `model` goes: after the last one."""
    last = model.objects.filter(**group).order_by("-position").first()
    return last.position + 1 if last else 0


def positions_renumber(model, *, groups, moves: dict[int, str] | None = None) -> None:
    """Number each of `groups` (position_group dicts) of `model` 0, 1, 2, ... in its order,
    after applying `moves` ({row id: "up" | "down" | "top" | "bottom"}), so the numbers never
    collide or leave gaps after an addition, a move or a deletion."""
    moves = {pk: move for pk, move in (moves or {}).items() if move in MOVE_TARGETS}
    ordering = [*model._meta.ordering, "id"]
    seen = set()
    for group in groups:
        key = tuple(sorted(group.items()))
        if key in seen:
            continue
        seen.add(key)
        rows = list(model.objects.filter(**group).order_by(*ordering))
        for row_id, move in moves.items():
            index = next((i for i, row in enumerate(rows) if row.id == row_id), None)
            if index is None:
                continue
            row = rows.pop(index)
            target = {
                "up": max(index - 1, 0),
                "down": min(index + 1, len(rows)),
                "top": 0,
                "bottom": len(rows),
            }[move]
            rows.insert(target, row)
        for position, row in enumerate(rows):
            if row.position != position:
                row.position = position
                row.save(update_fields=["position"])


def path_competency_next_position(*, path_id: int) -> int:
    """Where a competency newly put on a path goes: after the last one."""
    return position_next(PathCompetency, path_id=path_id)


def path_competencies_renumber(*, path_ids, moves: dict[int, str] | None = None) -> None:
    """positions_renumber for the competencies of each of `path_ids`."""
    positions_renumber(PathCompetency, groups=[{"path_id": pid} for pid in path_ids], moves=moves)


def _renumber_after_import() -> None:
    """The file numbers the lists it gives in full; rows it leaves out keep their old numbers,
    which may collide with the new ones. Number each list densely again (the diff compares the
    order of these, not their numbers, so this changes nothing it would show). Paths keep the
    positions the file states: the format has them, and the diff compares them."""
    path_ids = Project.objects.order_by().values_list("path_id", flat=True).distinct()
    positions_renumber(Project, groups=[{"path_id": pid} for pid in path_ids])
    pc_paths = PathCompetency.objects.order_by().values_list("path_id", flat=True).distinct()
    path_competencies_renumber(path_ids=list(pc_paths))
    positions_renumber(CareerGoal, groups=[{}])


def curriculum_import(
    *,
    data_text: str,
    source_name: str,
    retire_missing: bool = False,
    dry_run: bool = False,
    expected_digest: str | None = None,
) -> CurriculumDiff:
    """What loading a curriculum file changes, and (unless `dry_run`) the change itself, all or
    nothing. Rows the file does not list are retired or deleted only with `retire_missing`.
    `expected_digest` (from the preview an editor confirmed) refuses an import whose changes
    are no longer the ones previewed. Raises CurriculumError (StalePreview for the latter)."""
    data, warnings = check_curriculum_file(data_text, source_name)
    try:
        with transaction.atomic():
            current = snapshot_from_db()
            diff = curriculum_diff(
                current, snapshot_from_file(data, current), retire_missing=retire_missing
            )
            diff.warnings = warnings
            diff.learners = _learners_affected(diff)
            if expected_digest is not None and expected_digest != diff.digest():
                raise StalePreview(
                    [
                        "The curriculum changed since this file was previewed; "
                        "read the new differences and confirm again."
                    ]
                )
            if dry_run or not diff.has_changes:
                return diff
            _write(data, retire_missing=retire_missing)
            _renumber_after_import()
            curriculum_changed()
    except ProtectedError as exc:
        raise CurriculumError(
            [f"{source_name}: cannot remove rows still in use elsewhere: {exc.args[0]}"]
        ) from None
    except IntegrityError as exc:
        # The file is valid on its own but clashes with rows it does not list (for example a
        # path name already used by a path with another slug).
        raise CurriculumError([f"{source_name}: clashes with the database: {exc}"]) from None
    return diff


def _learners_affected(diff: CurriculumDiff) -> int:
    """Learners whose target path's requirements the import changes (their readiness moves)."""
    paths = readiness_paths(diff)
    if not paths:
        return 0
    return get_user_model().objects.filter(target_path__slug__in=paths).count()


def _write(data: dict, *, retire_missing: bool) -> None:
    now = timezone.now()

    scale = {s.level: s for s in ScaleLevel.objects.all()}
    for item in data["scale"]:
        values = {"name": item["name"], "descriptor": item["descriptor"]}
        _sync(scale.get(item["level"]), ScaleLevel, values, level=item["level"])

    competencies = {c.slug: c for c in Competency.objects.all()}
    descriptors = {(d.competency_id, d.level): d for d in LevelDescriptor.objects.all()}
    competency_resources: dict[int, list] = {}
    project_resources: dict[int, list] = {}
    for resource in Resource.objects.order_by("position", "id"):
        if resource.competency_id is not None:
            competency_resources.setdefault(resource.competency_id, []).append(resource)
        else:
            project_resources.setdefault(resource.project_id, []).append(resource)
    for item in data["competencies"]:
        values = {
            "name": item["name"],
            "kind": item["kind"],
            "category": item.get("category", ""),
            "summary": item.get("summary", ""),
        }
        comp = _sync(competencies.get(item["slug"]), Competency, values, slug=item["slug"])
        competencies[comp.slug] = comp
        levels = item.get("levels", {})
        for level, text in levels.items():
            _sync(
                descriptors.get((comp.id, level)),
                LevelDescriptor,
                {"description": text},
                competency=comp,
                level=level,
            )
        LevelDescriptor.objects.filter(competency=comp).exclude(level__in=list(levels)).delete()
        _sync_resources(
            {"competency": comp},
            competency_resources.get(comp.id, []),
            item.get("resources", []),
        )

    paths = {p.slug: p for p in Path.objects.all()}
    traits = {(t.path_id, t.aspect): t for t in PathTrait.objects.all()}
    memberships = {(m.path_id, m.competency_id): m for m in PathCompetency.objects.all()}
    for item in data["paths"]:
        values = {
            "name": item["name"],
            "position": item["position"],
            "summary": item["summary"],
            "best_fit_when": item["best_fit_when"],
            "outcome": item.get("outcome", ""),
            "is_active": True,
        }
        path = _sync(paths.get(item["slug"]), Path, values, slug=item["slug"])
        paths[path.slug] = path
        aspects = []
        for position, trait in enumerate(item.get("traits", [])):
            aspects.append(trait["aspect"])
            _sync(
                traits.get((path.id, trait["aspect"])),
                PathTrait,
                {"value": trait["value"], "position": position},
                path=path,
                aspect=trait["aspect"],
            )
        PathTrait.objects.filter(path=path).exclude(aspect__in=aspects).delete()
        listed = []
        for position, pc in enumerate(item["competencies"]):
            comp = competencies[pc["slug"]]
            listed.append(comp.id)
            values = {
                "target_level": pc["target"],
                "weight": pc["weight"],
                "position": position,
                "retired_at": None,
            }
            _sync(
                memberships.get((path.id, comp.id)),
                PathCompetency,
                values,
                path=path,
                competency=comp,
            )
        PathCompetency.objects.current().filter(path=path).exclude(competency_id__in=listed).update(
            retired_at=now
        )
    for item in data["paths"]:
        # After every path exists, so a path may name one listed below it.
        path = paths[item["slug"]]
        earlier = item.get("recommended_earlier_path")
        earlier_id = paths[earlier].id if earlier else None
        if path.recommended_earlier_path_id != earlier_id:
            path.recommended_earlier_path_id = earlier_id
            path.save(update_fields=["recommended_earlier_path"])
    listed_paths = [item["slug"] for item in data["paths"]]
    if retire_missing:
        Path.objects.active().exclude(slug__in=listed_paths).update(is_active=False)

    projects = {p.slug: p for p in Project.objects.all()}
    positions = Counter()
    for item in data["projects"]:
        path = paths[item["path"]]
        values = {
            "name": item["name"],
            "path": path,
            "summary": item["summary"],
            "difficulty": item["difficulty"],
            "estimated_hours": item["estimated_hours"],
            "position": positions[path.slug],
            "is_active": True,
        }
        positions[path.slug] += 1
        project = _sync(projects.get(item["slug"]), Project, values, slug=item["slug"])
        projects[project.slug] = project
        wanted = item.get("checkpoints", [])
        rows = list(project.checkpoints.order_by("position", "id"))
        matches, extra = match_checkpoints(
            [(row, row.title) for row in rows], [cp["title"] for cp in wanted]
        )
        for position, (cp, existing) in enumerate(zip(wanted, matches, strict=True)):
            values = {
                "title": cp["title"],
                "description": cp.get("description", ""),
                "position": position,
            }
            row = _sync(existing, ProjectCheckpoint, values, project=project)
            evidences = {competencies[slug].id for slug in cp.get("evidences", [])}
            shown = set() if existing is None else set(row.evidences.values_list("id", flat=True))
            if evidences != shown:
                row.evidences.set(evidences)
        ProjectCheckpoint.objects.filter(id__in=[row.id for row in extra]).delete()
        builds = {b.competency_id: b for b in project.builds.all()}
        listed = []
        for slug, level in item.get("builds", {}).items():
            comp = competencies[slug]
            listed.append(comp.id)
            _sync(
                builds.get(comp.id),
                ProjectCompetency,
                {"builds_to_level": level},
                project=project,
                competency=comp,
            )
        ProjectCompetency.objects.filter(project=project).exclude(competency_id__in=listed).delete()
        _sync_resources(
            {"project": project},
            project_resources.get(project.id, []),
            item.get("resources", []),
        )
    listed_projects = {item["slug"] for item in data["projects"]}
    for item in data["projects"]:
        project = projects[item["slug"]]
        wanted = {projects[slug].id for slug in item.get("prerequisites", [])}
        current = list(project.prerequisites.values_list("id", "slug"))
        # A link to a project the file does not list stays, with that project.
        wanted |= {pk for pk, slug in current if slug not in listed_projects}
        if wanted != {pk for pk, _ in current}:
            project.prerequisites.set(wanted)
    if retire_missing:
        Project.objects.filter(is_active=True).exclude(slug__in=listed_projects).update(
            is_active=False
        )

    goals = {g.slug: g for g in CareerGoal.objects.all()}
    for position, item in enumerate(data["career_goals"]):
        values = {
            "label": item["label"],
            "recommended_path": paths[item["recommended_path"]],
            "reason": item["reason"],
            "position": position,
        }
        _sync(goals.get(item["slug"]), CareerGoal, values, slug=item["slug"])
    if retire_missing:
        listed_goals = [item["slug"] for item in data["career_goals"]]
        CareerGoal.objects.exclude(slug__in=listed_goals).delete()


def _checkpoint_data(cp: ProjectCheckpoint) -> dict:
    data = {"title": cp.title, "description": cp.description}
    evidences = sorted(c.slug for c in cp.evidences.all())
    if evidences:
        data["evidences"] = OneLineList(evidences)
    return data


def curriculum_export() -> str:
    """The current curriculum (active paths and projects, current path competencies) as YAML."""
    scale = [
        {"level": s.level, "name": s.name, "descriptor": s.descriptor}
        for s in ScaleLevel.objects.order_by("level")
    ]
    paths = []
    used = set()
    active_paths = Path.objects.active().order_by("position", "name", "id")
    active_path_slugs = set(active_paths.values_list("slug", flat=True))
    for path in active_paths.select_related("recommended_earlier_path").prefetch_related("traits"):
        members = (
            PathCompetency.objects.current()
            .filter(path=path)
            .select_related("competency")
            .order_by("position", "id")
        )
        used.update(m.competency_id for m in members)
        extra = {}
        if path.outcome:
            extra["outcome"] = path.outcome
        earlier = path.recommended_earlier_path
        if earlier is not None and earlier.slug in active_path_slugs:
            extra["recommended_earlier_path"] = earlier.slug
        paths.append(
            {
                "slug": path.slug,
                "name": path.name,
                "position": path.position,
                "summary": path.summary,
                "best_fit_when": path.best_fit_when,
                **extra,
                "traits": [
                    {"aspect": t.aspect, "value": t.value}
                    for t in sorted(path.traits.all(), key=lambda t: (t.position, t.id))
                ],
                "competencies": [
                    OneLineMapping(slug=m.competency.slug, target=m.target_level, weight=m.weight)
                    for m in members
                ],
            }
        )

    projects = []
    active_projects = (
        Project.objects.filter(is_active=True, path__is_active=True)
        .select_related("path")
        .prefetch_related(
            "checkpoints__evidences",
            "builds__competency",
            "prerequisites",
            Prefetch("resources", queryset=Resource.objects.order_by("position", "id")),
        )
        .order_by("path__position", "path__name", "path_id", "position", "name", "id")
    )
    active_slugs = {p.slug for p in active_projects}
    for project in active_projects:
        used.update(b.competency_id for b in project.builds.all())
        projects.append(
            {
                "slug": project.slug,
                "name": project.name,
                "path": project.path.slug,
                "summary": project.summary,
                "difficulty": project.difficulty,
                "estimated_hours": project.estimated_hours,
                "prerequisites": OneLineList(
                    sorted(p.slug for p in project.prerequisites.all() if p.slug in active_slugs)
                ),
                "checkpoints": [
                    _checkpoint_data(cp)
                    for cp in sorted(project.checkpoints.all(), key=lambda cp: (cp.position, cp.id))
                ],
                "builds": {
                    b.competency.slug: b.builds_to_level
                    for b in sorted(project.builds.all(), key=lambda b: b.competency.slug)
                },
            }
        )
        if project.resources.all():
            projects[-1]["resources"] = [resource_file_data(r) for r in project.resources.all()]

    # A competency whose every path link is retired was dropped from the curriculum; one that
    # was never placed on a path (a draft made in admin) is still exported.
    exported = Competency.objects.filter(Q(id__in=used) | Q(path_competencies__isnull=True))
    competencies = []
    for comp in exported.distinct().order_by("category", "name", "slug"):
        competencies.append(
            {
                "slug": comp.slug,
                "name": comp.name,
                "kind": comp.kind,
                "category": comp.category,
                "summary": comp.summary,
                "levels": {},
            }
        )
    descriptors = LevelDescriptor.objects.filter(
        competency__slug__in=[c["slug"] for c in competencies]
    ).select_related("competency")
    by_slug = {c["slug"]: c for c in competencies}
    for d in descriptors.order_by("competency__slug", "level"):
        by_slug[d.competency.slug]["levels"][d.level] = d.description
    resources = Resource.objects.filter(competency__slug__in=list(by_slug)).select_related(
        "competency"
    )
    for resource in resources.order_by("competency__slug", "position", "id"):
        by_slug[resource.competency.slug].setdefault("resources", []).append(
            resource_file_data(resource)
        )

    goals = [
        {
            "slug": g.slug,
            "label": g.label,
            "recommended_path": g.recommended_path.slug,
            "reason": g.reason,
        }
        for g in CareerGoal.objects.select_related("recommended_path").order_by("position", "id")
    ]

    return dump_curriculum_file(
        {
            "scale": scale,
            "paths": paths,
            "competencies": competencies,
            "projects": projects,
            "career_goals": goals,
        }
    )

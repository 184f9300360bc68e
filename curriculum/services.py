"""Import and export of the curriculum data file (curriculum/default_curriculum.yaml).

The file is the editor-friendly form of the curriculum tables. Import validates the whole file
first (collecting every problem with its line), then writes in one transaction, matching rows by
slug so competencies keep their identity (and learners' ratings) across renames. Nothing that
learners' data may point at is ever deleted: dropped path competencies get `retired_at`, dropped
projects and paths are deactivated. Export writes the same format back."""

from collections import Counter
from dataclasses import dataclass, field
from uuid import uuid4

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, ProtectedError, Q
from django.utils import timezone

from curriculum.curriculum_file import (
    CurriculumError,
    OneLineList,
    OneLineMapping,
    dump_curriculum_file,
    read_curriculum_file,
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


@dataclass
class ImportReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    retired: Counter = field(default_factory=Counter)
    deleted: Counter = field(default_factory=Counter)

    @property
    def changes(self) -> int:
        return sum(
            sum(c.values()) for c in (self.created, self.updated, self.retired, self.deleted)
        )

    def summary(self) -> str:
        lines = []
        for label, counter in (
            ("created", self.created),
            ("updated", self.updated),
            ("retired", self.retired),
            ("deleted", self.deleted),
        ):
            detail = ", ".join(f"{n} {kind}" for kind, n in sorted(counter.items()) if n)
            lines.append(f"{label} {sum(counter.values())}" + (f" ({detail})" if detail else ""))
        return "; ".join(lines)


# --- writing


def _sync(report: ImportReport, label: str, existing, model, values: dict, **lookup):
    """Create the row, or update only the fields that differ; count what happened."""
    if existing is None:
        report.created[label] += 1
        return model.objects.create(**lookup, **values)
    changed = [name for name, value in values.items() if getattr(existing, name) != value]
    if changed:
        for name in changed:
            setattr(existing, name, values[name])
        existing.save(update_fields=changed)
        report.updated[label] += 1
    return existing


def _delete(report: ImportReport, label: str, queryset) -> None:
    count = queryset.count()
    if count:
        queryset.delete()
        report.deleted[label] += count


def _match_checkpoints(existing: list, wanted: list) -> tuple[list, list[int]]:
    """Pair the file's checkpoints with existing rows, keeping row identity (plans may point at
    checkpoints): same title first, so reordering keeps each row; then by position, so a
    renamed checkpoint keeps its row. Returns (row or None per wanted item, ids left over)."""
    by_title: dict = {}
    for row in existing:
        by_title.setdefault(row.title, row)
    used: set[int] = set()
    matches: list = []
    for cp in wanted:
        row = by_title.get(cp["title"])
        if row is not None and row.id not in used:
            used.add(row.id)
            matches.append(row)
        else:
            matches.append(None)
    leftovers = [row for row in existing if row.id not in used]
    for index, row in enumerate(matches):
        if row is None and leftovers:
            matches[index] = leftovers.pop(0)
    return matches, [row.id for row in leftovers]


RESOURCE_FIELDS = ("title", "kind", "cost", "language", "minutes", "note", "checked_on")


def _sync_resources(report: ImportReport, owner: dict, existing: list, wanted: list) -> None:
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
        _sync(
            report,
            "resources",
            by_url.pop(item["url"], None),
            Resource,
            values,
            url=item["url"],
            **owner,
        )
    if by_url:
        _delete(
            report, "resources", Resource.objects.filter(id__in=[r.id for r in by_url.values()])
        )


def _resource_data(resource: Resource) -> dict:
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


def curriculum_import(*, data_text: str, source_name: str) -> ImportReport:
    """Load a curriculum file into the database, all or nothing. Raises CurriculumError."""
    data = read_curriculum_file(data_text, source_name)
    report = ImportReport()
    try:
        with transaction.atomic():
            _write(data, report)
            curriculum_changed()
    except ProtectedError as exc:
        raise CurriculumError(
            [f"{source_name}: cannot remove rows still in use elsewhere: {exc.args[0]}"]
        ) from None
    except IntegrityError as exc:
        # The file is valid on its own but clashes with rows it does not list (for example a
        # path name already used by a path with another slug).
        raise CurriculumError([f"{source_name}: clashes with the database: {exc}"]) from None
    return report


def _write(data: dict, report: ImportReport) -> None:
    now = timezone.now()

    scale = {s.level: s for s in ScaleLevel.objects.all()}
    for item in data["scale"]:
        values = {"name": item["name"], "descriptor": item["descriptor"]}
        _sync(
            report,
            "scale levels",
            scale.get(item["level"]),
            ScaleLevel,
            values,
            level=item["level"],
        )

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
        comp = _sync(
            report,
            "competencies",
            competencies.get(item["slug"]),
            Competency,
            values,
            slug=item["slug"],
        )
        competencies[comp.slug] = comp
        levels = item.get("levels", {})
        for level, text in levels.items():
            _sync(
                report,
                "level descriptors",
                descriptors.get((comp.id, level)),
                LevelDescriptor,
                {"description": text},
                competency=comp,
                level=level,
            )
        _delete(
            report,
            "level descriptors",
            LevelDescriptor.objects.filter(competency=comp).exclude(level__in=list(levels)),
        )
        _sync_resources(
            report,
            {"competency": comp},
            competency_resources.get(comp.id, []),
            item.get("resources", []),
        )

    paths = {p.slug: p for p in Path.objects.all()}
    created_paths = set()
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
        if item["slug"] not in paths:
            created_paths.add(item["slug"])
        path = _sync(report, "paths", paths.get(item["slug"]), Path, values, slug=item["slug"])
        paths[path.slug] = path
        aspects = []
        for position, trait in enumerate(item.get("traits", [])):
            aspects.append(trait["aspect"])
            _sync(
                report,
                "path traits",
                traits.get((path.id, trait["aspect"])),
                PathTrait,
                {"value": trait["value"], "position": position},
                path=path,
                aspect=trait["aspect"],
            )
        _delete(
            report, "path traits", PathTrait.objects.filter(path=path).exclude(aspect__in=aspects)
        )
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
                report,
                "path competencies",
                memberships.get((path.id, comp.id)),
                PathCompetency,
                values,
                path=path,
                competency=comp,
            )
        retired = (
            PathCompetency.objects.current().filter(path=path).exclude(competency_id__in=listed)
        )
        report.retired["path competencies"] += retired.update(retired_at=now)
    for item in data["paths"]:
        # After every path exists, so a path may name one listed below it.
        path = paths[item["slug"]]
        earlier = item.get("recommended_earlier_path")
        earlier_id = paths[earlier].id if earlier else None
        if path.recommended_earlier_path_id != earlier_id:
            new_path = path.slug in created_paths
            path.recommended_earlier_path_id = earlier_id
            path.save(update_fields=["recommended_earlier_path"])
            if not new_path:
                report.updated["paths"] += 1
    listed_paths = [item["slug"] for item in data["paths"]]
    dropped = Path.objects.active().exclude(slug__in=listed_paths)
    report.retired["paths"] += dropped.update(is_active=False)

    projects = {p.slug: p for p in Project.objects.all()}
    new_projects = set()
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
        if item["slug"] not in projects:
            new_projects.add(item["slug"])
        project = _sync(
            report, "projects", projects.get(item["slug"]), Project, values, slug=item["slug"]
        )
        projects[project.slug] = project
        wanted = item.get("checkpoints", [])
        matches, extra = _match_checkpoints(
            list(project.checkpoints.order_by("position", "id")), wanted
        )
        for position, (cp, existing) in enumerate(zip(wanted, matches, strict=True)):
            values = {
                "title": cp["title"],
                "description": cp.get("description", ""),
                "position": position,
            }
            row = _sync(report, "checkpoints", existing, ProjectCheckpoint, values, project=project)
            evidences = {competencies[slug].id for slug in cp.get("evidences", [])}
            shown = set() if existing is None else set(row.evidences.values_list("id", flat=True))
            if evidences != shown:
                row.evidences.set(evidences)
                if existing is not None:
                    report.updated["checkpoint evidence"] += 1
        _delete(report, "checkpoints", ProjectCheckpoint.objects.filter(id__in=extra))
        builds = {b.competency_id: b for b in project.builds.all()}
        listed = []
        for slug, level in item.get("builds", {}).items():
            comp = competencies[slug]
            listed.append(comp.id)
            _sync(
                report,
                "project competencies",
                builds.get(comp.id),
                ProjectCompetency,
                {"builds_to_level": level},
                project=project,
                competency=comp,
            )
        _delete(
            report,
            "project competencies",
            ProjectCompetency.objects.filter(project=project).exclude(competency_id__in=listed),
        )
        _sync_resources(
            report,
            {"project": project},
            project_resources.get(project.id, []),
            item.get("resources", []),
        )
    for item in data["projects"]:
        project = projects[item["slug"]]
        wanted = {projects[slug].id for slug in item.get("prerequisites", [])}
        current = set(project.prerequisites.values_list("id", flat=True))
        if wanted != current:
            project.prerequisites.set(wanted)
            # A new project's prerequisites are part of creating it, not an update.
            if item["slug"] not in new_projects:
                report.updated["project prerequisites"] += 1
    listed_projects = [item["slug"] for item in data["projects"]]
    dropped = Project.objects.filter(is_active=True).exclude(slug__in=listed_projects)
    report.retired["projects"] += dropped.update(is_active=False)

    goals = {g.slug: g for g in CareerGoal.objects.all()}
    for position, item in enumerate(data["career_goals"]):
        values = {
            "label": item["label"],
            "recommended_path": paths[item["recommended_path"]],
            "reason": item["reason"],
            "position": position,
        }
        _sync(
            report, "career goals", goals.get(item["slug"]), CareerGoal, values, slug=item["slug"]
        )
    listed_goals = [item["slug"] for item in data["career_goals"]]
    _delete(report, "career goals", CareerGoal.objects.exclude(slug__in=listed_goals))


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
            projects[-1]["resources"] = [_resource_data(r) for r in project.resources.all()]

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
            _resource_data(resource)
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

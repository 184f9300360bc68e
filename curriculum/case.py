"""The curriculum as 1EdTech CASE 1.1 (Competencies and Academic Standards Exchange) JSON.

Export: one CFPackage per path (`case_package`). The path is the CFDocument; each competency and
each portfolio project is a CFItem; CFAssociations say which items belong to the path
(isChildOf, with the position as sequenceNumber), which project comes before which (precedes:
CASE's ordering association; isPeerOf is symmetric and could not say which project is the
prerequisite) and which competencies a project builds (isRelatedTo). The level descriptors are a
CFRubric: one CFRubricCriterion per competency (linked to its CFItem), one
CFRubricCriterionLevel per described level (score = the level); one more criterion, with no
item, carries the default scale. What CASE has no field for (a competency's target level on the
path, a project's difficulty, hours and checkpoints) travels in the objects' `extensions` under
the key "gapmap", which CASE 1.1 provides for exactly that and other readers ignore; so do a
path's outcome and recommended earlier path, what each checkpoint evidences and the learning
resources of competencies and projects (CASE has no object for a study link).

Identifiers: paths, competencies and projects keep a `case_uuid` of their own (stable across
renames and edits); associations and rubric parts get uuid5 names derived from the identifiers
they join, so they are stable too without a table of their own.

Import (`case_import`): a CFPackage becomes a NEW path. The package is translated into the
curriculum file's data (the current curriculum plus the new path, its new competencies and its
projects) and loaded through curriculum_import: the same validation and the same all-or-nothing
write as a YAML import. A CFItem whose identifier is an existing competency's case_uuid reuses
that competency (ratings, descriptors and other paths stay as they are)."""

import datetime as dt
import json
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from curriculum.curriculum_file import SLUG_RE, CurriculumError, dump_curriculum_file
from curriculum.curriculum_file import read_curriculum_file as _read_yaml
from curriculum.diff import CurriculumDiff
from curriculum.models import (
    MAX_LEVEL,
    MIN_LEVEL,
    Competency,
    CurriculumVersion,
    LevelDescriptor,
    Path,
    PathCompetency,
    Project,
    ScaleLevel,
)
from curriculum.services import curriculum_export, curriculum_import, resource_file_data

CASE_VERSION = "1.1"
EXT = "gapmap"
PROJECT_TYPE = "Portfolio project"
ITEM_TYPES = {Competency.Kind.SKILL: "Skill", Competency.Kind.TOOL: "Tool"}
SCALE_CATEGORY = "scale"
# uuid5 namespace for the identifiers derived from others (associations, rubric parts).
NAMESPACE = uuid.UUID("6f1d9a52-3c1e-4a8e-9b7e-2f5d0c4a1e77")


def _derived(*parts) -> str:
    return str(uuid.uuid5(NAMESPACE, "|".join(str(p) for p in parts)))


def _url(name: str, identifier) -> str:
    return settings.SITE_URL + reverse(name, args=[str(identifier)])


def _link(title: str, identifier, uri: str) -> dict:
    return {"title": title, "identifier": str(identifier), "uri": uri}


def _resources(owner) -> list[dict]:
    """The owner's learning resources in the curriculum file's shape, as JSON (dates as ISO)."""
    rows = []
    for resource in sorted(owner.resources.all(), key=lambda r: (r.position, r.id)):
        data = resource_file_data(resource)
        data["levels"] = list(data["levels"])
        if "checked_on" in data:
            data["checked_on"] = data["checked_on"].isoformat()
        rows.append(data)
    return rows


def _stamp() -> str:
    changed = CurriculumVersion.objects.current().values_list("changed_at", flat=True).first()
    return (changed or timezone.now()).isoformat(timespec="seconds")


# --- export


def case_document(path: Path, *, stamp: str | None = None) -> dict:
    ext = {
        "slug": path.slug,
        "position": path.position,
        "traits": [
            {"aspect": t.aspect, "value": t.value}
            for t in sorted(path.traits.all(), key=lambda t: (t.position, t.id))
        ],
    }
    if path.outcome:
        ext["outcome"] = path.outcome
    earlier = path.recommended_earlier_path
    if earlier is not None:
        # Named by identifier (stable across instances) and slug (the fallback on import).
        ext["recommendedEarlierPath"] = {"identifier": str(earlier.case_uuid), "slug": earlier.slug}
    return {
        "identifier": str(path.case_uuid),
        "uri": _url("curriculum:case_document", path.case_uuid),
        "caseVersion": CASE_VERSION,
        "frameworkType": "Career path",
        "creator": settings.ISSUER_NAME,
        "publisher": settings.ISSUER_NAME,
        "title": path.name,
        "description": path.summary,
        "notes": path.best_fit_when,
        "language": "en",
        "lastChangeDateTime": stamp or _stamp(),
        "extensions": {EXT: ext},
    }


def _competency_item(comp: Competency, stamp: str) -> dict:
    item = {
        "identifier": str(comp.case_uuid),
        "uri": _url("curriculum:case_item", comp.case_uuid),
        "fullStatement": comp.summary or comp.name,
        "abbreviatedStatement": comp.name,
        "humanCodingScheme": comp.slug,
        "CFItemType": ITEM_TYPES[comp.kind],
        "language": "en",
        "lastChangeDateTime": stamp,
    }
    if comp.category:
        item["conceptKeywords"] = [comp.category]
    resources = _resources(comp)
    if resources:
        item["extensions"] = {EXT: {"resources": resources}}
    return item


def _checkpoint(cp) -> dict:
    data = {"title": cp.title, "description": cp.description}
    evidences = sorted(str(c.case_uuid) for c in cp.evidences.all())
    if evidences:
        # The CFItem identifiers of the competencies this deliverable shows.
        data["evidences"] = evidences
    return data


def _project_item(project: Project, stamp: str) -> dict:
    ext = {
        "difficulty": project.difficulty,
        "estimatedHours": project.estimated_hours,
        "checkpoints": [
            _checkpoint(cp)
            for cp in sorted(project.checkpoints.all(), key=lambda c: (c.position, c.id))
        ],
    }
    resources = _resources(project)
    if resources:
        ext["resources"] = resources
    return {
        "identifier": str(project.case_uuid),
        "uri": _url("curriculum:case_item", project.case_uuid),
        "fullStatement": project.summary,
        "abbreviatedStatement": project.name,
        "humanCodingScheme": project.slug,
        "CFItemType": PROJECT_TYPE,
        "language": "en",
        "lastChangeDateTime": stamp,
        "extensions": {EXT: ext},
    }


def case_item(identifier: uuid.UUID) -> dict | None:
    """One competency or project as a CFItem (the `uri` of every exported item resolves here)."""
    stamp = _stamp()
    comp = Competency.objects.filter(case_uuid=identifier).prefetch_related("resources").first()
    if comp is not None:
        return _competency_item(comp, stamp)
    project = (
        Project.objects.filter(case_uuid=identifier, is_active=True)
        .prefetch_related("checkpoints__evidences", "resources")
        .first()
    )
    return _project_item(project, stamp) if project is not None else None


def case_package(path: Path) -> dict:
    """The path as a CASE 1.1 CFPackage (a fixed number of queries, whatever its size)."""
    stamp = _stamp()
    document = case_document(path, stamp=stamp)
    package_uri = _url("curriculum:case_package", path.case_uuid)
    doc_link = _link(path.name, path.case_uuid, document["uri"])

    def assoc(kind, origin: dict, destination: dict, sequence=None, ext=None) -> dict:
        identifier = _derived(path.case_uuid, kind, origin["identifier"], destination["identifier"])
        row = {
            "identifier": identifier,
            "associationType": kind,
            "uri": f"{package_uri}#{identifier}",
            "originNodeURI": _link(
                origin["abbreviatedStatement"], origin["identifier"], origin["uri"]
            ),
            "destinationNodeURI": (
                destination
                if "abbreviatedStatement" not in destination
                else _link(
                    destination["abbreviatedStatement"],
                    destination["identifier"],
                    destination["uri"],
                )
            ),
            "lastChangeDateTime": stamp,
        }
        if sequence is not None:
            row["sequenceNumber"] = sequence
        if ext:
            row["extensions"] = {EXT: ext}
        return row

    members = list(
        PathCompetency.objects.current()
        .filter(path=path)
        .select_related("competency")
        .prefetch_related("competency__resources")
        .order_by("position", "id")
    )
    projects = list(
        Project.objects.filter(path=path, is_active=True)
        .prefetch_related(
            "checkpoints__evidences", "builds__competency", "prerequisites", "resources"
        )
        .order_by("position", "name", "id")
    )
    items, associations = [], []
    comp_items: dict[int, dict] = {}
    for sequence, member in enumerate(members):
        item = _competency_item(member.competency, stamp)
        comp_items[member.competency_id] = item
        items.append(item)
        associations.append(
            assoc(
                "isChildOf",
                item,
                doc_link,
                sequence,
                {"targetLevel": member.target_level, "weight": member.weight},
            )
        )
    project_items: dict[int, dict] = {}
    for sequence, project in enumerate(projects):
        item = _project_item(project, stamp)
        project_items[project.id] = item
        items.append(item)
        associations.append(assoc("isChildOf", item, doc_link, len(members) + sequence))
    for project in projects:
        for prereq in sorted(project.prerequisites.all(), key=lambda p: p.slug):
            if prereq.id in project_items:  # prerequisites on other paths stay out
                associations.append(
                    assoc("precedes", project_items[prereq.id], project_items[project.id])
                )
        for build in sorted(project.builds.all(), key=lambda b: b.competency.slug):
            if build.competency_id in comp_items:
                associations.append(
                    assoc(
                        "isRelatedTo",
                        project_items[project.id],
                        comp_items[build.competency_id],
                        ext={"buildsToLevel": build.builds_to_level},
                    )
                )

    return {
        "CFDocument": document,
        "CFItems": items,
        "CFAssociations": associations,
        "CFRubrics": [_rubric(path, members, comp_items, package_uri, stamp)],
    }


def _rubric(path, members, comp_items, package_uri, stamp) -> dict:
    rubric_id = _derived(path.case_uuid, "rubric")
    scale = {s.level: s for s in ScaleLevel.objects.order_by("level")}
    descriptors: dict[int, list] = {}
    for d in LevelDescriptor.objects.filter(
        competency_id__in=[m.competency_id for m in members]
    ).order_by("level"):
        descriptors.setdefault(d.competency_id, []).append(d)

    def level(criterion_id, number, description, quality) -> dict:
        identifier = _derived(criterion_id, "level", number)
        return {
            "identifier": identifier,
            "uri": f"{package_uri}#{identifier}",
            "description": description,
            "quality": quality,
            "score": float(number),
            "position": number,
            "rubricCriterionId": criterion_id,
            "lastChangeDateTime": stamp,
        }

    scale_id = _derived(path.case_uuid, "criterion", SCALE_CATEGORY)
    criteria = [
        {
            "identifier": scale_id,
            "uri": f"{package_uri}#{scale_id}",
            "category": SCALE_CATEGORY,
            "description": "The default meaning of each level, where a competency has no "
            "descriptor of its own.",
            "position": 0,
            "rubricId": rubric_id,
            "lastChangeDateTime": stamp,
            "CFRubricCriterionLevels": [
                level(scale_id, s.level, s.descriptor, s.name) for s in scale.values()
            ],
        }
    ]
    for position, member in enumerate(members, start=1):
        item = comp_items[member.competency_id]
        criterion_id = _derived(path.case_uuid, "criterion", item["identifier"])
        criteria.append(
            {
                "identifier": criterion_id,
                "uri": f"{package_uri}#{criterion_id}",
                "category": member.competency.category or "competency",
                "description": member.competency.name,
                "CFItemURI": _link(item["abbreviatedStatement"], item["identifier"], item["uri"]),
                "weight": float(member.weight),
                "position": position,
                "rubricId": rubric_id,
                "lastChangeDateTime": stamp,
                "CFRubricCriterionLevels": [
                    level(
                        criterion_id,
                        d.level,
                        d.description,
                        scale[d.level].name if d.level in scale else str(d.level),
                    )
                    for d in descriptors.get(member.competency_id, [])
                ],
            }
        )
    return {
        "identifier": rubric_id,
        "uri": f"{package_uri}#{rubric_id}",
        "title": f"{path.name}: levels",
        "description": f"What each level 0-{MAX_LEVEL} looks like for each competency of "
        f"{path.name}.",
        "lastChangeDateTime": stamp,
        "CFRubricCriteria": criteria,
    }


def case_documents() -> dict:
    """Every active path's CFDocument (the getAllCFDocuments shape)."""
    stamp = _stamp()
    return {
        "CFDocuments": [
            case_document(p, stamp=stamp)
            for p in Path.objects.active()
            .select_related("recommended_earlier_path")
            .prefetch_related("traits")
        ]
    }


# --- import


@dataclass
class CaseImportResult:
    path_slug: str
    report: CurriculumDiff
    reused: list[str]
    dry_run: bool

    def summary(self) -> str:
        verb = "would create" if self.dry_run else "created"
        reused = f"; reuses existing competencies: {', '.join(self.reused)}" if self.reused else ""
        return f"{verb} path {self.path_slug!r}: {self.report.summary()}{reused}"


class _DryRun(Exception):
    pass


class _Problems:
    def __init__(self, source: str):
        self.source = source
        self.errors: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.errors.append(f"{self.source}, {where}: {message}")


def _uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _ext(obj: dict) -> dict:
    ext = obj.get("extensions")
    value = ext.get(EXT) if isinstance(ext, dict) else None
    return value if isinstance(value, dict) else {}


def _text_of(obj: dict, key: str) -> str:
    value = obj.get(key)
    return value.strip() if isinstance(value, str) else ""


def _parse_package(text: str, p: _Problems) -> dict:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        p.add(f"line {exc.lineno} column {exc.colno}", f"not valid JSON: {exc.msg}")
        raise CurriculumError(p.errors) from None
    if not isinstance(data, dict) or not isinstance(data.get("CFDocument"), dict):
        p.add("top level", "expected a CFPackage: an object with a CFDocument object")
        raise CurriculumError(p.errors)
    for key in ("CFItems", "CFAssociations", "CFRubrics"):
        value = data.setdefault(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            p.add(key, "expected a list of objects")
    doc = data["CFDocument"]
    if _uuid(doc.get("identifier")) is None:
        p.add("CFDocument.identifier", "missing or not a UUID")
    if not _text_of(doc, "title"):
        p.add("CFDocument.title", "missing or empty")
    if p.errors:
        raise CurriculumError(p.errors)
    seen: set[str] = set()
    for i, item in enumerate(data["CFItems"]):
        ident = _uuid(item.get("identifier"))
        if ident is None:
            p.add(f"CFItems[{i}].identifier", "missing or not a UUID")
        elif str(ident) in seen:
            p.add(f"CFItems[{i}].identifier", f"{ident} appears twice")
        else:
            seen.add(str(ident))
        if not _text_of(item, "fullStatement"):
            p.add(f"CFItems[{i}].fullStatement", "missing or empty")
    for i, assoc in enumerate(data["CFAssociations"]):
        for end in ("originNodeURI", "destinationNodeURI"):
            node = assoc.get(end)
            if not isinstance(node, dict) or not isinstance(node.get("identifier"), str):
                p.add(f"CFAssociations[{i}].{end}", "expected a link with an identifier")
        if not isinstance(assoc.get("associationType"), str):
            p.add(f"CFAssociations[{i}].associationType", "missing")
    if p.errors:
        raise CurriculumError(p.errors)
    return data


def _end(assoc: dict, end: str) -> str:
    return str(_uuid(assoc[end]["identifier"]) or assoc[end]["identifier"])


def _int(value, default):
    """A whole number from JSON (3 or 3.0); anything else is passed on for validation to
    report."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return default if value is None else value


def _plain(value):
    """The validated file data as plain dicts and lists (the reader's line-marked subclasses
    do not dump)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _resources_in(ext: dict) -> list:
    """Resources from an item's extensions, in the curriculum file's shape (its validation
    reports anything wrong in them); an ISO date string becomes the date the file expects."""
    resources = ext.get("resources")
    if not isinstance(resources, list):
        return []
    rows = []
    for row in resources:
        if isinstance(row, dict) and isinstance(row.get("checked_on"), str):
            try:
                row = {**row, "checked_on": dt.date.fromisoformat(row["checked_on"])}
            except ValueError:
                pass
        rows.append(row)
    return rows


def _checkpoint_in(cp, comp_slug_of: dict) -> object:
    """A checkpoint with its evidences turned from CFItem identifiers into this file's
    competency slugs (an identifier of an item not on the path cannot be evidenced: dropped)."""
    if not isinstance(cp, dict) or not isinstance(cp.get("evidences"), list):
        return cp
    evidences = [
        comp_slug_of[str(_uuid(e))] for e in cp["evidences"] if str(_uuid(e)) in comp_slug_of
    ]
    cp = {k: v for k, v in cp.items() if k != "evidences"}
    return {**cp, "evidences": evidences} if evidences else cp


def _earlier_path_slug(doc_ext: dict) -> str | None:
    """The recommended earlier path, if this instance has it (by identifier, then slug); a
    package from elsewhere may name a path that is not here, and the link is optional."""
    earlier = doc_ext.get("recommendedEarlierPath")
    if not isinstance(earlier, dict):
        return None
    ident = _uuid(earlier.get("identifier"))
    found = Path.objects.active().filter(case_uuid=ident).first() if ident else None
    if found is None and isinstance(earlier.get("slug"), str):
        found = Path.objects.active().filter(slug=earlier["slug"]).first()
    return found.slug if found is not None else None


def _translate(data: dict, p: _Problems, slug: str | None) -> tuple[dict, dict, list[str]]:
    """(curriculum file data with the new path added, {kind: {slug: case uuid}} for new rows,
    the slugs of reused competencies). Collects problems in CASE terms."""
    current = _plain(_read_yaml(curriculum_export(), "the current curriculum"))
    doc = data["CFDocument"]
    doc_ext = _ext(doc)
    doc_id = str(_uuid(doc["identifier"]))
    title = _text_of(doc, "title")
    path_slug = slug or doc_ext.get("slug") or slugify(title)[:50]
    if Path.objects.filter(slug=path_slug).exists():
        p.add(
            "CFDocument",
            f"a path with slug {path_slug!r} exists already; import creates a new "
            "path (give another slug)",
        )
    if Path.objects.filter(name=title).exists():
        p.add("CFDocument.title", f"a path named {title!r} exists already")

    items = {str(_uuid(i["identifier"])): i for i in data["CFItems"]}
    is_project = {k: _text_of(i, "CFItemType") == PROJECT_TYPE for k, i in items.items()}
    existing_comps = {str(c.case_uuid): c for c in Competency.objects.all()}
    existing_projects = {str(pr.case_uuid): pr for pr in Project.objects.select_related("path")}
    taken_comp_slugs = {c.slug: str(c.case_uuid) for c in existing_comps.values()}
    taken_project_slugs = {pr.slug for pr in existing_projects.values()}

    # Membership: isChildOf the document (or of an item, flattening a deeper hierarchy), in
    # sequenceNumber order; items no association places are members too, after the others.
    placed: dict[str, tuple] = {}
    builds: dict[str, dict[str, object]] = {}
    precedes: list[tuple[str, str]] = []
    for i, assoc in enumerate(data["CFAssociations"]):
        kind, origin, dest = (
            assoc["associationType"],
            _end(assoc, "originNodeURI"),
            _end(assoc, "destinationNodeURI"),
        )
        where = f"CFAssociations[{i}]"
        if kind == "isChildOf" and origin in items:
            placed.setdefault(origin, (_int(assoc.get("sequenceNumber"), 10**6), i, _ext(assoc)))
        elif kind == "precedes" and origin in items and dest in items:
            if is_project[origin] and is_project[dest]:
                precedes.append((origin, dest))
        elif kind == "isRelatedTo" and origin in items and dest in items:
            if is_project[origin] and not is_project[dest]:
                level = _ext(assoc).get("buildsToLevel")
                if level is not None:
                    builds.setdefault(origin, {})[dest] = _int(level, level)
        if kind in ("precedes", "isRelatedTo", "isChildOf"):
            for end, ident in (("originNodeURI", origin), ("destinationNodeURI", dest)):
                if ident not in items and ident != doc_id:
                    p.add(
                        f"{where}.{end}",
                        f"{ident} is neither the CFDocument nor a CFItem of this package",
                    )
    order = sorted(items, key=lambda k: placed.get(k, (10**7, 10**7, {}))[:2])

    criteria_levels: dict[str, dict[int, str]] = {}
    weights: dict[str, object] = {}
    scale_levels: list[dict] = []
    for r, rubric in enumerate(data["CFRubrics"]):
        for c, criterion in enumerate(rubric.get("CFRubricCriteria") or []):
            where = f"CFRubrics[{r}].CFRubricCriteria[{c}]"
            if not isinstance(criterion, dict):
                p.add(where, "expected an object")
                continue
            link = criterion.get("CFItemURI")
            levels = {}
            for j, lvl in enumerate(criterion.get("CFRubricCriterionLevels") or []):
                number = _int(
                    lvl.get("position", lvl.get("score")) if isinstance(lvl, dict) else None, None
                )
                if not isinstance(number, int) or not MIN_LEVEL <= number <= MAX_LEVEL:
                    p.add(
                        f"{where}.CFRubricCriterionLevels[{j}]",
                        f"position/score must be a level {MIN_LEVEL}-{MAX_LEVEL}",
                    )
                    continue
                levels[number] = lvl
            if isinstance(link, dict) and str(_uuid(link.get("identifier"))) in items:
                key = str(_uuid(link["identifier"]))
                criteria_levels[key] = {n: _text_of(v, "description") for n, v in levels.items()}
                if "weight" in criterion:
                    weights[key] = _int(criterion["weight"], criterion["weight"])
            elif criterion.get("category") == SCALE_CATEGORY:
                scale_levels = [
                    {
                        "level": n,
                        "name": _text_of(v, "quality") or str(n),
                        "descriptor": _text_of(v, "description"),
                    }
                    for n, v in sorted(levels.items())
                ]

    new_uuids: dict[str, dict[str, str]] = {"competencies": {}, "projects": {}}
    reused: list[str] = []
    exported = {c["slug"] for c in current["competencies"]}
    path_members, comp_slug_of = [], {}
    for key in order:
        if is_project[key]:
            continue
        item = items[key]
        ext = placed.get(key, (0, 0, {}))[2]
        where = f"CFItems[{data['CFItems'].index(item)}]"
        if key in existing_comps:
            comp = existing_comps[key]
            reused.append(comp.slug)
            comp_slug = comp.slug
            if comp.slug not in exported:
                current["competencies"].append(
                    {
                        "slug": comp.slug,
                        "name": comp.name,
                        "kind": comp.kind,
                        "category": comp.category,
                        "summary": comp.summary,
                        "levels": dict(comp.descriptors.values_list("level", "description")),
                    }
                )
                exported.add(comp.slug)
        else:
            code = _text_of(item, "humanCodingScheme")
            name = _text_of(item, "abbreviatedStatement") or _text_of(item, "fullStatement")[:120]
            comp_slug = code if SLUG_RE.match(code or "-!") else slugify(name)[:80]
            if not comp_slug:
                p.add(where, "needs a humanCodingScheme or a statement to make a slug from")
                continue
            if comp_slug in taken_comp_slugs:
                p.add(
                    f"{where}.humanCodingScheme",
                    f"slug {comp_slug!r} belongs to another "
                    "competency already (a different identifier)",
                )
                continue
            taken_comp_slugs[comp_slug] = key
            full = _text_of(item, "fullStatement")
            keywords = item.get("conceptKeywords")
            current["competencies"].append(
                {
                    "slug": comp_slug,
                    "name": name,
                    "kind": "tool" if _text_of(item, "CFItemType").lower() == "tool" else "skill",
                    "category": keywords[0]
                    if isinstance(keywords, list) and keywords and isinstance(keywords[0], str)
                    else "",
                    "summary": "" if full == name else full,
                    "levels": criteria_levels.get(key, {}),
                    "resources": _resources_in(_ext(item)),
                }
            )
            new_uuids["competencies"][comp_slug] = key
        comp_slug_of[key] = comp_slug
        path_members.append(
            {
                "slug": comp_slug,
                "target": _int(ext.get("targetLevel"), 3),
                "weight": _int(ext.get("weight", weights.get(key)), 3),
            }
        )

    project_slug_of = {}
    new_projects = []
    for key in order:
        if not is_project[key]:
            continue
        item = items[key]
        where = f"CFItems[{data['CFItems'].index(item)}]"
        ext = _ext(item)
        if key in existing_projects:
            pr = existing_projects[key]
            p.add(
                where,
                f"is the project {pr.slug!r} of path {pr.path.slug!r} already; a "
                "project belongs to one path",
            )
            continue
        code = _text_of(item, "humanCodingScheme")
        name = _text_of(item, "abbreviatedStatement") or _text_of(item, "fullStatement")[:160]
        project_slug = code if SLUG_RE.match(code or "-!") else slugify(name)[:80]
        if project_slug in taken_project_slugs:
            p.add(
                f"{where}.humanCodingScheme", f"a project with slug {project_slug!r} exists already"
            )
            continue
        if "difficulty" not in ext or "estimatedHours" not in ext:
            p.add(
                f"{where}.extensions",
                f"a {PROJECT_TYPE} needs extensions.{EXT}.difficulty "
                f"and extensions.{EXT}.estimatedHours",
            )
            continue
        taken_project_slugs.add(project_slug)
        project_slug_of[key] = project_slug
        new_uuids["projects"][project_slug] = key
        new_projects.append((key, item, ext, project_slug, name))
    for key, item, ext, project_slug, name in new_projects:
        checkpoints = ext.get("checkpoints", [])
        if isinstance(checkpoints, list):
            checkpoints = [_checkpoint_in(cp, comp_slug_of) for cp in checkpoints]
        current["projects"].append(
            {
                "slug": project_slug,
                "name": name,
                "path": path_slug,
                "summary": _text_of(item, "fullStatement"),
                "difficulty": ext["difficulty"],
                "estimated_hours": _int(ext["estimatedHours"], ext["estimatedHours"]),
                "prerequisites": [
                    project_slug_of[o] for o, d in precedes if d == key and o in project_slug_of
                ],
                "checkpoints": checkpoints if isinstance(checkpoints, list) else [],
                "builds": {
                    comp_slug_of[c]: level
                    for c, level in builds.get(key, {}).items()
                    if c in comp_slug_of
                },
                "resources": _resources_in(ext),
            }
        )

    if not current["scale"]:
        current["scale"] = scale_levels
    traits = doc_ext.get("traits", [])
    optional = {}
    if isinstance(doc_ext.get("outcome"), str) and doc_ext["outcome"].strip():
        optional["outcome"] = doc_ext["outcome"].strip()
    earlier = _earlier_path_slug(doc_ext)
    if earlier is not None:
        optional["recommended_earlier_path"] = earlier
    current["paths"].append(
        {
            **optional,
            "slug": path_slug,
            "name": title,
            "position": _int(doc_ext.get("position"), len(current["paths"])),
            "summary": _text_of(doc, "description") or title,
            "best_fit_when": _text_of(doc, "notes") or _text_of(doc, "description") or title,
            "traits": traits if isinstance(traits, list) else [],
            "competencies": path_members,
        }
    )
    new_uuids["paths"] = {path_slug: doc_id}
    return current, new_uuids, reused


def case_import(
    *, package_text: str, source_name: str, slug: str | None = None, dry_run: bool = False
) -> CaseImportResult:
    """Load a CASE CFPackage as a new path, all or nothing. Raises CurriculumError with every
    problem found; nothing changes then (nor on a dry run, which reports what would change)."""
    p = _Problems(source_name)
    data = _parse_package(package_text, p)
    try:
        with transaction.atomic():
            current, new_uuids, reused = _translate(data, p, slug)
            if p.errors:
                raise CurriculumError(p.errors)
            path_slug = next(iter(new_uuids["paths"]))
            report = curriculum_import(
                data_text=dump_curriculum_file(current),
                source_name=f"{source_name} (as a curriculum file)",
            )
            for model, kind in (
                (Path, "paths"),
                (Competency, "competencies"),
                (Project, "projects"),
            ):
                taken = set(
                    str(u)
                    for u in model.objects.filter(
                        case_uuid__in=list(new_uuids[kind].values())
                    ).values_list("case_uuid", flat=True)
                )
                for row_slug, ident in new_uuids[kind].items():
                    # An identifier already used (a package exported here, imported under a
                    # new slug) keeps the fresh uuid the new row got.
                    if ident not in taken:
                        model.objects.filter(slug=row_slug).update(case_uuid=ident)
            result = CaseImportResult(path_slug, report, reused, dry_run)
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return result

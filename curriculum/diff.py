"""What importing a curriculum file would change: the file and the database are each turned into
a snapshot of plain records, kind by kind, and compared.

A snapshot is {kind name: {key: Record}}; a key is a tuple of slugs (and levels, aspects) that
names the record the same way on both sides. Each kind in KINDS says how to read its records
from the validated file and from the database, which records it belongs to (`parents`), and
what an import does to one of its records that the file leaves out:

- a record of a kind without parents (a path, project, competency, career goal) is kept as it
  is and listed as "not in the file (kept)", unless the import is asked to retire missing rows;
- a record whose parents are all in the file (a trait of a listed path, a checkpoint of a
  listed project) is retired or deleted: the file is the whole truth about what it lists;
- a record with a parent the file does not list goes with that parent (kept), and is not shown.

Order is compared, not position numbers: a record is "moved" only when its place among the
records common to both sides changes (the fewest moves that explain the new order), so rows
numbered 0, 0, 5 in admin are not "changed" by a file that lists them in the same order.

To add a kind, write its two readers and add a Kind to KINDS; the import command, the admin
preview and the tests of "a dry run shows what the import does" pick it up (resources, a kind
with two possible parents, was added that way).
"""

import hashlib
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from curriculum.models import (
    CareerGoal,
    Competency,
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

ADDED, CHANGED, RETIRED, DELETED, KEPT = "added", "changed", "retired", "deleted", "kept"


@dataclass
class Record:
    values: dict
    # False for a record already retired (an inactive path, a retired path competency): it is
    # not "missing" when the file leaves it out, and it has no place in the order.
    live: bool = True


@dataclass(frozen=True)
class Kind:
    name: str
    label: Callable[[tuple, dict], str]
    from_file: Callable[[dict, dict], dict]  # (validated data, this kind's db records) -> records
    from_db: Callable[[], dict]
    parents: Callable[[tuple], list[tuple[str, tuple]]] = lambda key: []
    on_missing: str = KEPT  # RETIRED or DELETED: what an import does to a missing record
    group: Callable[[tuple, dict], object] | None = None  # ordered kinds: order within a group
    readiness_path: Callable[[tuple], str] | None = None  # a change here moves this path's targets


@dataclass(frozen=True)
class Change:
    kind: str
    key: tuple
    label: str
    action: str
    fields: tuple = ()  # (name, old, new) for CHANGED
    moved: bool = False

    def detail(self) -> str:
        parts = []
        for name, old, new in self.fields:
            if name == "active":
                parts.append("brought back" if new else "retired")
            elif _short(old) and _short(new):
                parts.append(f"{name} {old!r} -> {new!r}")
            else:
                parts.append(f"{name} changed")
        if self.moved:
            parts.append("moved")
        return ", ".join(parts)


def _short(value) -> bool:
    return not isinstance(value, str) or (len(value) <= 60 and "\n" not in value)


@dataclass
class CurriculumDiff:
    entries: list[Change] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    retire_missing: bool = False
    learners: int = 0  # learners whose target path's requirements change

    def of(self, action: str) -> Counter:
        return Counter(c.kind for c in self.entries if c.action == action)

    # The import's report, in the words of the old ImportReport.
    @property
    def created(self) -> Counter:
        return self.of(ADDED)

    @property
    def updated(self) -> Counter:
        return self.of(CHANGED)

    @property
    def retired(self) -> Counter:
        return self.of(RETIRED)

    @property
    def deleted(self) -> Counter:
        return self.of(DELETED)

    @property
    def kept(self) -> list[Change]:
        return [c for c in self.entries if c.action == KEPT]

    @property
    def changes(self) -> int:
        """How many rows the import adds, changes, retires or deletes."""
        return sum(1 for c in self.entries if c.action != KEPT)

    @property
    def has_changes(self) -> bool:
        return self.changes > 0

    def groups(self) -> list[dict]:
        """The changes (not the kept rows) by kind, in KINDS order, for printing and templates."""
        by_kind: dict[str, list[Change]] = defaultdict(list)
        for change in self.entries:
            if change.action != KEPT:
                by_kind[change.kind].append(change)
        return [
            {
                "kind": kind.name,
                "counts": _counts(by_kind[kind.name]),
                "changes": by_kind[kind.name],
            }
            for kind in KINDS
            if by_kind[kind.name]
        ]

    def would_go(self) -> list[Change]:
        """The kept rows that --retire-missing would retire or delete."""
        return [c for c in self.kept if KIND_BY_NAME[c.kind].on_missing != KEPT]

    def summary(self) -> str:
        if not self.has_changes:
            return "no changes"
        parts = [f"{group['kind']}: {group['counts']}" for group in self.groups()]
        return "; ".join(parts)

    def lines(self) -> list[str]:
        """The whole diff as text (the import command prints it)."""
        out = []
        symbol = {ADDED: "+", CHANGED: "~", RETIRED: "-", DELETED: "x"}
        for group in self.groups():
            out.append(f"{group['kind']}: {group['counts']}")
            for change in group["changes"]:
                detail = change.detail()
                suffix = f": {detail}" if change.action == CHANGED else ""
                if change.action in (RETIRED, DELETED):
                    suffix = f" ({change.action})"
                out.append(f"  {symbol[change.action]} {change.label}{suffix}")
        if not out:
            out.append("No changes.")
        if self.kept:
            out.append(
                f"Not in the file (kept): {_counts(self.kept, with_action=False)}."
                + (
                    " --retire-missing would retire or delete those marked !"
                    if self.would_go()
                    else ""
                )
            )
            for change in self.kept:
                mark = "!" if KIND_BY_NAME[change.kind].on_missing != KEPT else "="
                out.append(f"  {mark} {change.kind}: {change.label}")
        out.append(f"Learners whose readiness would change: {self.learners}")
        for warning in self.warnings:
            out.append(f"Warning: {warning}")
        return out

    def digest(self) -> str:
        """Fingerprint of what the import would do (to check that a confirmed import is the one
        that was previewed). The choice to retire missing rows is not part of it: a top-level
        row the file leaves out is "missing" whether it is kept or retired."""

        def action(change):
            if change.action == KEPT or not KIND_BY_NAME[change.kind].parents(change.key):
                return "missing" if change.action in (KEPT, RETIRED, DELETED) else change.action
            return change.action

        text = repr([(c.kind, c.key, action(c), c.fields, c.moved) for c in self.entries])
        return hashlib.sha256(text.encode()).hexdigest()[:32]


def _counts(changes: list[Change], with_action: bool = True) -> str:
    if with_action:
        counter = Counter(c.action for c in changes)
        order = [ADDED, CHANGED, RETIRED, DELETED]
        return ", ".join(f"{counter[a]} {a}" for a in order if counter[a])
    counter = Counter(c.kind for c in changes)
    return ", ".join(f"{n} {kind}" for kind, n in counter.items())


# --- comparing


def curriculum_diff(
    current: dict[str, dict], wanted: dict[str, dict], *, retire_missing: bool = False
) -> CurriculumDiff:
    diff = CurriculumDiff(retire_missing=retire_missing)
    for kind in KINDS:
        old, new = current.get(kind.name, {}), wanted.get(kind.name, {})
        moved = _moved(kind, old, new) if kind.group else set()
        for key, record in new.items():
            label = kind.label(key, record.values)
            before = old.get(key)
            if before is None:
                diff.entries.append(Change(kind.name, key, label, ADDED))
                continue
            fields = tuple(
                (name, before.values.get(name), value)
                for name, value in record.values.items()
                if before.values.get(name) != value
            )
            if fields or key in moved:
                diff.entries.append(
                    Change(kind.name, key, label, CHANGED, fields, moved=key in moved)
                )
        for key, record in old.items():
            if key in new or not record.live:
                continue
            parents = kind.parents(key)
            if any(key_ not in wanted.get(parent, {}) for parent, key_ in parents):
                continue  # goes with a parent the file does not list
            action = kind.on_missing
            if not parents and not retire_missing:
                action = KEPT
            diff.entries.append(Change(kind.name, key, kind.label(key, record.values), action))
    return diff


def _moved(kind: Kind, old: dict, new: dict) -> set:
    """Keys whose place among the live records of their group changed: everything outside a
    longest run that kept its relative order."""
    old_groups: dict = defaultdict(list)
    for key, record in old.items():
        if record.live:
            old_groups[kind.group(key, record.values)].append(key)
    moved = set()
    for group, old_keys in old_groups.items():
        new_keys = [
            key
            for key, record in new.items()
            if kind.group(key, record.values) == group and key in old and old[key].live
        ]
        rank = {key: i for i, key in enumerate(old_keys)}
        sequence = [key for key in new_keys if key in rank]
        keep = _longest_increasing(sequence, rank)
        moved.update(key for key in sequence if key not in keep)
    return moved


def _longest_increasing(sequence: list, rank: dict) -> set:
    """The keys of a longest subsequence whose ranks increase (patience sorting)."""
    tails: list[int] = []  # index into sequence of the smallest tail of each length
    previous: list[int | None] = [None] * len(sequence)
    for i, key in enumerate(sequence):
        low, high = 0, len(tails)
        while low < high:
            mid = (low + high) // 2
            if rank[sequence[tails[mid]]] < rank[key]:
                low = mid + 1
            else:
                high = mid
        previous[i] = tails[low - 1] if low else None
        if low == len(tails):
            tails.append(i)
        else:
            tails[low] = i
    keep = set()
    i = tails[-1] if tails else None
    while i is not None:
        keep.add(sequence[i])
        i = previous[i]
    return keep


def snapshot_from_db() -> dict[str, dict]:
    return {kind.name: kind.from_db() for kind in KINDS}


def snapshot_from_file(data: dict, current: dict[str, dict]) -> dict[str, dict]:
    return {kind.name: kind.from_file(data, current.get(kind.name, {})) for kind in KINDS}


# --- the kinds: reading each from the file and from the database


def _scale_file(data, _):
    return {
        (s["level"],): Record({"name": s["name"], "descriptor": s["descriptor"]})
        for s in data["scale"]
    }


def _scale_db():
    return {
        (s.level,): Record({"name": s.name, "descriptor": s.descriptor})
        for s in ScaleLevel.objects.order_by("level")
    }


def _path_values(p):
    return {
        "name": p["name"],
        "position": p["position"],
        "summary": p["summary"],
        "best_fit_when": p["best_fit_when"],
        "outcome": p.get("outcome", ""),
        "recommended_earlier_path": p.get("recommended_earlier_path"),
        "active": True,
    }


def _paths_file(data, _):
    return {(p["slug"],): Record(_path_values(p)) for p in data["paths"]}


def _paths_db():
    rows = Path.objects.select_related("recommended_earlier_path").order_by(
        "position", "name", "id"
    )
    return {
        (p.slug,): Record(
            {
                "name": p.name,
                "position": p.position,
                "summary": p.summary,
                "best_fit_when": p.best_fit_when,
                "outcome": p.outcome,
                "recommended_earlier_path": (
                    p.recommended_earlier_path.slug if p.recommended_earlier_path else None
                ),
                "active": p.is_active,
            },
            live=p.is_active,
        )
        for p in rows
    }


def _traits_file(data, _):
    return {
        (p["slug"], t["aspect"]): Record({"value": t["value"]})
        for p in data["paths"]
        for t in p.get("traits", [])
    }


def _traits_db():
    rows = PathTrait.objects.select_related("path").order_by("path_id", "position", "id")
    return {(t.path.slug, t.aspect): Record({"value": t.value}) for t in rows}


def _competency_values(c):
    return {
        "name": c["name"],
        "kind": c["kind"],
        "category": c.get("category", ""),
        "summary": c.get("summary", ""),
    }


def _competencies_file(data, _):
    return {(c["slug"],): Record(_competency_values(c)) for c in data["competencies"]}


def _competencies_db():
    # Live as export sees it: on a path now, or never placed on one (a draft made in admin).
    # One retired from every path was dropped from the curriculum and is not "missing".
    current = set(PathCompetency.objects.current().values_list("competency_id", flat=True))
    placed = set(PathCompetency.objects.values_list("competency_id", flat=True))
    return {
        (c.slug,): Record(
            {"name": c.name, "kind": c.kind, "category": c.category, "summary": c.summary},
            live=c.id in current or c.id not in placed,
        )
        for c in Competency.objects.order_by("slug")
    }


def _descriptors_file(data, _):
    return {
        (c["slug"], level): Record({"description": text})
        for c in data["competencies"]
        for level, text in c.get("levels", {}).items()
    }


def _descriptors_db():
    rows = LevelDescriptor.objects.select_related("competency").order_by("competency_id", "level")
    return {(d.competency.slug, d.level): Record({"description": d.description}) for d in rows}


def _memberships_file(data, _):
    return {
        (p["slug"], pc["slug"]): Record(
            {"target": pc["target"], "weight": pc["weight"], "active": True}
        )
        for p in data["paths"]
        for pc in p["competencies"]
    }


def _memberships_db():
    rows = PathCompetency.objects.select_related("path", "competency").order_by(
        "path_id", "position", "id"
    )
    return {
        (m.path.slug, m.competency.slug): Record(
            {"target": m.target_level, "weight": m.weight, "active": m.retired_at is None},
            live=m.retired_at is None,
        )
        for m in rows
    }


def _project_values(p):
    return {
        "name": p["name"],
        "path": p["path"],
        "summary": p["summary"],
        "difficulty": p["difficulty"],
        "estimated_hours": p["estimated_hours"],
        "active": True,
    }


def _projects_file(data, _):
    return {(p["slug"],): Record(_project_values(p)) for p in data["projects"]}


def _projects_db():
    rows = Project.objects.select_related("path").order_by("path_id", "position", "name", "id")
    return {
        (p.slug,): Record(
            {
                "name": p.name,
                "path": p.path.slug,
                "summary": p.summary,
                "difficulty": p.difficulty,
                "estimated_hours": p.estimated_hours,
                "active": p.is_active,
            },
            live=p.is_active,
        )
        for p in rows
    }


def _checkpoints_file(data, current):
    """Paired with the database rows as the import pairs them (curriculum.services.
    match_checkpoints): same title first, then what is left in order, so a renamed checkpoint
    is a change of title, not a deletion and an addition."""
    from curriculum.services import match_checkpoints

    existing: dict[str, list] = defaultdict(list)
    for key, record in current.items():
        existing[key[0]].append((key, record.values["title"]))
    records = {}
    for p in data["projects"]:
        wanted = p.get("checkpoints", [])
        rows = existing.get(p["slug"], [])
        matches, _ = match_checkpoints(rows, [cp["title"] for cp in wanted])
        for n, (cp, key) in enumerate(zip(wanted, matches, strict=True)):
            key = key or (p["slug"], f"new {n + 1}")
            records[key] = Record(
                {
                    "title": cp["title"],
                    "description": cp.get("description", ""),
                    "evidences": _slug_list(cp.get("evidences", [])),
                }
            )
    return records


def _slug_list(slugs) -> str:
    """A set of slugs as one comparable, printable value ("" for none)."""
    return ", ".join(sorted(slugs))


def _checkpoints_db():
    rows = ProjectCheckpoint.objects.select_related("project").order_by(
        "project_id", "position", "id"
    )
    evidences: dict[int, list] = defaultdict(list)
    through = ProjectCheckpoint.evidences.through.objects.values_list(
        "projectcheckpoint_id", "competency__slug"
    )
    for checkpoint_id, slug in through:
        evidences[checkpoint_id].append(slug)
    return {
        (cp.project.slug, f"#{cp.id}"): Record(
            {
                "title": cp.title,
                "description": cp.description,
                "evidences": _slug_list(evidences[cp.id]),
            }
        )
        for cp in rows
    }


def _builds_file(data, _):
    return {
        (p["slug"], slug): Record({"level": level})
        for p in data["projects"]
        for slug, level in p.get("builds", {}).items()
    }


def _builds_db():
    rows = ProjectCompetency.objects.select_related("project", "competency").order_by("id")
    return {(b.project.slug, b.competency.slug): Record({"level": b.builds_to_level}) for b in rows}


def _prerequisites_file(data, _):
    return {
        (p["slug"], slug): Record({})
        for p in data["projects"]
        for slug in p.get("prerequisites", [])
    }


def _prerequisites_db():
    rows = Project.prerequisites.through.objects.values_list(
        "from_project__slug", "to_project__slug"
    ).order_by("id")
    return {(a, b): Record({}) for a, b in rows}


def _resource_values(r: dict) -> dict:
    return {
        "title": r["title"],
        "kind": r["kind"],
        "cost": r["cost"],
        "language": r.get("language", "en"),
        "minutes": r["minutes"],
        "levels": f"{r['levels'][0]}-{r['levels'][1]}",
        "checked_on": r.get("checked_on"),
        "note": r["note"],
    }


def _resources_file(data, _):
    """Keyed by owner and URL, as the import matches them (a row keeps its link checks)."""
    return {
        (owner, item["slug"], r["url"]): Record(_resource_values(r))
        for owner, items in (("competency", data["competencies"]), ("project", data["projects"]))
        for item in items
        for r in item.get("resources", [])
    }


def _resources_db():
    rows = Resource.objects.select_related("competency", "project").order_by(
        "competency_id", "project_id", "position", "id"
    )
    records = {}
    for r in rows:
        owner = ("competency", r.competency.slug) if r.competency else ("project", r.project.slug)
        records[(*owner, r.url)] = Record(
            _resource_values(
                {
                    "title": r.title,
                    "kind": r.kind,
                    "cost": r.cost,
                    "language": r.language,
                    "minutes": r.minutes,
                    "levels": (r.level_from, r.level_to),
                    "checked_on": r.checked_on,
                    "note": r.note,
                }
            )
        )
    return records


def _resource_owner(key: tuple) -> list[tuple[str, tuple]]:
    return [("competencies" if key[0] == "competency" else "projects", (key[1],))]


def _goals_file(data, _):
    return {
        (g["slug"],): Record(
            {"label": g["label"], "recommended_path": g["recommended_path"], "reason": g["reason"]}
        )
        for g in data["career_goals"]
    }


def _goals_db():
    rows = CareerGoal.objects.select_related("recommended_path").order_by("position", "id")
    return {
        (g.slug,): Record(
            {"label": g.label, "recommended_path": g.recommended_path.slug, "reason": g.reason}
        )
        for g in rows
    }


def _in(kind):
    return lambda key: [(kind, key[:1])]


KINDS: list[Kind] = [
    Kind("scale levels", lambda k, v: f"level {k[0]}", _scale_file, _scale_db),
    Kind("paths", lambda k, v: k[0], _paths_file, _paths_db, on_missing=RETIRED),
    Kind(
        "path traits",
        lambda k, v: f"{k[0]}: {k[1]}",
        _traits_file,
        _traits_db,
        parents=_in("paths"),
        on_missing=DELETED,
        group=lambda k, v: k[0],
    ),
    Kind("competencies", lambda k, v: k[0], _competencies_file, _competencies_db),
    Kind(
        "level descriptors",
        lambda k, v: f"{k[0]} at level {k[1]}",
        _descriptors_file,
        _descriptors_db,
        parents=_in("competencies"),
        on_missing=DELETED,
    ),
    Kind(
        "path competencies",
        lambda k, v: f"{k[1]} on {k[0]}",
        _memberships_file,
        _memberships_db,
        parents=_in("paths"),
        on_missing=RETIRED,
        group=lambda k, v: k[0],
        readiness_path=lambda k: k[0],
    ),
    Kind(
        "projects",
        lambda k, v: k[0],
        _projects_file,
        _projects_db,
        on_missing=RETIRED,
        group=lambda k, v: v["path"],
    ),
    Kind(
        "checkpoints",
        lambda k, v: f"{k[0]}: {v['title']}",
        _checkpoints_file,
        _checkpoints_db,
        parents=_in("projects"),
        on_missing=DELETED,
        group=lambda k, v: k[0],
    ),
    Kind(
        "project competencies",
        lambda k, v: f"{k[0]} builds {k[1]}",
        _builds_file,
        _builds_db,
        parents=_in("projects"),
        on_missing=DELETED,
    ),
    Kind(
        "project prerequisites",
        lambda k, v: f"{k[0]} needs {k[1]}",
        _prerequisites_file,
        _prerequisites_db,
        # A link to a project the file does not list stays, with that project.
        parents=lambda k: [("projects", (k[0],)), ("projects", (k[1],))],
        on_missing=DELETED,
    ),
    Kind(
        "resources",
        lambda k, v: f"{k[1]}: {v['title']}",
        _resources_file,
        _resources_db,
        parents=_resource_owner,
        on_missing=DELETED,
        group=lambda k, v: k[:2],
    ),
    Kind(
        "career goals",
        lambda k, v: k[0],
        _goals_file,
        _goals_db,
        on_missing=DELETED,
        group=lambda k, v: None,
    ),
]
KIND_BY_NAME = {kind.name: kind for kind in KINDS}


def readiness_paths(diff: CurriculumDiff) -> set[str]:
    """Slugs of the paths whose requirements (targets, weights, which competencies count) the
    diff changes; a move on the assessment page changes no readiness."""
    paths = set()
    for change in diff.entries:
        kind = KIND_BY_NAME[change.kind]
        if kind.readiness_path is None or change.action == KEPT:
            continue
        if change.action == CHANGED and not change.fields:
            continue
        paths.add(kind.readiness_path(change.key))
    return paths

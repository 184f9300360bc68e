"""The curriculum data file (curriculum/default_curriculum.yaml): its format, reading it with line
numbers, validating all of it (every problem reported with its line and field), and writing it.

curriculum/services.py turns the validated data into rows (import) and rows back into data
(export); this module knows nothing about the database."""

import datetime as dt
import re
from pathlib import Path as FilePath

import yaml

from curriculum.graph import find_cycle
from curriculum.models import MAX_LEVEL, MAX_RESOURCES, MIN_LEVEL, Competency, Project, Resource

DEFAULT_FILE = FilePath(__file__).resolve().parent / "default_curriculum.yaml"

FORMAT_DOC = """\
Gapmap curriculum file. `manage.py import_curriculum FILE` loads it (idempotent: rows are matched
by slug and updated in place); `manage.py export_curriculum` writes the database back in this form.

Top-level keys (all required):
  scale:         exactly the levels 0-4, each {level, name, descriptor}: the default meaning of a
                 level wherever a competency has no descriptor of its own.
  paths:         list of {slug, name, position, summary, best_fit_when, outcome,
                 recommended_earlier_path, traits, competencies}.
                   outcome (optional): what someone at the path's targets can do, and the
                     measures that show it.
                   recommended_earlier_path (optional): slug of a path worth following first.
                   traits: list of {aspect, value}, the side-by-side comparison rows; use the
                     same aspect names on every path so they line up.
                   competencies: list of {slug, target (1-4), weight (1-10)}; list order is the
                     order on the assessment page.
  competencies:  list of {slug, name, kind (skill|tool), category, summary, levels, resources}.
                   levels: mapping level (0-4) -> what that level looks like for this
                     competency, in observable terms. A competency may sit on several paths.
                   resources (optional): at most 8, the best first, each {title, url (https),
                     kind, cost (free|freemium|paid), language (default en), minutes,
                     levels [from, to] (the levels it helps a learner through, 0-4),
                     checked_on (date a person last checked it), note (why it is worth the
                     time)}. kind: docs, course, tutorial, video, article, book, repository,
                     paper or tool. A URL appears at most once per competency.
  projects:      list of {slug, name, path, summary, difficulty (beginner|intermediate|advanced),
                 estimated_hours, prerequisites, checkpoints, builds, resources}.
                   prerequisites: list of slugs of projects on the same path (no cycles).
                   checkpoints: list of {title, description, evidences}, the deliverables, in
                     order; evidences (optional) lists the built competencies the deliverable
                     shows at their build level (every build at level 3 or above needs one).
                   builds: mapping competency slug -> level (1-4) the project takes it to; only
                     competencies of the project's own path.
                   resources (optional): as for competencies, for the project itself.
  career_goals:  list of {slug, label, recommended_path, reason}.

List order is the display order (positions are renumbered from it on import).
`import_curriculum FILE --dry-run` shows what an import would change and changes nothing.
Within a listed path or project the file is the whole truth: a competency dropped from a path is
retired on that path (retired_at is set; ratings keep pointing at it); dropped traits,
descriptors, checkpoints, builds, prerequisites and resources are deleted. Paths, projects and
career goals the file does not list at all are kept as they are, and listed as "not in the file
(kept)"; only with --retire-missing are such paths and projects deactivated (is_active false,
never deleted) and such career goals deleted. Plain YAML only: no anchors, aliases or merge keys.

Sources: the four articles in shared/seeds/ (primary: "AI Developer vs AI Engineer"). Facts
come from them; the wording here is our own. Slugs are stable identifiers: rename freely,
but do not change a slug (a new slug is a new competency, without the old ratings)."""

SLUG_RE = re.compile(r"^[-a-z0-9_]+$")
TOP_KEYS = ("scale", "paths", "competencies", "projects", "career_goals")
DIFFICULTIES = tuple(Project.Difficulty.values)
KINDS = tuple(Competency.Kind.values)
RESOURCE_KINDS = tuple(Resource.Kind.values)
RESOURCE_COSTS = tuple(Resource.Cost.values)


class CurriculumError(Exception):
    """A curriculum file that cannot be imported; `errors` holds one message per problem."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        shown = errors[:25]
        more = f"\n... and {len(errors) - len(shown)} more" if len(errors) > len(shown) else ""
        super().__init__("\n".join(shown) + more)


# --- reading YAML with line numbers


class _MarkedDict(dict):
    line = 0
    key_lines: dict


class _MarkedList(list):
    line = 0
    item_lines: list


class _DuplicateKey(Exception):
    def __init__(self, key, line):
        self.key = key
        self.line = line


class _Refused(Exception):
    def __init__(self, line, message):
        self.line = line
        self.message = message


class _Loader(yaml.SafeLoader):
    """SafeLoader that remembers the line of every mapping, key and list item, and refuses
    anchors, aliases and merge keys (the format forbids them: a record must read the same
    wherever it is, and an alias would make one edit change several records)."""

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise _Refused(
                event.start_mark.line + 1,
                f"YAML anchors and aliases (&{event.anchor} / *{event.anchor}) are not allowed "
                "in a curriculum file; write the value out in full",
            )
        return super().compose_node(parent, index)

    def construct_marked_map(self, node):
        data = _MarkedDict()
        data.line = node.start_mark.line + 1
        data.key_lines = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _Refused(
                    key_node.start_mark.line + 1,
                    "YAML merge keys (<<) are not allowed in a curriculum file; "
                    "write the fields out in full",
                )
            key = self.construct_object(key_node, deep=True)
            if key in data:
                raise _DuplicateKey(key, key_node.start_mark.line + 1)
            data[key] = self.construct_object(value_node, deep=True)
            data.key_lines[key] = key_node.start_mark.line + 1
        return data

    def construct_marked_seq(self, node):
        data = _MarkedList(self.construct_object(child, deep=True) for child in node.value)
        data.line = node.start_mark.line + 1
        data.item_lines = [child.start_mark.line + 1 for child in node.value]
        return data


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_marked_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_marked_seq)


def _parse(data_text: str, source_name: str):
    try:
        return yaml.load(data_text, Loader=_Loader)  # noqa: S506 (a SafeLoader subclass)
    except _Refused as exc:
        raise CurriculumError([f"{source_name} line {exc.line}: {exc.message}"]) from None
    except _DuplicateKey as exc:
        raise CurriculumError(
            [f"{source_name} line {exc.line}: key {exc.key!r} appears twice in one mapping"]
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else "?"
        raise CurriculumError(
            [f"{source_name} line {line}: not valid YAML: {exc.problem or exc}"]
        ) from None
    except yaml.YAMLError as exc:
        raise CurriculumError([f"{source_name}: not valid YAML: {exc}"]) from None


# --- validation


class _Checker:
    """Collects problems as '<file> line N, <where>: <what>', where <where> names the record by
    its slug ("project 'rag', builds, python"). A reference to a record whose own definition
    already failed is skipped (its definition is the one error), and a reference to an unknown
    slug is reported once, with the other lines that use it."""

    def __init__(self, source_name: str):
        self.source = source_name
        self.errors: list[str] = []
        self.warnings: list[str] = []
        self._unknown: dict[tuple[str, str], list[tuple[int, str]]] = {}

    def error(self, line: int, where: str, message: str) -> None:
        self.errors.append(f"{self.source} line {line}, {where}: {message}")

    def warn(self, line: int, where: str, message: str) -> None:
        self.warnings.append(f"{self.source} line {line}, {where}: {message}")

    def reference(self, kind: str, slug, known: dict, failed: set, line: int, where: str) -> bool:
        """True when `slug` names a known, valid record of `kind`; unknown ones are collected
        (one error per slug), failed ones are silently skipped."""
        if slug in known:
            return True
        if slug not in failed:
            self._unknown.setdefault((kind, slug), []).append((line, where))
        return False

    def flush_references(self) -> None:
        for (kind, slug), places in self._unknown.items():
            (line, where), rest = places[0], places[1:]
            message = f"unknown {kind} {slug!r}"
            if rest:
                lines = ", ".join(str(other) for other, _ in rest[:10])
                more = f" and {len(rest) - 10} more" if len(rest) > 10 else ""
                message += f" (also used on lines {lines}{more})"
            self.error(line, where, message)
        self._unknown.clear()

    def record(self, value, where: str, line: int, spec: dict) -> bool:
        """Check a mapping against {key: (checker, required)}; True when it is usable."""
        if not isinstance(value, dict):
            self.error(line, where, f"expected a mapping, got {_type_name(value)}")
            return False
        ok = True
        for key in value:
            if key not in spec:
                known = ", ".join(spec)
                self.error(value.key_lines[key], _at(where, key), f"unknown key (known: {known})")
                ok = False
        for key, (check, required) in spec.items():
            if key not in value:
                if required:
                    self.error(value.line, _at(where, key), "missing required field")
                    ok = False
                continue
            problem = check(value[key])
            if problem:
                self.error(value.key_lines[key], _at(where, key), problem)
                ok = False
        return ok

    def items(self, value, where: str, line: int):
        """(index, item, item_line) of a list, or nothing if it is not a list."""
        if not isinstance(value, list):
            self.error(line, where, f"expected a list, got {_type_name(value)}")
            return []
        return [(i, item, value.item_lines[i]) for i, item in enumerate(value)]


def _at(where: str, key) -> str:
    return f"{where}, {key}"


def _name(item, field: str, singular: str, plural: str, index: int, check=None) -> str:
    """How an error names a record: by its slug (or aspect, title) when it has a usable one,
    else by its place in the list."""
    value = item.get(field) if isinstance(item, dict) else None
    usable = isinstance(value, str) and value.strip() and (check is None or check(value) is None)
    return f"{singular} {value!r}" if usable else f"{plural}[{index}]"


def _slug_of(item):
    """The item's slug if it is a valid one (so references to it can be matched), else None."""
    value = item.get("slug") if isinstance(item, dict) else None
    return value if isinstance(value, str) and _slug(value) is None else None


def _type_name(value) -> str:
    if value is None:
        return "nothing"
    return {
        dict: "a mapping",
        _MarkedDict: "a mapping",
        list: "a list",
        _MarkedList: "a list",
        str: "text",
        int: "a number",
        float: "a number",
        bool: "true/false",
    }.get(type(value), type(value).__name__)


def _text(value):
    if not isinstance(value, str):
        return f"expected text, got {_type_name(value)}"
    if not value.strip():
        return "must not be empty"
    return None


def _optional_text(value):
    if not isinstance(value, str):
        return f"expected text, got {_type_name(value)}"
    return None


def _short_text(max_length, text_check=_text):
    """Text (`text_check`: required by default) that must fit a CharField (PostgreSQL refuses
    longer values)."""

    def check(value):
        problem = text_check(value)
        if not problem and len(value) > max_length:
            problem = f"is {len(value)} characters long; at most {max_length} fit"
        return problem

    return check


def _slug(value, max_length=80):
    if not isinstance(value, str) or not SLUG_RE.match(value):
        return f"{value!r} is not a slug (lowercase letters, digits, '-' and '_')"
    if len(value) > max_length:
        return f"slug is {len(value)} characters long; at most {max_length} fit"
    return None


def _short_slug(value):
    """Path and career-goal slugs are SlugFields of the default length."""
    return _slug(value, 50)


def _int_between(low, high, what="value"):
    def check(value):
        if isinstance(value, bool) or not isinstance(value, int):
            return f"expected a whole number, got {_type_name(value)}"
        if not low <= value <= high:
            return f"{what} {value} is off the scale {low}-{high}"
        return None

    return check


def _choice(options):
    def check(value):
        if value not in options:
            return f"{value!r} is not one of {', '.join(options)}"
        return None

    return check


def _is_list(value):
    return None if isinstance(value, list) else f"expected a list, got {_type_name(value)}"


def _is_map(value):
    return None if isinstance(value, dict) else f"expected a mapping, got {_type_name(value)}"


def _unique(checker, seen: dict, key, line, where, what="slug"):
    if key in seen:
        checker.error(line, where, f"duplicate {what} {key!r} (first on line {seen[key]})")
        return False
    seen[key] = line
    return True


def _https_url(value):
    problem = _short_text(500)(value)
    if problem:
        return problem
    if not re.match(r"^https://[^\s/?#]+\.[^\s/?#]+(/\S*)?$", value):
        return f"{value!r} is not an https:// address"
    return None


def _date(value):
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        return f"expected a date like 2026-12-03, got {_type_name(value)}"
    return None


def _level_range(value):
    if (
        not isinstance(value, list)
        or len(value) != 2
        or any(isinstance(v, bool) or not isinstance(v, int) for v in value)
    ):
        return "expected [from, to], two levels such as [0, 2]"
    low, high = value
    if not (MIN_LEVEL <= low <= MAX_LEVEL and MIN_LEVEL <= high <= MAX_LEVEL):
        return f"levels {low}-{high} are off the scale {MIN_LEVEL}-{MAX_LEVEL}"
    if low > high:
        return f"from level {low} is above to level {high}"
    return None


RESOURCE_SPEC = {
    "title": (_short_text(200), True),
    "url": (_https_url, True),
    "kind": (_choice(RESOURCE_KINDS), True),
    "cost": (_choice(RESOURCE_COSTS), True),
    "language": (_short_text(8), False),
    "minutes": (_int_between(1, 10000, "minutes"), True),
    "levels": (_level_range, True),
    "checked_on": (_date, False),
    "note": (_short_text(300), True),
}


def _check_resources(c, owner, where: str, line: int) -> None:
    """The `resources` list of a competency or project (`where` names it by slug); a
    `resources` value that is not a list was reported by the owner's own check."""
    if not isinstance(owner, dict) or not isinstance(owner.get("resources"), list):
        return
    resources = owner["resources"]
    urls: dict = {}
    listed = c.items(resources, _at(where, "resources"), owner.key_lines["resources"])
    for k, resource, rline in listed:
        rwhere = _at(where, f"resource {k + 1}")
        if c.record(resource, rwhere, rline, RESOURCE_SPEC):
            _unique(c, urls, resource["url"], resource.key_lines["url"], _at(rwhere, "url"), "url")
    if len(listed) > MAX_RESOURCES:
        c.error(
            owner.key_lines["resources"],
            _at(where, "resources"),
            f"{len(listed)} resources; at most {MAX_RESOURCES} (keep the best)",
        )


def _validate(data, source_name: str) -> tuple[dict, list[str]]:
    """Check everything; return (the plain data, warnings), or raise CurriculumError."""
    c = _Checker(source_name)
    if not isinstance(data, dict):
        raise CurriculumError([f"{source_name} line 1: expected a mapping with keys {TOP_KEYS}"])
    c.record(data, "file", data.line, {key: (_is_list, True) for key in TOP_KEYS})
    if c.errors:
        raise CurriculumError(c.errors)

    # scale
    levels_seen: dict = {}
    for i, item, line in c.items(data["scale"], "scale", data.key_lines["scale"]):
        where = f"scale[{i}]"
        if isinstance(item, dict) and isinstance(item.get("level"), int):
            where = f"scale level {item['level']}"
        spec = {
            "level": (_int_between(MIN_LEVEL, MAX_LEVEL, "level"), True),
            "name": (_short_text(40), True),
            "descriptor": (_text, True),
        }
        if c.record(item, where, line, spec):
            _unique(c, levels_seen, item["level"], line, where, "level")
    missing = sorted(set(range(MIN_LEVEL, MAX_LEVEL + 1)) - set(levels_seen))
    if missing and not c.errors:
        c.error(data.key_lines["scale"], "scale", f"levels {missing} are missing (need 0-4)")

    # competencies
    competency_slugs: dict = {}
    failed_competencies: set = set()
    for i, item, line in c.items(
        data["competencies"], "competencies", data.key_lines["competencies"]
    ):
        where = _name(item, "slug", "competency", "competencies", i, _slug)
        spec = {
            "slug": (_slug, True),
            "name": (_short_text(120), True),
            "kind": (_choice(KINDS), True),
            "category": (_short_text(80, _optional_text), False),
            "summary": (_optional_text, False),
            "levels": (_is_map, False),
            "resources": (_is_list, False),
        }
        ok = c.record(item, where, line, spec)
        if ok:
            levels = item.get("levels", {})
            for level, text in levels.items():
                at = levels.key_lines[level]
                lwhere = _at(where, f"levels, {level}")
                problem = _int_between(MIN_LEVEL, MAX_LEVEL, "level")(level)
                if problem:
                    c.error(at, lwhere, problem)
                    ok = False
                problem = _text(text)
                if problem:
                    c.error(at, lwhere, problem)
                    ok = False
        slug = _slug_of(item)
        if slug is None:
            continue
        _check_resources(c, item, where, line)
        if slug in competency_slugs or slug in failed_competencies:
            if slug in competency_slugs:
                _unique(c, competency_slugs, slug, line, _at(where, "slug"))
            continue
        if ok:
            competency_slugs[slug] = line
        else:
            failed_competencies.add(slug)

    # paths
    path_slugs: dict = {}
    failed_paths: set = set()
    path_names: dict = {}
    path_members: dict[str, set] = {}
    earlier_edges: list[tuple] = []
    for i, item, line in c.items(data["paths"], "paths", data.key_lines["paths"]):
        where = _name(item, "slug", "path", "paths", i, _short_slug)
        spec = {
            "slug": (_short_slug, True),
            "name": (_short_text(80), True),
            "position": (_int_between(0, 32767, "position"), True),
            "summary": (_text, True),
            "best_fit_when": (_text, True),
            "outcome": (_optional_text, False),
            "recommended_earlier_path": (_short_slug, False),
            "traits": (_is_list, False),
            "competencies": (_is_list, True),
        }
        ok = c.record(item, where, line, spec)
        slug = _slug_of(item)
        if not ok:
            if slug is not None:
                failed_paths.add(slug)
            continue
        if not _unique(c, path_slugs, slug, line, _at(where, "slug")):
            continue
        _unique(c, path_names, item["name"], line, _at(where, "name"), "name")
        aspects: dict = {}
        for j, trait, tline in c.items(item.get("traits", []), _at(where, "traits"), line):
            twhere = _at(where, _name(trait, "aspect", "trait", "traits", j))
            if c.record(
                trait, twhere, tline, {"aspect": (_short_text(80), True), "value": (_text, True)}
            ):
                _unique(c, aspects, trait["aspect"], tline, _at(twhere, "aspect"), "aspect")
        members: dict = {}
        for j, pc, pline in c.items(item["competencies"], _at(where, "competencies"), line):
            pwhere = _at(where, _name(pc, "slug", "competency", "competencies", j, _slug))
            spec = {
                "slug": (_slug, True),
                "target": (_int_between(1, MAX_LEVEL, "target"), True),
                "weight": (_int_between(1, 10, "weight"), True),
            }
            ok = c.record(pc, pwhere, pline, spec)
            pc_slug = _slug_of(pc)
            if pc_slug is None:
                continue
            if not _unique(c, members, pc_slug, pline, _at(pwhere, "slug")):
                continue
            if ok:
                c.reference(
                    "competency",
                    pc_slug,
                    competency_slugs,
                    failed_competencies,
                    pline,
                    _at(pwhere, "slug"),
                )
        path_members[slug] = set(members)
        if not item["competencies"]:
            c.warn(
                item.key_lines["competencies"],
                where,
                "the path has no competencies: learners who choose it have nothing to assess",
            )
        if "recommended_earlier_path" in item:
            earlier_edges.append(
                (
                    slug,
                    item["recommended_earlier_path"],
                    item.key_lines["recommended_earlier_path"],
                    _at(where, "recommended_earlier_path"),
                )
            )
    earlier_ok = True
    for slug, earlier, at, ewhere in earlier_edges:
        if not c.reference("path", earlier, path_slugs, failed_paths, at, ewhere):
            earlier_ok = False
        elif earlier == slug:
            c.error(at, ewhere, "a path cannot come before itself")
            earlier_ok = False
    cycle = find_cycle((a, b) for a, b, _, _ in earlier_edges) if earlier_ok else None
    if cycle:
        at, ewhere = next((at, w) for a, _, at, w in earlier_edges if a == cycle[0])
        c.error(at, ewhere, "earlier-path cycle: " + " -> ".join(cycle))

    # projects
    project_slugs: dict = {}
    failed_projects: set = set()
    project_paths: dict[str, str] = {}
    prerequisites: dict[str, list] = {}
    for i, item, line in c.items(data["projects"], "projects", data.key_lines["projects"]):
        where = _name(item, "slug", "project", "projects", i, _slug)
        spec = {
            "slug": (_slug, True),
            "name": (_short_text(160), True),
            "path": (_slug, True),
            "summary": (_text, True),
            "difficulty": (_choice(DIFFICULTIES), True),
            "estimated_hours": (_int_between(1, 500, "estimated_hours"), True),
            "prerequisites": (_is_list, False),
            "checkpoints": (_is_list, False),
            "builds": (_is_map, False),
            "resources": (_is_list, False),
        }
        ok = c.record(item, where, line, spec)
        slug = _slug_of(item)
        if not ok:
            if slug is not None:
                failed_projects.add(slug)
            continue
        if not _unique(c, project_slugs, slug, line, _at(where, "slug")):
            continue
        path_ok = c.reference(
            "path",
            item["path"],
            path_slugs,
            failed_paths,
            item.key_lines["path"],
            _at(where, "path"),
        )
        project_paths[slug] = item["path"]
        builds = item.get("builds", {})
        for j, cp, cline in c.items(item.get("checkpoints", []), _at(where, "checkpoints"), line):
            cwhere = _at(where, f"checkpoint {j + 1}")
            spec = {
                "title": (_short_text(200), True),
                "description": (_optional_text, False),
                "evidences": (_is_list, False),
            }
            if not c.record(cp, cwhere, cline, spec):
                continue
            shown: dict = {}
            evidences = cp.get("evidences", [])
            for _k, comp, eline in c.items(evidences, _at(cwhere, "evidences"), cline):
                ewhere = _at(cwhere, f"evidences, {comp}")
                if not isinstance(comp, str) or comp not in builds:
                    c.error(eline, ewhere, f"{comp!r} is not a competency this project builds")
                else:
                    _unique(c, shown, comp, eline, ewhere)
        _check_resources(c, item, where, line)
        members = path_members.get(item["path"], set())
        for comp, level in builds.items():
            bline = builds.key_lines[comp]
            bwhere = _at(where, f"builds, {comp}")
            problem = _int_between(1, MAX_LEVEL, "level")(level)
            if problem:
                c.error(bline, bwhere, problem)
            if not c.reference(
                "competency", comp, competency_slugs, failed_competencies, bline, bwhere
            ):
                continue
            if path_ok and comp not in members:
                c.error(bline, bwhere, f"competency {comp!r} is not on path {item['path']!r}")
        if not builds:
            c.warn(
                item.key_lines.get("builds", line),
                where,
                "the project builds nothing: it closes no gap, so plans only use it as a "
                "prerequisite",
            )
        prereqs = []
        for j, prereq, rline in c.items(
            item.get("prerequisites", []), _at(where, "prerequisites"), line
        ):
            problem = _slug(prereq)
            if problem:
                c.error(rline, _at(where, f"prerequisites[{j}]"), problem)
            else:
                prereqs.append((prereq, rline, _at(where, f"prerequisites, {prereq}")))
        prerequisites[slug] = prereqs
    edges_ok = True
    for slug, prereqs in prerequisites.items():
        for prereq, rline, rwhere in prereqs:
            if not c.reference("project", prereq, project_slugs, failed_projects, rline, rwhere):
                edges_ok = False
            elif prereq == slug:
                c.error(rline, rwhere, "a project cannot be its own prerequisite")
            elif project_paths[prereq] != project_paths[slug]:
                c.error(
                    rline,
                    rwhere,
                    f"prerequisite {prereq!r} is on path {project_paths[prereq]!r}, not on "
                    f"{project_paths[slug]!r}: a project's prerequisites come from its own path",
                )
    if edges_ok and not c.errors and not c._unknown:
        cycle = find_cycle((s, p) for s, ps in prerequisites.items() for p, _, _ in ps)
        if cycle:
            line, where = next(
                (line, where) for slug, line, where in prerequisites[cycle[0]] if slug == cycle[1]
            )
            c.error(line, where, "prerequisite cycle: " + " -> ".join(cycle))

    # career goals
    goal_slugs: dict = {}
    for i, item, line in c.items(
        data["career_goals"], "career_goals", data.key_lines["career_goals"]
    ):
        where = _name(item, "slug", "career goal", "career_goals", i, _short_slug)
        spec = {
            "slug": (_short_slug, True),
            "label": (_short_text(160), True),
            "recommended_path": (_slug, True),
            "reason": (_text, True),
        }
        if not c.record(item, where, line, spec):
            continue
        _unique(c, goal_slugs, item["slug"], line, _at(where, "slug"))
        c.reference(
            "path",
            item["recommended_path"],
            path_slugs,
            failed_paths,
            item.key_lines["recommended_path"],
            _at(where, "recommended_path"),
        )
    if isinstance(data["career_goals"], list) and not data["career_goals"]:
        c.warn(
            data.key_lines["career_goals"],
            "career_goals",
            "the list is empty: the path questionnaire has no goals to recommend from",
        )

    c.flush_references()
    if c.errors:
        raise CurriculumError(c.errors)
    return data, c.warnings


# --- export


class _Dumper(yaml.SafeDumper):
    """Block style, with long or multi-line text as folded blocks so the file stays readable."""

    def increase_indent(self, flow=False, indentless=False):
        # Indent list items under their key, as the hand-written file does.
        return super().increase_indent(flow, False)


def _str_representer(dumper, value):
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


class OneLineMapping(dict):
    """A short mapping written on one line: {slug: python, target: 3, weight: 8}."""


def _flow_representer(dumper, value):
    return dumper.represent_mapping("tag:yaml.org,2002:map", value.items(), flow_style=True)


_Dumper.add_representer(str, _str_representer)
_Dumper.add_representer(OneLineMapping, _flow_representer)


class OneLineList(list):
    """A short list of slugs written on one line: [a, b]."""


def _flow_list_representer(dumper, value):
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


_Dumper.add_representer(OneLineList, _flow_list_representer)


def check_curriculum_file(data_text: str, source_name: str) -> tuple[dict, list[str]]:
    """The file's data, checked in full, and its warnings (what imports but is probably a
    mistake); raises CurriculumError listing every problem."""
    return _validate(_parse(data_text, source_name), source_name)


def read_curriculum_file(data_text: str, source_name: str) -> dict:
    """The file's data, checked in full; raises CurriculumError listing every problem."""
    return check_curriculum_file(data_text, source_name)[0]


def dump_curriculum_file(data: dict) -> str:
    """The curriculum data as the file: the format notes as a comment, then the YAML."""
    header = "\n".join(f"# {line}".rstrip() for line in FORMAT_DOC.splitlines())
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return f"{header}\n\n{body}"

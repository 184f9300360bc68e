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
                   prerequisites: list of project slugs (no cycles).
                   checkpoints: list of {title, description, evidences}, the deliverables, in
                     order; evidences (optional) lists the built competencies the deliverable
                     shows at their build level (every build at level 3 or above needs one).
                   builds: mapping competency slug -> level (1-4) the project takes it to; only
                     competencies of the project's own path.
                   resources (optional): as for competencies, for the project itself.
  career_goals:  list of {slug, label, recommended_path, reason}.

List order is the display order (positions are renumbered from it on import).
What the file no longer lists: a competency dropped from a path is retired on that path
(retired_at is set; ratings keep pointing at it); a dropped project or path is deactivated
(is_active false), never deleted; dropped traits, descriptors, checkpoints, builds, resources and
career goals are deleted. Plain YAML only: no anchors, aliases or merge keys.

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


class _Loader(yaml.SafeLoader):
    """SafeLoader that remembers the line of every mapping, key and list item."""

    def construct_marked_map(self, node):
        self.flatten_mapping(node)
        data = _MarkedDict()
        data.line = node.start_mark.line + 1
        data.key_lines = {}
        for key_node, value_node in node.value:
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
    """Collects problems as '<file> line N, <where>: <what>'."""

    def __init__(self, source_name: str):
        self.source = source_name
        self.errors: list[str] = []

    def error(self, line: int, where: str, message: str) -> None:
        self.errors.append(f"{self.source} line {line}, {where}: {message}")

    def record(self, value, where: str, line: int, spec: dict) -> bool:
        """Check a mapping against {key: (checker, required)}; True when it is usable."""
        if not isinstance(value, dict):
            self.error(line, where, f"expected a mapping, got {_type_name(value)}")
            return False
        ok = True
        for key in value:
            if key not in spec:
                known = ", ".join(spec)
                self.error(value.key_lines[key], f"{where}.{key}", f"unknown key (known: {known})")
                ok = False
        for key, (check, required) in spec.items():
            if key not in value:
                if required:
                    self.error(value.line, f"{where}.{key}", "missing required field")
                    ok = False
                continue
            problem = check(value[key])
            if problem:
                self.error(value.key_lines[key], f"{where}.{key}", problem)
                ok = False
        return ok

    def items(self, value, where: str, line: int):
        """(index, item, item_line) of a list, or nothing if it is not a list."""
        if not isinstance(value, list):
            self.error(line, where, f"expected a list, got {_type_name(value)}")
            return []
        return [(i, item, value.item_lines[i]) for i, item in enumerate(value)]


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
    """The `resources` list of a competency or project (`where` names it by slug)."""
    if "resources" not in owner:
        return
    resources = owner["resources"]
    urls: dict = {}
    listed = c.items(resources, where + ".resources", owner.key_lines["resources"])
    for k, resource, rline in listed:
        rwhere = f"{where}.resources[{k}]"
        if c.record(resource, rwhere, rline, RESOURCE_SPEC):
            _unique(c, urls, resource["url"], resource.key_lines["url"], rwhere + ".url", "url")
    if len(listed) > MAX_RESOURCES:
        c.error(
            owner.key_lines["resources"],
            where + ".resources",
            f"{len(listed)} resources; at most {MAX_RESOURCES} (keep the best)",
        )


def _validate(data, source_name: str) -> dict:
    """Check everything; return the plain data for writing, or raise CurriculumError."""
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
    for i, item, line in c.items(
        data["competencies"], "competencies", data.key_lines["competencies"]
    ):
        where = f"competencies[{i}]"
        spec = {
            "slug": (_slug, True),
            "name": (_short_text(120), True),
            "kind": (_choice(KINDS), True),
            "category": (_short_text(80, _optional_text), False),
            "summary": (_optional_text, False),
            "levels": (_is_map, False),
            "resources": (_is_list, False),
        }
        if not c.record(item, where, line, spec):
            continue
        _unique(c, competency_slugs, item["slug"], line, where + ".slug")
        _check_resources(c, item, f"{where} ({item['slug']})", line)
        levels = item.get("levels", {})
        for level, text in levels.items():
            at = levels.key_lines[level]
            lwhere = f"{where}.levels.{level}"
            problem = _int_between(MIN_LEVEL, MAX_LEVEL, "level")(level)
            if problem:
                c.error(at, lwhere, problem)
            problem = _text(text)
            if problem:
                c.error(at, lwhere, problem)

    # paths
    path_slugs: dict = {}
    path_names: dict = {}
    path_members: dict[str, set] = {}
    for i, item, line in c.items(data["paths"], "paths", data.key_lines["paths"]):
        where = f"paths[{i}]"
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
        if not c.record(item, where, line, spec):
            continue
        _unique(c, path_slugs, item["slug"], line, where + ".slug")
        _unique(c, path_names, item["name"], line, where + ".name", "name")
        aspects: dict = {}
        for j, trait, tline in c.items(item.get("traits", []), where + ".traits", line):
            twhere = f"{where}.traits[{j}]"
            if c.record(
                trait, twhere, tline, {"aspect": (_short_text(80), True), "value": (_text, True)}
            ):
                _unique(c, aspects, trait["aspect"], tline, twhere + ".aspect", "aspect")
        members: dict = {}
        for j, pc, pline in c.items(item["competencies"], where + ".competencies", line):
            pwhere = f"{where}.competencies[{j}]"
            spec = {
                "slug": (_slug, True),
                "target": (_int_between(1, MAX_LEVEL, "target"), True),
                "weight": (_int_between(1, 10, "weight"), True),
            }
            if not c.record(pc, pwhere, pline, spec):
                continue
            if pc["slug"] not in competency_slugs:
                c.error(pline, pwhere + ".slug", f"unknown competency {pc['slug']!r}")
            _unique(c, members, pc["slug"], pline, pwhere + ".slug")
        path_members[item["slug"]] = set(members)
    earlier_edges = []
    for i, item, _ in c.items(data["paths"], "paths", data.key_lines["paths"]):
        if not isinstance(item, dict) or "recommended_earlier_path" not in item:
            continue
        earlier = item["recommended_earlier_path"]
        at = item.key_lines["recommended_earlier_path"]
        ewhere = f"paths[{i}] ({item.get('slug')}).recommended_earlier_path"
        if earlier not in path_slugs:
            c.error(at, ewhere, f"unknown path {earlier!r}")
        elif earlier == item.get("slug"):
            c.error(at, ewhere, "a path cannot come before itself")
        else:
            earlier_edges.append((item.get("slug"), earlier, at, ewhere))
    cycle = find_cycle((a, b) for a, b, _, _ in earlier_edges)
    if cycle:
        at, ewhere = next((at, w) for a, b, at, w in earlier_edges if a == cycle[0])
        c.error(at, ewhere, "earlier-path cycle: " + " -> ".join(cycle))

    # projects
    project_slugs: dict = {}
    prerequisites: dict[str, list] = {}
    for i, item, line in c.items(data["projects"], "projects", data.key_lines["projects"]):
        where = f"projects[{i}]"
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
        if not c.record(item, where, line, spec):
            continue
        _unique(c, project_slugs, item["slug"], line, where + ".slug")
        if item["path"] not in path_slugs:
            c.error(item.key_lines["path"], where + ".path", f"unknown path {item['path']!r}")
        builds = item.get("builds", {})
        for j, cp, cline in c.items(item.get("checkpoints", []), where + ".checkpoints", line):
            cwhere = f"{where} ({item['slug']}).checkpoints[{j}]"
            spec = {
                "title": (_short_text(200), True),
                "description": (_optional_text, False),
                "evidences": (_is_list, False),
            }
            if not c.record(cp, cwhere, cline, spec):
                continue
            shown: dict = {}
            for k, slug, eline in c.items(cp.get("evidences", []), cwhere + ".evidences", cline):
                ewhere = f"{cwhere}.evidences[{k}]"
                if not isinstance(slug, str) or slug not in builds:
                    c.error(eline, ewhere, f"{slug!r} is not a competency this project builds")
                else:
                    _unique(c, shown, slug, eline, ewhere)
        _check_resources(c, item, f"{where} ({item['slug']})", line)
        members = path_members.get(item["path"], set())
        for slug, level in builds.items():
            bline = builds.key_lines[slug]
            bwhere = f"{where}.builds.{slug}"
            problem = _int_between(1, MAX_LEVEL, "level")(level)
            if problem:
                c.error(bline, bwhere, problem)
            if slug not in competency_slugs:
                c.error(bline, bwhere, f"unknown competency {slug!r}")
            elif item["path"] in path_slugs and slug not in members:
                c.error(bline, bwhere, f"competency {slug!r} is not on path {item['path']!r}")
        prereqs = []
        for j, slug, rline in c.items(
            item.get("prerequisites", []), where + ".prerequisites", line
        ):
            problem = _slug(slug)
            if problem:
                c.error(rline, f"{where}.prerequisites[{j}]", problem)
            else:
                prereqs.append((slug, rline, f"{where}.prerequisites[{j}]"))
        prerequisites[item["slug"]] = prereqs
    for slug, prereqs in prerequisites.items():
        for prereq, rline, rwhere in prereqs:
            if prereq not in project_slugs:
                c.error(rline, rwhere, f"unknown project {prereq!r}")
            elif prereq == slug:
                c.error(rline, rwhere, "a project cannot be its own prerequisite")
    if not c.errors:
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
        where = f"career_goals[{i}]"
        spec = {
            "slug": (_short_slug, True),
            "label": (_short_text(160), True),
            "recommended_path": (_slug, True),
            "reason": (_text, True),
        }
        if not c.record(item, where, line, spec):
            continue
        _unique(c, goal_slugs, item["slug"], line, where + ".slug")
        if item["recommended_path"] not in path_slugs:
            c.error(
                item.key_lines["recommended_path"],
                where + ".recommended_path",
                f"unknown path {item['recommended_path']!r}",
            )

    if c.errors:
        raise CurriculumError(c.errors)
    return data


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


def read_curriculum_file(data_text: str, source_name: str) -> dict:
    """The file's data, checked in full; raises CurriculumError listing every problem."""
    return _validate(_parse(data_text, source_name), source_name)


def dump_curriculum_file(data: dict) -> str:
    """The curriculum data as the file: the format notes as a comment, then the YAML."""
    header = "\n".join(f"# {line}".rstrip() for line in FORMAT_DOC.splitlines())
    body = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return f"{header}\n\n{body}"

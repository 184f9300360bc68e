"""Checks of a curriculum's honesty, as pure functions of the curriculum file's data (the dict
curriculum_file.read_curriculum_file returns; for the database, read what curriculum_export
writes). No models, no ORM: `manage.py check_curriculum` and the tests call `curriculum_problems`.

What is checked, per path:
- every target can be reached by the path's own projects (some project builds it that far);
- every build claim at level 3 or above is shown by a checkpoint of the project that lists the
  competency under `evidences`;
- no project takes a competency to level 3 or above unless an earlier step builds it to the
  level below: a (transitive) prerequisite project, or a project of the path's recommended
  earlier path (transitively), since a learner is advised to follow that path first;
- every competency of the path has enough resources (MIN_RESOURCES, by path; the default is
  DEFAULT_MIN_RESOURCES) and every project at least PROJECT_MIN_RESOURCES;
- resources a person has not checked for STALE_DAYS days are reported (a warning, not an error).
"""

import datetime as dt
from dataclasses import dataclass

EVIDENCE_FROM_LEVEL = 3
STALE_DAYS = 90
MIN_RESOURCES = {"ai-developer": 3, "ai-engineer": 3}
DEFAULT_MIN_RESOURCES = 2
PROJECT_MIN_RESOURCES = 2


@dataclass(frozen=True, order=True)
class Problem:
    severity: str  # "error" or "warning"
    kind: str  # unreachable, unevidenced, jump, few-resources, stale
    subject: str  # "<path>/<competency>", "<project>/<competency>", a slug
    message: str

    def __str__(self):
        return f"{self.severity}: {self.kind} {self.subject}: {self.message}"


def _closure(start, edges: dict) -> set:
    """Everything reachable from `start` along `edges` ({node: [next, ...]}), without start."""
    seen: set = set()
    todo = list(edges.get(start, ()))
    while todo:
        node = todo.pop()
        if node in seen or node == start:
            continue
        seen.add(node)
        todo.extend(edges.get(node, ()))
    return seen


def reachable_targets(data: dict) -> dict[str, dict[str, int]]:
    """{path slug: {competency slug: highest level the path's own projects build it to}}."""
    built: dict[str, dict[str, int]] = {p["slug"]: {} for p in data["paths"]}
    for project in data["projects"]:
        levels = built.setdefault(project["path"], {})
        for slug, level in project.get("builds", {}).items():
            levels[slug] = max(levels.get(slug, 0), level)
    return built


def curriculum_problems(data: dict, *, today: dt.date, min_resources=None) -> list[Problem]:
    """Every problem of the curriculum, errors and warnings, sorted."""
    minimum = MIN_RESOURCES if min_resources is None else min_resources
    problems: list[Problem] = []
    add = problems.append

    built = reachable_targets(data)
    for path in data["paths"]:
        for member in path["competencies"]:
            reach = built.get(path["slug"], {}).get(member["slug"], 0)
            if reach < member["target"]:
                add(
                    Problem(
                        "error",
                        "unreachable",
                        f"{path['slug']}/{member['slug']}",
                        f"target {member['target']}, but the path's projects build it to "
                        f"{reach} at most",
                    )
                )

    projects = {p["slug"]: p for p in data["projects"]}
    prerequisites = {p["slug"]: list(p.get("prerequisites", [])) for p in data["projects"]}
    earlier = {
        p["slug"]: [p["recommended_earlier_path"]]
        for p in data["paths"]
        if p.get("recommended_earlier_path")
    }
    by_path: dict[str, list[str]] = {}
    for project in data["projects"]:
        by_path.setdefault(project["path"], []).append(project["slug"])

    for project in data["projects"]:
        slug = project["slug"]
        shown = {c for cp in project.get("checkpoints", []) for c in cp.get("evidences", [])}
        steps = _closure(slug, prerequisites)
        for path_slug in _closure(project["path"], earlier):
            steps.update(by_path.get(path_slug, ()))
        for competency, level in project.get("builds", {}).items():
            if level < EVIDENCE_FROM_LEVEL:
                continue
            if competency not in shown:
                add(
                    Problem(
                        "error",
                        "unevidenced",
                        f"{slug}/{competency}",
                        f"claims level {level} but no checkpoint lists it under evidences",
                    )
                )
            below = max(
                (projects[s].get("builds", {}).get(competency, 0) for s in steps), default=0
            )
            if below < level - 1:
                add(
                    Problem(
                        "error",
                        "jump",
                        f"{slug}/{competency}",
                        f"takes it to level {level}, but no earlier project builds it past "
                        f"{below}; add a prerequisite that builds level {level - 1} or lower "
                        "the claim",
                    )
                )

    needed: dict[str, int] = {}
    for path in data["paths"]:
        for member in path["competencies"]:
            need = minimum.get(path["slug"], DEFAULT_MIN_RESOURCES)
            needed[member["slug"]] = max(needed.get(member["slug"], 0), need)
    for competency in data["competencies"]:
        count = len(competency.get("resources", []))
        need = needed.get(competency["slug"], 0)
        if count < need:
            add(
                Problem(
                    "error",
                    "few-resources",
                    competency["slug"],
                    f"{count} resources; its paths ask for at least {need}",
                )
            )
    for project in data["projects"]:
        count = len(project.get("resources", []))
        if count < PROJECT_MIN_RESOURCES:
            add(
                Problem(
                    "error",
                    "few-resources",
                    project["slug"],
                    f"{count} resources; a project needs at least {PROJECT_MIN_RESOURCES}",
                )
            )

    cutoff = today - dt.timedelta(days=STALE_DAYS)
    owners = [*data["competencies"], *data["projects"]]
    for owner in owners:
        for resource in owner.get("resources", []):
            checked = resource.get("checked_on")
            if checked is None or checked < cutoff:
                when = (
                    f"last checked on {checked}, more than {STALE_DAYS} days ago"
                    if checked
                    else "never checked by a person"
                )
                add(Problem("warning", "stale", owner["slug"], f"{resource['url']}: {when}"))
    return sorted(problems)

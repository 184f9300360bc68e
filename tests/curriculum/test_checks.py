"""curriculum.checks (pure) and `manage.py check_curriculum`: each kind of problem, the exit
status, and a property: a target is reported unreachable exactly when a learner who finished
every project of the path would still be below it."""

import copy
import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from curriculum.checks import curriculum_problems
from curriculum.curriculum_file import DEFAULT_FILE, read_curriculum_file
from curriculum.services import curriculum_import
from tests.curriculum.helpers import MINI

TODAY = dt.date(2026, 12, 3)


def resource(n, checked_on=TODAY):
    return {
        "title": f"R{n}",
        "url": f"https://docs.example.org/{n}",
        "kind": "docs",
        "cost": "free",
        "minutes": 10,
        "levels": [0, 3],
        "checked_on": checked_on,
        "note": "Good.",
    }


def honest_mini() -> dict:
    """MINI with enough resources, evidence for every claim at 3, and lower steps."""
    data = copy.deepcopy(read_curriculum_file(MINI, "mini.yaml"))
    for i, competency in enumerate(data["competencies"]):
        competency["resources"] = [resource(10 * i + k) for k in range(3)]
    for i, project in enumerate(data["projects"]):
        project["resources"] = [resource(100 + 10 * i + k) for k in range(2)]
        claims = [slug for slug, level in project.get("builds", {}).items() if level >= 3]
        if claims:
            project["checkpoints"][0]["evidences"] = claims
    return data


def kinds(problems, severity="error"):
    return {(p.kind, p.subject) for p in problems if p.severity == severity}


def test_an_honest_curriculum_has_no_errors_but_mini_has_two_unlifted_claims():
    data = honest_mini()
    # MINI's eval dashboard takes evals from 0 to 3 with no prerequisite, and eng's python target
    # 4 is never built.
    assert kinds(curriculum_problems(data, today=TODAY, min_resources={"dev": 3})) == {
        ("jump", "eval-dashboard/evals"),
        ("unreachable", "eng/python"),
    }


def test_each_kind_of_problem_is_reported():
    data = honest_mini()
    rag = next(p for p in data["projects"] if p["slug"] == "rag")
    rag["checkpoints"][0].pop("evidences")
    data["competencies"][1]["resources"] = data["competencies"][1]["resources"][:1]
    data["projects"][0]["resources"] = []
    data["competencies"][0]["resources"][0]["checked_on"] = TODAY - dt.timedelta(days=91)
    data["competencies"][0]["resources"][1].pop("checked_on")

    problems = curriculum_problems(data, today=TODAY, min_resources={"dev": 3})

    assert kinds(problems) == {
        ("jump", "eval-dashboard/evals"),
        ("unreachable", "eng/python"),
        ("unevidenced", "rag/python"),
        ("few-resources", "prompting"),
        ("few-resources", "chatbot"),
    }
    assert kinds(problems, "warning") == {("stale", "python")}
    messages = [str(p) for p in problems if p.kind == "stale"]
    assert any("last checked on 2026-09-03, more than 90 days ago" in m for m in messages)
    assert any("never checked by a person" in m for m in messages)
    unreachable = next(p for p in problems if p.kind == "unreachable")
    assert str(unreachable) == (
        "error: unreachable eng/python: target 4, but the path's projects build it to 0 at most"
    )


def test_a_recommended_earlier_path_counts_as_a_lower_step():
    data = honest_mini()
    eng = next(p for p in data["paths"] if p["slug"] == "eng")
    dev = next(p for p in data["paths"] if p["slug"] == "dev")
    dev["competencies"].append({"slug": "evals", "target": 2, "weight": 3})
    data["projects"][0]["builds"]["evals"] = 2
    assert ("jump", "eval-dashboard/evals") in kinds(curriculum_problems(data, today=TODAY))
    eng["recommended_earlier_path"] = "dev"
    assert ("jump", "eval-dashboard/evals") not in kinds(curriculum_problems(data, today=TODAY))


# --- the property


@st.composite
def curricula(draw):
    competencies = [f"c{i}" for i in range(draw(st.integers(1, 5)))]
    paths, projects = [], []
    for p in range(draw(st.integers(1, 3))):
        members = draw(st.lists(st.sampled_from(competencies), min_size=1, unique=True))
        paths.append(
            {
                "slug": f"p{p}",
                "competencies": [
                    {"slug": c, "target": draw(st.integers(1, 4)), "weight": 3} for c in members
                ],
            }
        )
        for j in range(draw(st.integers(0, 4))):
            builds = draw(st.dictionaries(st.sampled_from(members), st.integers(1, 4)))
            projects.append({"slug": f"p{p}-x{j}", "path": f"p{p}", "builds": builds})
    order = draw(st.permutations(range(len(projects))))
    data = {
        "paths": paths,
        "projects": projects,
        "competencies": [{"slug": c} for c in competencies],
    }
    return data, order


def _finish_everything(data, path_slug, order):
    """A learner who completes every project of the path, in some order, from level 0."""
    levels: dict = {}
    for index in order:
        project = data["projects"][index]
        if project["path"] != path_slug:
            continue
        for slug, level in project["builds"].items():
            levels[slug] = max(levels.get(slug, 0), level)
    return levels


@settings(max_examples=200, deadline=None)
@given(curricula())
def test_unreachable_is_reported_exactly_where_finishing_every_project_falls_short(drawn):
    data, order = drawn
    expected = set()
    for path in data["paths"]:
        levels = _finish_everything(data, path["slug"], order)
        for member in path["competencies"]:
            if levels.get(member["slug"], 0) < member["target"]:
                expected.add(f"{path['slug']}/{member['slug']}")
    problems = curriculum_problems(data, today=TODAY)
    assert {p.subject for p in problems if p.kind == "unreachable"} == expected

    # Lowering each target to what the projects reach leaves nothing unreachable.
    for path in data["paths"]:
        levels = _finish_everything(data, path["slug"], order)
        for member in path["competencies"]:
            member["target"] = max(1, min(member["target"], levels.get(member["slug"], 0)))
    still = {p.subject for p in curriculum_problems(data, today=TODAY) if p.kind == "unreachable"}
    assert all(
        _finish_everything(data, s.split("/")[0], order).get(s.split("/")[1], 0) == 0 for s in still
    )


def test_every_target_of_the_default_file_is_reachable_and_every_claim_evidenced():
    data = read_curriculum_file(DEFAULT_FILE.read_text(), DEFAULT_FILE.name)
    problems = curriculum_problems(data, today=TODAY)
    assert [str(p) for p in problems if p.severity == "error"] == []


# --- the command


@pytest.mark.django_db
def test_command_on_the_default_curriculum_passes(capsys):
    curriculum_import(data_text=DEFAULT_FILE.read_text(), source_name=DEFAULT_FILE.name)
    call_command("check_curriculum", today=TODAY)
    assert "database: 0 errors, 0 warnings" in capsys.readouterr().out


@pytest.mark.django_db
def test_command_exits_non_zero_on_errors(tmp_path, capsys):
    target = tmp_path / "mini.yaml"
    target.write_text(MINI)
    with pytest.raises(CommandError, match=r"mini.yaml: \d+ errors, 0 warnings"):
        call_command("check_curriculum", file=str(target), today=TODAY)
    out = capsys.readouterr().out
    assert "error: unreachable eng/python: target 4" in out
    assert "error: few-resources python: 0 resources" in out


@pytest.mark.django_db
def test_command_reports_an_invalid_file(tmp_path):
    target = tmp_path / "bad.yaml"
    target.write_text("scale: 3\n")
    with pytest.raises(CommandError, match="bad.yaml is not a valid curriculum"):
        call_command("check_curriculum", file=str(target))

"""The planner's rules as properties over random curricula, plus worked examples."""

from datetime import date, timedelta
from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from roadmap.lib.gaps import Requirement
from roadmap.lib.planner import (
    CheckpointSpec,
    ProjectSpec,
    closes,
    hours_by_week,
    milestones,
    plan,
    recommend,
    schedule,
    target_warning,
    targets_met,
)

COMPETENCIES = list(range(1, 9))


@st.composite
def curricula(draw):
    requirements = [
        Requirement(cid, draw(st.integers(1, 4)), draw(st.integers(1, 10)))
        for cid in draw(
            st.lists(st.sampled_from(COMPETENCIES), min_size=1, max_size=8, unique=True)
        )
    ]
    count = draw(st.integers(0, 10))
    projects = []
    for index in range(count):
        pid = 100 + index
        # Prerequisites only among earlier projects: a DAG, as admin refuses cycles.
        earlier = [p.id for p in projects]
        prerequisites = (
            frozenset(draw(st.lists(st.sampled_from(earlier), max_size=3)))
            if earlier
            else frozenset()
        )
        builds = draw(
            st.dictionaries(st.sampled_from(COMPETENCIES + [99]), st.integers(1, 4), max_size=4)
        )
        projects.append(
            ProjectSpec(
                pid,
                f"P{pid}",
                draw(st.integers(1, 60)),
                prerequisites,
                builds,
                draw(st.integers(0, 3)),
            )
        )
    # Ids and positions must not follow list order for the determinism check to mean something.
    projects = draw(st.permutations(projects))
    levels = draw(st.dictionaries(st.sampled_from(COMPETENCIES), st.integers(0, 4)))
    return projects, requirements, levels


def _levels_after(planned, requirements, levels):
    simulated = dict(levels)
    targets = {r.competency_id: (r.target, r.weight) for r in requirements}
    history = []
    for item in planned:
        gain, raw = closes(item.project, targets, simulated)
        history.append(gain)
        for cid, _b, after in raw:
            simulated[cid] = after
    return simulated, history


@settings(deadline=None)  # timing varies on a loaded machine; speed is the benchmark's job
@given(curricula())
def test_prerequisites_always_come_before_dependants(curriculum):
    projects, requirements, levels = curriculum
    planned = plan(projects, requirements, levels)
    known = {p.id for p in projects}
    seen = set()
    for item in planned:
        assert {p for p in item.project.prerequisites if p in known} <= seen
        seen.add(item.project.id)


@settings(deadline=None)  # timing varies on a loaded machine; speed is the benchmark's job
@given(curricula())
def test_the_plan_is_deterministic_whatever_the_input_order(curriculum):
    projects, requirements, levels = curriculum
    first = [p.project.id for p in plan(projects, requirements, levels)]
    again = [
        p.project.id for p in plan(list(reversed(projects)), list(reversed(requirements)), levels)
    ]
    assert first == again


@settings(deadline=None)  # timing varies on a loaded machine; speed is the benchmark's job
@given(curricula())
def test_only_gap_closers_and_their_prerequisites_are_scheduled(curriculum):
    """The documented rule: a project closing no gap is there only as a (transitive)
    prerequisite of a later project in the same plan that closes a gap."""
    projects, requirements, levels = curriculum
    planned = plan(projects, requirements, levels)
    _, gains = _levels_after(planned, requirements, levels)
    by_id = {p.id: p for p in projects}

    def ancestors(pid, acc):
        for pre in by_id[pid].prerequisites:
            if pre in by_id and pre not in acc:
                acc.add(pre)
                ancestors(pre, acc)
        return acc

    for index, (item, gain) in enumerate(zip(planned, gains, strict=True)):
        assert gain == item.closes
        if gain > 0:
            continue
        later_closers = [
            p.project.id
            for p, g in zip(planned[index + 1 :], gains[index + 1 :], strict=True)
            if g > 0
        ]
        assert any(item.project.id in ancestors(pid, set()) for pid in later_closers)
        assert "needed before" in item.explanation


@settings(deadline=None)  # timing varies on a loaded machine; speed is the benchmark's job
@given(curricula())
def test_it_stops_once_targets_are_met(curriculum):
    projects, requirements, levels = curriculum
    planned = plan(projects, requirements, levels)
    simulated = dict(levels)
    targets = {r.competency_id: (r.target, r.weight) for r in requirements}
    for index, item in enumerate(planned):
        # Every step, chain members included, starts while some target is still open.
        assert not targets_met(requirements, simulated), f"step {index} after targets were met"
        _, raw = closes(item.project, targets, simulated)
        for cid, _b, after in raw:
            simulated[cid] = after


@settings(deadline=None)  # timing varies on a loaded machine; speed is the benchmark's job
@given(curricula())
def test_it_goes_on_while_some_project_could_still_close_a_gap(curriculum):
    projects, requirements, levels = curriculum
    planned = plan(projects, requirements, levels)
    simulated, _ = _levels_after(planned, requirements, levels)
    if targets_met(requirements, simulated):
        return
    planned_ids = {p.project.id for p in planned}
    leftovers = [p for p in projects if p.id not in planned_ids]
    # Whatever is left closes nothing (or is stuck behind a cycle, which the strategy never makes).
    assert recommend(leftovers, requirements, simulated) == []


@settings(deadline=None, max_examples=200)
@given(curricula(), st.integers(1, 80), st.dates(date(2025, 1, 1), date(2030, 12, 31)))
def test_no_week_holds_more_than_the_budget(curriculum, weekly_hours, start):
    projects, _, _ = curriculum
    scheduled = schedule(projects, weekly_hours, start)
    loads = hours_by_week(scheduled, weekly_hours, start)
    assert all(load <= weekly_hours for load in loads.values())
    assert sum(loads.values()) == sum(p.hours for p in projects)
    previous_end = start
    for item in scheduled:
        assert previous_end <= item.start <= item.end
        previous_end = item.end


def test_a_project_building_to_the_learners_level_closes_nothing():
    requirements = [Requirement(1, 4, 5)]
    project = ProjectSpec(1, "RAG app", 30, builds={1: 3})
    assert recommend([project], requirements, {1: 3}) == []
    assert plan([project], requirements, {1: 3}) == []


def test_recommendation_explains_itself():
    requirements = [Requirement(1, 3, 5), Requirement(2, 2, 3)]
    project = ProjectSpec(
        7, "Document question-answering app with retrieval", 30, builds={1: 3, 2: 4}
    )
    names = {1: "RAG application", 2: "LLM API integration"}
    [rec] = recommend([project], requirements, {1: 1}, names)
    assert (
        rec.explanation == "Takes RAG application from 1 to 3 and LLM API integration from 0 to 2"
    )
    assert rec.closes == 5 * 2 + 3 * 2


def test_ranking_is_by_gap_per_hour_then_position_then_id():
    requirements = [Requirement(1, 4, 1), Requirement(2, 4, 1)]
    slow = ProjectSpec(1, "slow", 40, builds={1: 4})
    quick = ProjectSpec(2, "quick", 2, builds={2: 1})
    tie_a = ProjectSpec(4, "tie a", 2, builds={2: 1}, position=0)
    order = [r.project.name for r in recommend([slow, tie_a, quick], requirements, {})]
    assert order == ["quick", "tie a", "slow"]


def test_a_prerequisite_closing_nothing_is_planned_before_what_it_unlocks():
    requirements = [Requirement(1, 3, 5)]
    setup = ProjectSpec(1, "Set up the toolchain", 4)
    rag = ProjectSpec(2, "RAG app", 20, prerequisites=frozenset({1}), builds={1: 3})
    planned = plan([rag, setup], requirements, {}, {1: "RAG"})
    assert [p.project.id for p in planned] == [1, 2]
    assert planned[0].explanation == "Closes no gap itself; needed before RAG app"
    assert planned[1].explanation == "Takes RAG from 0 to 3"


def test_an_explanation_lists_every_step_in_words():
    requirements = [Requirement(1, 3, 1), Requirement(2, 2, 1), Requirement(3, 4, 1)]
    project = ProjectSpec(1, "p", 10, builds={1: 3, 2: 2, 3: 1, 9: 4})
    names = {1: "Python", 2: "SQL", 3: "Docker", 9: "Off the path"}
    [rec] = recommend([project], requirements, {1: 1}, names)
    assert rec.explanation == "Takes Python from 1 to 3, SQL from 0 to 2 and Docker from 0 to 1"


def test_a_useless_project_is_never_planned():
    requirements = [Requirement(1, 3, 5)]
    useless = ProjectSpec(1, "Unrelated", 1, builds={9: 4})
    assert plan([useless], requirements, {}) == []


def test_done_projects_count_as_prerequisites_and_are_not_planned_again():
    requirements = [Requirement(1, 3, 5), Requirement(2, 3, 5)]
    first = ProjectSpec(1, "First", 10, builds={1: 3})
    second = ProjectSpec(2, "Second", 10, prerequisites=frozenset({1}), builds={2: 3})
    planned = plan([first, second], requirements, {1: 3}, done={1})
    assert [p.project.id for p in planned] == [2]


def test_small_projects_share_a_week_and_a_big_one_spans_weeks():
    monday = date(2026, 11, 23)
    small = [ProjectSpec(i, f"s{i}", 2) for i in (1, 2, 3)]
    big = ProjectSpec(4, "big", 30)
    scheduled = schedule([*small, big], 6, monday)
    assert all(s.end < monday + timedelta(days=7) for s in scheduled[:3])
    assert scheduled[3].start == monday + timedelta(days=7)
    assert scheduled[3].end == monday + timedelta(days=7 * 6 - 1)


def test_checkpoints_spread_over_the_project():
    monday = date(2026, 11, 23)
    [item] = schedule([ProjectSpec(1, "p", 12)], 6, monday)
    dated = milestones(item.start, item.end, [CheckpointSpec(1, "a"), CheckpointSpec(2, "b")])
    assert [(m.checkpoint.title, m.due) for m in dated] == [
        ("a", monday + timedelta(days=6)),
        ("b", monday + timedelta(days=13)),
    ]


@given(
    st.dates(date(2025, 1, 1), date(2030, 12, 31)),
    st.integers(0, 400),
    st.integers(0, 12),
)
def test_milestones_fall_in_order_within_the_span_and_the_last_on_its_end(start, length, count):
    end = start + timedelta(days=length)
    checkpoints = [CheckpointSpec(i, f"c{i}") for i in range(count)]
    dated = milestones(start, end, checkpoints)
    assert [m.checkpoint for m in dated] == checkpoints
    dues = [m.due for m in dated]
    assert dues == sorted(dues)
    assert all(start <= due <= end for due in dues)
    if dated:
        assert dues[-1] == end
        # Even steps: no two neighbours further apart than a share of the span, rounded up.
        steps = [(b - a).days for a, b in pairwise([start - timedelta(days=1), *dues])]
        assert max(steps) <= -(-(length + 1) // count)


def test_target_date_warning_says_how_late_and_how_to_fix_it():
    text = target_warning(
        end=date(2027, 5, 12),
        target=date(2027, 4, 21),
        start=date(2027, 1, 4),
        total_hours=120,
        weekly_hours=6,
    )
    assert text == (
        "The plan ends on 12 May 2027, 3 weeks after your target date; add 2 h a week to make it."
    )
    assert (
        target_warning(
            end=date(2027, 4, 1),
            target=date(2027, 4, 21),
            start=date(2027, 1, 4),
            total_hours=10,
            weekly_hours=6,
        )
        == ""
    )

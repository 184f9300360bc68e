"""plan() keeps state between steps for speed; this checks it against the straightforward
version it replaced (every project and every target re-checked at each step), on random
curricula larger and more tie-prone than test_planner's."""

from hypothesis import given, settings
from hypothesis import strategies as st

from roadmap.lib.gaps import Requirement
from roadmap.lib.planner import (
    PlannedProject,
    ProjectSpec,
    _ancestors,
    _chain_value,
    _steps,
    _targets,
    closes,
    plan,
    targets_met,
)
from tests.roadmap.test_planner import curricula


def reference_plan(projects, requirements, levels, names=None, done=()):
    """The planner's greedy loop as it was before the incremental version (same rules)."""
    names = names or {}
    targets = _targets(requirements)
    by_id = {p.id: p for p in projects}
    satisfied = set(done)
    remaining = {p.id for p in projects if p.id not in satisfied}
    simulated = dict(levels)
    ancestors = _ancestors(by_id)
    order_key = {p.id: (p.position, p.id) for p in projects}
    result = []

    def place(pid, needed_before=""):
        total, raw = closes(by_id[pid], targets, simulated)
        result.append(PlannedProject(by_id[pid], total, _steps(raw, names), needed_before))
        for cid, _before, after in raw:
            simulated[cid] = after
        remaining.discard(pid)
        satisfied.add(pid)

    while remaining and not targets_met(requirements, simulated):
        gain = {pid: closes(by_id[pid], targets, simulated)[0] for pid in remaining}
        best_single, best_rate, chains = None, 0.0, []
        for pid in remaining:
            g = gain[pid]
            if g <= 0:
                continue
            missing = [a for a in ancestors[pid] if a not in satisfied]
            if not missing:
                rate = g / by_id[pid].hours
                if best_single is None or (-rate, order_key[pid]) < (
                    -best_rate,
                    order_key[best_single],
                ):
                    best_single, best_rate = pid, rate
            elif pid not in ancestors[pid]:
                hours = by_id[pid].hours + sum(by_id[a].hours for a in missing)
                bound = (g + sum(max(gain.get(a, 0), 0) for a in missing)) / hours
                chains.append((bound, pid, missing, hours))
        best_chain = None
        chains = [c for c in chains if c[0] >= best_rate]
        chains.sort(key=lambda c: (-c[0], order_key[c[1]]))
        for bound, pid, missing, hours in chains:
            if bound < best_rate or (best_chain and bound < best_chain[0]):
                break
            exact, ordered = _chain_value(
                pid, missing, by_id, targets, simulated, satisfied, order_key
            )
            if exact is None:
                continue
            rate = exact / hours
            if (best_single is None or rate > best_rate) and (
                best_chain is None or rate > best_chain[0]
            ):
                best_chain = (rate, pid, ordered)
        if best_chain is not None:
            _rate, pid, ordered = best_chain
            for member in ordered:
                place(member, needed_before=by_id[pid].name)
            place(pid)
        elif best_single is not None:
            place(best_single)
        else:
            break
    return result


@st.composite
def big_curricula(draw):
    """Up to 40 projects over 12 competencies, deep prerequisite chains, few distinct hours and
    positions (so equal rates and ties are common), some projects already done."""
    competencies = list(range(1, 13))
    requirements = [
        Requirement(cid, draw(st.integers(1, 4)), draw(st.integers(1, 3)))
        for cid in draw(st.lists(st.sampled_from(competencies), min_size=1, unique=True))
    ]
    projects = []
    for index in range(draw(st.integers(0, 40))):
        earlier = [p.id for p in projects]
        prerequisites = (
            frozenset(draw(st.lists(st.sampled_from(earlier), max_size=3))) if earlier else None
        )
        projects.append(
            ProjectSpec(
                500 - index,
                f"P{index}",
                draw(st.sampled_from([2, 4, 6, 8])),
                prerequisites or frozenset(),
                draw(
                    st.dictionaries(
                        st.sampled_from([*competencies, 99]), st.integers(1, 4), max_size=4
                    )
                ),
                draw(st.integers(0, 2)),
            )
        )
    projects = draw(st.permutations(projects))
    levels = draw(st.dictionaries(st.sampled_from(competencies), st.integers(0, 4)))
    done = draw(st.sets(st.sampled_from([p.id for p in projects]))) if projects else set()
    return projects, requirements, levels, done


def _summary(planned):
    return [(p.project.id, p.closes, p.explanation) for p in planned]


@settings(deadline=None, max_examples=300)  # timing varies on a loaded machine
@given(big_curricula())
def test_plan_matches_the_reference_on_large_curricula(curriculum):
    projects, requirements, levels, done = curriculum
    names = {cid: f"c{cid}" for cid in range(1, 13)}
    assert _summary(plan(projects, requirements, levels, names, done)) == _summary(
        reference_plan(projects, requirements, levels, names, done)
    )


@settings(deadline=None, max_examples=300)  # timing varies on a loaded machine
@given(curricula())
def test_plan_matches_the_reference(curriculum):
    projects, requirements, levels = curriculum
    assert _summary(plan(projects, requirements, levels)) == _summary(
        reference_plan(projects, requirements, levels)
    )

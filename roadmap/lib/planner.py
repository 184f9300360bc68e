"""The roadmap planner, as pure functions over plain data (no database).

Three steps:

1. **Recommend**: a project is worth the weighted gap it closes per estimated hour. For each
   competency it builds, it closes `weight * (min(build_level, target) - current)` when that is
   positive; competencies outside the path's requirements close nothing.
2. **Plan**: a greedy, deterministic ordering. At each step the eligible project (its
   prerequisites planned earlier or already done) with the best gap per hour goes next, and the
   simulated levels rise to what it builds. Ties go to the lower position, then the lower id.
   The plan stops when every target is met or no project closes a gap any more.

   *The prerequisite rule*: a project that closes no gap itself is scheduled only as a
   (transitive) prerequisite of a project placed later in the same plan that does close a gap.
   Such a chain (missing prerequisites in dependency order, then the dependant) competes with
   single projects on its total gap per total hour, and is placed as one block, so the unlocked
   dependant always follows. Its members explain themselves with "needed before <dependant>".
   Prerequisites that are not among the projects given (inactive, another path) are ignored.
3. **Schedule**: hours are consumed as a steady stream of `weekly_hours / 7` per day from the
   start date, so no calendar week (Monday to Sunday) ever holds more than the weekly budget,
   several small projects share a week and a big one spans weeks. Checkpoints become
   milestones spread evenly over the days of their project's span (`milestones`): they are
   computed from an item's dates whenever they are shown, not stored.
"""

import heapq
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from fractions import Fraction

from roadmap.lib.gaps import Requirement


@dataclass(frozen=True)
class CheckpointSpec:
    id: int
    title: str


@dataclass(frozen=True, eq=False)
class ProjectSpec:
    id: int
    name: str
    hours: int
    prerequisites: frozenset[int] = frozenset()
    builds: Mapping[int, int] = field(default_factory=dict)  # competency_id -> level
    position: int = 0


@dataclass(frozen=True)
class Step:
    """One competency a project raises for this learner: from -> to (capped at the target)."""

    competency_id: int
    name: str
    before: int
    after: int

    def __str__(self):
        return f"{self.name} from {self.before} to {self.after}"


@dataclass(frozen=True)
class Recommendation:
    project: ProjectSpec
    closes: int  # weighted gap closed
    steps: tuple[Step, ...]

    @property
    def per_hour(self) -> float:
        return self.closes / self.project.hours

    @property
    def explanation(self) -> str:
        return explain(self.project, self.steps)


@dataclass(frozen=True)
class PlannedProject:
    project: ProjectSpec
    closes: int
    steps: tuple[Step, ...]
    needed_before: str = ""  # name of the dependant this one unlocks, if part of a chain

    @property
    def explanation(self) -> str:
        text = explain(self.project, self.steps)
        if self.needed_before:
            text += f"; needed before {self.needed_before}"
        return text


@dataclass(frozen=True)
class Milestone:
    checkpoint: CheckpointSpec
    due: date


@dataclass(frozen=True)
class ScheduledProject:
    project: ProjectSpec
    start: date
    end: date
    # Position on the hour stream, in units of 1/7 h (see schedule()); tests use it for loads.
    first_unit: int = 0
    units: int = 0


def explain(project: ProjectSpec, steps: Sequence[Step]) -> str:
    """What the project does for this learner, e.g. "Takes RAG application building from 1 to 3
    and LLM API integration from 0 to 2". Pages show it next to the project's name and hours,
    so it names neither."""
    if not steps:
        return "Closes no gap itself"
    parts = [str(step) for step in steps]
    moves = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
    return f"Takes {moves}"


def _targets(requirements: Iterable[Requirement]) -> dict[int, tuple[int, int]]:
    return {r.competency_id: (r.target, r.weight) for r in requirements}


def closes(project: ProjectSpec, targets: Mapping[int, tuple[int, int]], levels: Mapping[int, int]):
    """(weighted gap closed, steps) of one project for a learner at `levels`."""
    total = 0
    steps = []
    for competency_id, build in sorted(project.builds.items()):
        requirement = targets.get(competency_id)
        if requirement is None:
            continue
        target, weight = requirement
        before = levels.get(competency_id, 0)
        after = min(build, target)
        if after > before:
            total += weight * (after - before)
            steps.append((competency_id, before, after))
    return total, steps


def _steps(raw, names: Mapping[int, str]) -> tuple[Step, ...]:
    return tuple(Step(cid, names.get(cid, f"#{cid}"), b, a) for cid, b, a in raw)


def recommend(
    projects: Iterable[ProjectSpec],
    requirements: Iterable[Requirement],
    levels: Mapping[int, int],
    names: Mapping[int, str] | None = None,
    done: Iterable[int] = (),
) -> list[Recommendation]:
    """Projects that close a gap, best gap per hour first (ties: position, then id)."""
    names = names or {}
    targets = _targets(requirements)
    skip = set(done)
    result = []
    for project in projects:
        if project.id in skip:
            continue
        total, raw = closes(project, targets, levels)
        if total > 0:
            result.append(Recommendation(project, total, _steps(raw, names)))
    result.sort(
        key=lambda r: (-Fraction(r.closes, r.project.hours), r.project.position, r.project.id)
    )
    return result


def targets_met(requirements: Iterable[Requirement], levels: Mapping[int, int]) -> bool:
    return all(levels.get(r.competency_id, 0) >= r.target for r in requirements)


def plan(
    projects: Sequence[ProjectSpec],
    requirements: Sequence[Requirement],
    levels: Mapping[int, int],
    names: Mapping[int, str] | None = None,
    done: Iterable[int] = (),
) -> list[PlannedProject]:
    """The greedy ordered roadmap (see the module docstring for the rules).

    Each step used to re-check every target and every project; the state below is updated as
    projects are placed instead (levels only rise, so gains only fall: a project that closes
    nothing never closes anything again, and a met target stays met)."""
    names = names or {}
    targets = _targets(requirements)
    by_id = {p.id: p for p in projects}
    satisfied = set(done)
    remaining = {p.id for p in projects if p.id not in satisfied}
    simulated = dict(levels)
    ancestors = _ancestors(by_id)
    # (competency, level reached, weight) of what each project builds towards a target.
    reach = {
        p.id: tuple(
            (cid, min(build, targets[cid][0]), targets[cid][1])
            for cid, build in sorted(p.builds.items())
            if cid in targets
        )
        for p in projects
    }

    def gain_of(pid: int) -> int:
        total = 0
        for cid, after, weight in reach[pid]:
            before = simulated.get(cid, 0)
            if after > before:
                total += weight * (after - before)
        return total

    # Projects building each competency: after a step only these need re-scoring.
    builders: dict[int, list[int]] = {}
    for p in projects:
        for cid, _after, _weight in reach[p.id]:
            builders.setdefault(cid, []).append(p.id)
    # Remaining projects unlocked by each project, and how many prerequisites each still lacks.
    dependants: dict[int, list[int]] = {}
    lacking: dict[int, int] = {}
    for pid in remaining:
        lacking[pid] = 0
        for a in ancestors[pid]:
            if a not in satisfied:
                lacking[pid] += 1
                dependants.setdefault(a, []).append(pid)
    gain = {pid: gain_of(pid) for pid in remaining}
    order_key = {p.id: (p.position, p.id) for p in projects}
    hours = {p.id: p.hours for p in projects}
    # Candidates: remaining projects that still close a gap; `blocked` lack a prerequisite.
    live = {pid for pid in remaining if gain[pid] > 0}
    blocked = {pid for pid in live if lacking[pid]}
    # Eligible candidates by (-gain per hour, position, id), with the gain each entry was
    # ranked at: an entry whose gain has changed since is stale and skipped.
    # Rates as floats: gains and hours are small integers, so distinct ratios never round to
    # the same float and equal ones always do (Fraction was the benchmark's hot spot).
    singles: list[tuple[tuple[float, tuple[int, int]], int, int]] = []

    def rank(pid: int) -> None:
        heapq.heappush(singles, ((-(gain[pid] / hours[pid]), order_key[pid]), pid, gain[pid]))

    for pid in live - blocked:
        rank(pid)
    # Targets not met yet, counted per requirement as targets_met() checks them.
    thresholds: dict[int, list[int]] = {}
    unmet = 0
    for r in requirements:
        thresholds.setdefault(r.competency_id, []).append(r.target)
        if simulated.get(r.competency_id, 0) < r.target:
            unmet += 1
    # (bound, missing, hours) of each blocked candidate's chain, dropped when its inputs change.
    chain_cache: dict[int, tuple[float, list[int], int]] = {}
    result: list[PlannedProject] = []

    def place(pid: int, needed_before: str = "") -> None:
        nonlocal unmet
        total, raw = closes(by_id[pid], targets, simulated)
        result.append(PlannedProject(by_id[pid], total, _steps(raw, names), needed_before))
        for cid, before, after in raw:
            simulated[cid] = after
            for target in thresholds.get(cid, ()):
                if before < target <= after:
                    unmet -= 1
        remaining.discard(pid)
        live.discard(pid)
        blocked.discard(pid)
        satisfied.add(pid)
        gain.pop(pid, None)
        for other in dependants.get(pid, ()):
            lacking[other] -= 1
            chain_cache.pop(other, None)
            if not lacking[other] and other in blocked:
                blocked.discard(other)
                rank(other)
        for cid, _before, _after in raw:
            for other in builders.get(cid, ()):
                if other not in live:
                    continue
                g = gain_of(other)
                if g == gain[other]:
                    continue
                gain[other] = g
                chain_cache.pop(other, None)
                for dependant in dependants.get(other, ()):
                    chain_cache.pop(dependant, None)
                if g <= 0:
                    live.discard(other)
                    blocked.discard(other)
                elif other not in blocked:
                    rank(other)

    while remaining and unmet:
        while singles and (singles[0][1] not in live or singles[0][2] != gain[singles[0][1]]):
            heapq.heappop(singles)
        best_single = singles[0][1] if singles else None
        best_rate = -singles[0][0][0] if singles else 0.0
        chains = []
        for pid in blocked:
            if pid in ancestors[pid]:  # a cycle never becomes eligible
                continue
            cached = chain_cache.get(pid)
            if cached is None:
                missing = [a for a in ancestors[pid] if a not in satisfied]
                # Upper bound of the chain's rate: gains overlap, so the exact one is no larger.
                chain_hours = hours[pid] + sum(hours[a] for a in missing)
                bound = (gain[pid] + sum(max(gain.get(a, 0), 0) for a in missing)) / chain_hours
                cached = chain_cache[pid] = (bound, missing, chain_hours)
            if cached[0] >= best_rate:
                chains.append((cached[0], pid, cached[1], cached[2]))
        best_chain = None
        chains.sort(key=lambda c: (-c[0], order_key[c[1]]))
        for bound, pid, missing, chain_hours in chains:
            if bound < best_rate or (best_chain and bound < best_chain[0]):
                break
            exact, ordered = _chain_value(
                pid, missing, by_id, targets, simulated, satisfied, order_key
            )
            if exact is None:
                continue
            rate = exact / chain_hours
            better_than_single = best_single is None or rate > best_rate
            if better_than_single and (best_chain is None or rate > best_chain[0]):
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


def _ancestors(by_id: Mapping[int, ProjectSpec]) -> dict[int, frozenset[int]]:
    """Transitive prerequisites of each project, limited to the projects given."""
    memo: dict[int, frozenset[int]] = {}

    def visit(pid: int, stack: frozenset[int]) -> frozenset[int]:
        if pid in memo:
            return memo[pid]
        found: set[int] = set()
        for pre in by_id[pid].prerequisites:
            if pre not in by_id:
                continue
            found.add(pre)
            if pre in stack:  # a cycle: keep the edge so the project is never eligible
                continue
            found |= visit(pre, stack | {pid})
        memo[pid] = frozenset(found)
        return memo[pid]

    for pid in by_id:
        visit(pid, frozenset())
    return memo


def _chain_value(pid, missing, by_id, targets, levels, satisfied, order_key):
    """Exact gap a chain closes (prerequisites in dependency order, then `pid`), or None when
    the chain cannot be ordered (a cycle) or `pid` would close nothing after its prerequisites."""
    levels = dict(levels)
    done = set(satisfied)
    todo = set(missing)
    ordered = []
    total = 0
    while todo:
        ready = [
            a for a in todo if all(p in done or p not in by_id for p in by_id[a].prerequisites)
        ]
        if not ready:
            return None, []
        nxt = min(ready, key=order_key.__getitem__)
        g, raw = closes(by_id[nxt], targets, levels)
        total += g
        for cid, _b, after in raw:
            levels[cid] = after
        ordered.append(nxt)
        done.add(nxt)
        todo.discard(nxt)
    g, _raw = closes(by_id[pid], targets, levels)
    if g <= 0:
        return None, []
    return total + g, ordered


# --- scheduling -----------------------------------------------------------------------------------


def schedule(
    projects: Sequence[ProjectSpec], weekly_hours: int, start: date
) -> list[ScheduledProject]:
    """Dates for projects done one after another at `weekly_hours` a week from `start`.

    Time is measured in units of 1/7 hour, so a day holds exactly `weekly_hours` units and any
    seven consecutive days (a Monday-to-Sunday week included) hold the weekly budget."""
    if weekly_hours < 1:
        raise ValueError("weekly_hours must be at least 1")
    per_day = weekly_hours
    cursor = 0
    result = []
    for project in projects:
        units = max(1, project.hours) * 7
        first, last = cursor, cursor + units - 1
        result.append(
            ScheduledProject(
                project,
                start + timedelta(days=first // per_day),
                start + timedelta(days=last // per_day),
                first,
                units,
            )
        )
        cursor += units
    return result


def milestones(start: date, end: date, checkpoints: Sequence[CheckpointSpec]) -> list[Milestone]:
    """The checkpoints of an item dated `start` to `end`, due at even steps over its days, in
    order; the last one is due on `end`."""
    days = (end - start).days + 1
    n = len(checkpoints)
    return [
        Milestone(cp, start + timedelta(days=-(-days * (i + 1) // n) - 1))
        for i, cp in enumerate(checkpoints)
    ]


def hours_by_week(scheduled: Iterable[ScheduledProject], weekly_hours: int, start: date):
    """{monday: hours} of the schedule per calendar week (for checks and display)."""
    loads: dict[date, Fraction] = {}
    for item in scheduled:
        unit = item.first_unit
        end = item.first_unit + item.units
        while unit < end:
            day = unit // weekly_hours
            day_end = (day + 1) * weekly_hours
            take = min(end, day_end) - unit
            when = start + timedelta(days=day)
            monday = when - timedelta(days=when.weekday())
            loads[monday] = loads.get(monday, Fraction(0)) + Fraction(take, 7)
            unit += take
    return loads


def target_warning(
    *, end: date | None, target: date | None, start: date, total_hours: int, weekly_hours: int
) -> str:
    """Words for a plan that ends after the learner's target date; "" when it fits."""
    if end is None or target is None or end <= target:
        return ""
    late_weeks = math.ceil((end - target).days / 7)
    weeks_text = f"{late_weeks} week{'s' if late_weeks != 1 else ''}"
    head = f"The plan ends on {_day(end)}, {weeks_text} after your target date"
    days = (target - start).days + 1
    if days <= 0:
        return f"{head}, which has already passed; pick a later target date."
    # A day holds weekly/7 hours, so the target needs total*7/days hours a week.
    needed = math.ceil(total_hours * 7 / days)
    if needed > 80:
        return f"{head}; even 80 h a week would not make it: pick a later date or fewer projects."
    if needed <= weekly_hours:  # the dates were set from another day: re-dating is enough
        return f"{head}; reflow the plan from today to make it."
    return f"{head}; add {needed - weekly_hours} h a week to make it."


def _day(d: date) -> str:
    """The site's one date format, "3 Dec 2026" (roadmap/formats/en_GB/formats.py), in English
    as everywhere (USE_I18N is off)."""
    return f"{d.day} {d:%b} {d.year}"

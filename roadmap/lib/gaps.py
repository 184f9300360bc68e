"""The gap math, as pure functions over plain data (no database).

A learner's level on a competency is 0-4; a path asks for a target level (1-4) with a weight.
The gap on one competency is how far the learner is below the target (never negative), the
weighted gap that times the weight, and readiness the weighted share of the targets met."""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Requirement:
    competency_id: int
    target: int
    weight: int


@dataclass(frozen=True)
class Gap:
    competency_id: int
    target: int
    current: int
    weight: int

    @property
    def size(self) -> int:
        return max(0, self.target - self.current)

    @property
    def weighted(self) -> int:
        return self.size * self.weight

    @property
    def is_met(self) -> bool:
        return self.size == 0


def readiness(requirements: Iterable[Requirement], levels: Mapping[int, int]) -> float:
    """Percent (0-100) of the path's weighted target levels the learner has reached.

    Levels above a target count only up to the target, so being expert in one skill does not
    hide a gap in another. A path with no requirements is fully met."""
    needed = 0
    reached = 0
    for requirement in requirements:
        needed += requirement.weight * requirement.target
        current = levels.get(requirement.competency_id, 0)
        reached += requirement.weight * min(current, requirement.target)
    if needed == 0:
        return 100.0
    return 100.0 * reached / needed


def readiness_display(percent: float) -> int:
    """Whole percent for people: rounded down, so 100 is shown only when every target is met."""
    return math.floor(percent + 1e-9)


def gap_list(requirements: Iterable[Requirement], levels: Mapping[int, int]) -> list[Gap]:
    """Every requirement with the learner's level, the largest weighted gap first."""
    gaps = [
        Gap(r.competency_id, r.target, levels.get(r.competency_id, 0), r.weight)
        for r in requirements
    ]
    gaps.sort(key=lambda g: (-g.weighted, -g.size, g.competency_id))
    return gaps


def next_level(gap: Gap) -> int | None:
    """The level to work towards next on this competency, or None when its target is met."""
    if gap.is_met:
        return None
    return min(gap.current + 1, gap.target)


def readiness_by_path[K](
    requirements_by_path: Mapping[K, Iterable[Requirement]], levels: Mapping[int, int]
) -> dict[K, float]:
    """Readiness for each path, keyed as given (in the same order)."""
    return {key: readiness(reqs, levels) for key, reqs in requirements_by_path.items()}


def best_fit[K](readiness_of: Mapping[K, float], *, prefer: K | None = None) -> K | None:
    """The path the learner is readiest for now. Ties (compared in whole displayed percent, so
    the page never names a winner that looks equal) go to `prefer`, then to the first given."""
    if not readiness_of:
        return None
    order = list(readiness_of)
    return min(
        order,
        key=lambda k: (-readiness_display(readiness_of[k]), k != prefer, order.index(k)),
    )


@dataclass(frozen=True)
class Addition:
    """A competency another path asks for beyond what yours does."""

    competency_id: int
    target: int
    weight: int
    your_target: int  # 0 when your path does not ask for it at all

    @property
    def is_new(self) -> bool:
        return self.your_target == 0


def path_additions(mine: Iterable[Requirement], other: Iterable[Requirement]) -> list[Addition]:
    """What `other` would add to `mine`: competencies mine lacks or needs at a lower target.

    The biggest weighted step up first."""
    my_targets = {r.competency_id: r.target for r in mine}
    additions = [
        Addition(r.competency_id, r.target, r.weight, my_targets.get(r.competency_id, 0))
        for r in other
        if r.target > my_targets.get(r.competency_id, 0)
    ]
    additions.sort(key=lambda a: (-(a.target - a.your_target) * a.weight, a.competency_id))
    return additions


@dataclass(frozen=True)
class PathComparison[K]:
    key: K
    readiness: float
    is_mine: bool
    fits_now: bool
    additions: list[Addition]  # empty for your own path

    @property
    def display(self) -> int:
        return readiness_display(self.readiness)


def side_by_side[K](
    requirements_by_path: Mapping[K, Iterable[Requirement]],
    levels: Mapping[int, int],
    *,
    mine: K | None,
) -> list[PathComparison[K]]:
    """Every path with the learner's readiness for it, which one fits now (highest readiness,
    ties to their own path), and what each other path would add to theirs. Order as given."""
    requirements = {key: list(reqs) for key, reqs in requirements_by_path.items()}
    readiness_of = readiness_by_path(requirements, levels)
    fit = best_fit(readiness_of, prefer=mine)
    my_requirements = requirements.get(mine, [])
    return [
        PathComparison(
            key=key,
            readiness=readiness_of[key],
            is_mine=key == mine,
            fits_now=key == fit,
            additions=[] if key == mine else path_additions(my_requirements, reqs),
        )
        for key, reqs in requirements.items()
    ]


def weight_words(weight: int) -> str:
    """How much a competency counts for its path, in words (weights run 1-10)."""
    if weight >= 8:
        return "counts a lot"
    if weight >= 4:
        return "counts"
    return "counts a little"


def steps_words(size: int) -> str:
    """How far a competency is from its target, in words."""
    return "one level to go" if size == 1 else f"{size} levels to go"


def distance_class(current: int | None, target: int) -> str:
    """Where a competency stands against its target, as the skill map and heatmaps colour it:
    "met", "near" (one level below), "far" (two or more below) or "unrated"."""
    if current is None:
        return "unrated"
    if current >= target:
        return "met"
    return "near" if target - current == 1 else "far"

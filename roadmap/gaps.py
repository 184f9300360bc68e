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

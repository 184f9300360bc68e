"""Times the planner on a synthetic curriculum: 300 competencies x 150 projects.

Run: .venv/bin/python scripts/bench_planner.py"""

import random
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from roadmap.gaps import Requirement  # noqa: E402
from roadmap.planner import CheckpointSpec, ProjectSpec, plan, recommend, schedule  # noqa: E402


def curriculum(seed=1, competencies=300, projects=150):
    rng = random.Random(seed)
    requirements = [
        Requirement(c, rng.randint(1, 4), rng.randint(1, 10)) for c in range(competencies)
    ]
    specs = []
    for i in range(projects):
        pre = frozenset(rng.sample(range(i), k=min(i, rng.randint(0, 3))))
        builds = {
            c: rng.randint(1, 4) for c in rng.sample(range(competencies), k=rng.randint(2, 8))
        }
        cps = tuple(CheckpointSpec(i * 10 + k, f"cp {k}") for k in range(rng.randint(1, 4)))
        specs.append(
            ProjectSpec(
                1000 + i,
                f"Project {i}",
                rng.randint(4, 60),
                frozenset(1000 + p for p in pre),
                builds,
                cps,
                i,
            )
        )
    levels = {c: rng.randint(0, 2) for c in range(competencies)}
    return specs, requirements, levels


def main():
    specs, requirements, levels = curriculum()
    runs = []
    for _ in range(5):
        t0 = time.perf_counter()
        recommend(specs, requirements, levels)
        planned = plan(specs, requirements, levels)
        schedule([p.project for p in planned], 6, date(2026, 11, 23))
        runs.append(time.perf_counter() - t0)
    print(
        f"300 competencies x 150 projects: {len(planned)} planned; "
        f"best {min(runs) * 1000:.0f} ms, worst {max(runs) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()

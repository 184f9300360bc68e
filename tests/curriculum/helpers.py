"""A small but complete curriculum file for import tests, and a way to compare database states."""

from curriculum.models import (
    CareerGoal,
    Competency,
    LevelDescriptor,
    Path,
    PathCompetency,
    PathTrait,
    Project,
    ProjectCheckpoint,
    ProjectCompetency,
    ScaleLevel,
)

MINI = """\
# A tiny curriculum: two paths, three competencies, three projects.
scale:
  - {level: 0, name: None, descriptor: Nothing yet.}
  - {level: 1, name: Aware, descriptor: Has read about it.}
  - {level: 2, name: Working, descriptor: Has used it once.}
  - {level: 3, name: Proficient, descriptor: Uses it alone.}
  - {level: 4, name: Expert, descriptor: Teaches it.}
paths:
  - slug: dev
    name: Developer
    position: 0
    summary: Builds features.
    best_fit_when: You like building.
    traits:
      - aspect: Main focus
        value: Features.
    competencies:
      - {slug: python, target: 3, weight: 8}
      - {slug: prompting, target: 2, weight: 5}
  - slug: eng
    name: Engineer
    position: 1
    summary: Runs systems.
    best_fit_when: You like reliability.
    traits:
      - aspect: Main focus
        value: Systems.
    competencies:
      - {slug: python, target: 4, weight: 8}
      - {slug: evals, target: 3, weight: 9}
competencies:
  - slug: python
    name: Python
    kind: tool
    category: Foundations
    summary: The language.
    levels:
      0: Never used it.
      1: Has read a script.
      2: Has written a project.
      3: Ships tested packages.
      4: Sets the team's standards.
  - slug: prompting
    name: Prompt design
    kind: skill
    category: LLM
    summary: Writing prompts.
    levels:
      0: Never wrote one.
      1: Has edited one.
      2: Has written structured prompts.
      3: Tests prompts.
      4: Designs the prompt layer.
  - slug: evals
    name: Evaluation
    kind: skill
    category: Quality
    summary: Measuring quality.
    levels:
      0: Tries by hand.
      1: Has run an eval.
      2: Has a test set.
      3: Gates releases on evals.
      4: Designs eval strategy.
projects:
  - slug: chatbot
    name: Chatbot
    path: dev
    summary: A bot.
    difficulty: beginner
    estimated_hours: 10
    prerequisites: []
    checkpoints:
      - title: Prompt set
        description: Prompts that work.
      - title: Demo
        description: A demo page.
    builds:
      python: 2
      prompting: 2
  - slug: rag
    name: RAG app
    path: dev
    summary: Answers from documents.
    difficulty: intermediate
    estimated_hours: 20
    prerequisites: [chatbot]
    checkpoints:
      - title: Ingestion
        description: Documents indexed.
    builds:
      python: 3
  - slug: eval-dashboard
    name: Eval dashboard
    path: eng
    summary: Scores every change.
    difficulty: advanced
    estimated_hours: 30
    prerequisites: []
    checkpoints:
      - title: Test suite
        description: Versioned cases.
    builds:
      evals: 3
career_goals:
  - slug: first-portfolio
    label: I want a first portfolio
    recommended_path: dev
    reason: Start by building.
  - slug: reliable-systems
    label: I want to own reliable systems
    recommended_path: eng
    reason: Go deep on evaluation.
"""

MODELS = [
    ScaleLevel,
    Path,
    PathTrait,
    Competency,
    LevelDescriptor,
    PathCompetency,
    Project,
    ProjectCheckpoint,
    ProjectCompetency,
    CareerGoal,
]


def db_snapshot() -> dict:
    """Every curriculum row (and the prerequisite links) as plain values."""
    state = {model.__name__: list(model.objects.order_by("pk").values()) for model in MODELS}
    state["prerequisites"] = list(
        Project.prerequisites.through.objects.order_by("pk").values_list(
            "from_project_id", "to_project_id"
        )
    )
    return state


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line number of the n-th line containing needle."""
    found = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            found += 1
            if found == occurrence:
                return number
    raise AssertionError(f"{needle!r} not in text")


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)

"""The "which path fits me?" questionnaire, as a pure scoring function (no database).

The first question is the career-mapping goal of the primary source (CareerGoal rows, each with a
recommended path and the reason); the others are fixed here. Each answer adds points to path
slugs; the highest score wins. Ties go to the goal's path, then to AI Developer, because the
source's advice is that most beginners start there, then to the order of the paths offered."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

DEFAULT_PATH = "ai-developer"
GOAL_POINTS = 3


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    points: Mapping[str, int] = field(default_factory=dict)
    why: str = ""


@dataclass(frozen=True)
class Question:
    key: str
    prompt: str
    options: tuple[Option, ...]

    def option(self, value: str) -> Option | None:
        return next((o for o in self.options if o.value == value), None)


QUESTIONS: tuple[Question, ...] = (
    Question(
        "excites",
        "What excites you more?",
        (
            Option(
                "shipping",
                "Shipping AI features people can use: assistants, automations, retrieval apps",
                {"ai-developer": 2},
                "you want to ship visible AI features",
            ),
            Option(
                "reliability",
                "Owning how AI systems run: evaluation, deployment, monitoring, reliability",
                {"ai-engineer": 2},
                "you want to own reliable AI systems in production",
            ),
            Option(
                "models",
                "Training and tuning models on data: metrics, pipelines, drift",
                {"ml-engineer": 2, "ai-engineer": 1},
                "you are drawn to training and measuring models",
            ),
            Option(
                "software",
                "Building general software well: APIs, tests, maintainable code",
                {"software-engineer": 2, "ai-developer": 1},
                "you enjoy building software in general",
            ),
        ),
    ),
    Question(
        "background",
        "Where are you starting from?",
        (
            Option(
                "student",
                "Student or career switcher",
                {"ai-developer": 2},
                "faster project feedback suits a first portfolio",
            ),
            Option(
                "developer",
                "Software developer",
                {"ai-developer": 1, "ai-engineer": 1},
                "you can build on your development experience",
            ),
            Option(
                "data",
                "Data or machine-learning background",
                {"ml-engineer": 1, "ai-engineer": 1},
                "your data and ML background carries over",
            ),
            Option(
                "engineer",
                "Experienced engineer (infrastructure, backend, operations)",
                {"ai-engineer": 2},
                "you already have engineering depth",
            ),
        ),
    ),
    Question(
        "learning",
        "How do you like to learn?",
        (
            Option(
                "projects",
                "By building projects and seeing results quickly",
                {"ai-developer": 1},
                "you learn best by building",
            ),
            Option(
                "systems",
                "By understanding how the whole system behaves under load",
                {"ai-engineer": 1},
                "you want to understand systems in depth",
            ),
        ),
    ),
)


@dataclass(frozen=True)
class Goal:
    """A career-mapping goal as plain data (from a CareerGoal row)."""

    slug: str
    label: str
    path_slug: str
    reason: str


@dataclass(frozen=True)
class Recommendation:
    path_slug: str
    reason: str
    scores: Mapping[str, int]


def recommend_path(
    *, goal: Goal | None, answers: Mapping[str, str], available: Sequence[str]
) -> Recommendation | None:
    """The path (of `available` slugs) that fits the answers best, with a reason in words.

    Unknown answers and points for paths that are not available are ignored; None when nothing
    is available."""
    if not available:
        return None
    scores = {slug: 0 for slug in available}
    whys = []
    if goal is not None and goal.path_slug in scores:
        scores[goal.path_slug] += GOAL_POINTS
    for question in QUESTIONS:
        option = question.option(answers.get(question.key, ""))
        if option is None:
            continue
        for slug, points in option.points.items():
            if slug in scores:
                scores[slug] += points
        if option.why:
            whys.append((option, option.why))

    def tie_break(slug: str):
        return (
            -scores[slug],
            slug != (goal.path_slug if goal else None),
            slug != DEFAULT_PATH,
            available.index(slug),
        )

    best = min(available, key=tie_break)
    if goal is not None and goal.path_slug == best:
        reason = goal.reason
    else:
        agreeing = [why for option, why in whys if option.points.get(best, 0) > 0]
        reason = "Because " + _join(agreeing) + "." if agreeing else ""
    if not reason and best == DEFAULT_PATH:
        reason = (
            "Most beginners get clearer career signals from building AI apps first; "
            "it does not lock you out of engineering later."
        )
    return Recommendation(best, reason, scores)


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]

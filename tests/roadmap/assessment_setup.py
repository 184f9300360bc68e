"""Shared setup for the assessment-area tests: a path with competencies and a learner on it."""

from tests import factories


def path_with_competencies(n=3, *, slug="ai-developer", name="AI Developer", target=3, weight=3):
    path = factories.PathFactory(slug=slug, name=name)
    pcs = [
        factories.PathCompetencyFactory(
            path=path,
            competency=factories.CompetencyFactory(
                category="Core" if i % 2 else "Tools", kind="skill" if i % 2 else "tool"
            ),
            target_level=target,
            weight=weight,
        )
        for i in range(n)
    ]
    return path, pcs


def learner_on(path, **kwargs):
    return factories.LearnerFactory(target_path=path, **kwargs)

"""Factories and setups for the plans area."""

import datetime

import factory

from roadmap.models import Plan, PlanItem
from tests import factories


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    learner = factory.SubFactory(factories.LearnerFactory)
    path = factory.SubFactory(factories.PathFactory)


class PlanItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlanItem

    plan = factory.SubFactory(PlanFactory)
    project = factory.SubFactory(
        factories.ProjectFactory, path=factory.SelfAttribute("..plan.path")
    )
    position = factory.Sequence(lambda n: n)
    planned_start = factory.LazyFunction(datetime.date.today)
    planned_end = factory.LazyAttribute(lambda o: o.planned_start + datetime.timedelta(days=14))
    explanation = "Closes a gap."


def curriculum_with_gaps(learner, *, path=None, projects=3, competencies=3):
    """A path with `competencies` targets at 3 and `projects` projects, each building one of
    them to 3 with two checkpoints; the learner is rated 1 on each and targets the path."""
    path = path or factories.PathFactory()
    comps = [factories.CompetencyFactory() for _ in range(competencies)]
    for comp in comps:
        factories.PathCompetencyFactory(path=path, competency=comp, target_level=3, weight=3)
        factories.RatingFactory(learner=learner, competency=comp, level=1)
    made = []
    for index in range(projects):
        project = factories.ProjectFactory(path=path, position=index, estimated_hours=10 + index)
        factories.ProjectCompetencyFactory(
            project=project, competency=comps[index % competencies], builds_to_level=3
        )
        for n in range(2):
            factories.ProjectCheckpointFactory(project=project, title=f"{project.name} step {n}")
        made.append(project)
    learner.target_path = path
    learner.save(update_fields=["target_path"])
    return path, comps, made

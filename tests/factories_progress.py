"""Factories and builders for the progress area."""

from datetime import timedelta

import factory

from roadmap.models import CurriculumSnapshot, Rating
from roadmap.services.assessment import current_ratings_rebuild
from tests import factories


class CurriculumSnapshotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CurriculumSnapshot

    learner = factory.SubFactory(factories.LearnerFactory)
    path = factory.SubFactory(factories.PathFactory)
    requirements = factory.LazyFunction(dict)


def path_with_competencies(count: int, **path_kwargs):
    """A path with `count` competencies (target 3, weight 3); returns (path, competencies)."""
    path = factories.PathFactory(**path_kwargs)
    links = [factories.PathCompetencyFactory(path=path) for _ in range(count)]
    return path, [link.competency for link in links]


def rating_history(learner, competencies, *, weeks: int, now, levels=(1, 2, 2, 3, 3, 4)):
    """One self-rating per competency per week for `weeks` weeks up to `now`, levels rising."""
    ratings = [
        Rating(
            learner=learner,
            competency=competency,
            level=levels[min(week * len(levels) // weeks, len(levels) - 1)],
            created_at=now - timedelta(weeks=weeks - 1 - week, hours=index % 5),
            rated_by=learner,
        )
        for week in range(weeks)
        for index, competency in enumerate(competencies)
    ]
    ratings = Rating.objects.bulk_create(ratings)
    current_ratings_rebuild(learner_ids=[learner.pk])
    return ratings

"""Factories for curriculum and progress models the shared factories do not cover (admin tests)."""

import factory

from curriculum.models import CareerGoal, PathTrait, ScaleLevel
from roadmap.models import PathSelection
from tests.factories import LearnerFactory, PathFactory


class ScaleLevelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScaleLevel
        django_get_or_create = ["level"]

    level = 0
    name = factory.LazyAttribute(lambda o: f"Level {o.level}")
    descriptor = "What this level means in general."


class PathTraitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PathTrait

    path = factory.SubFactory(PathFactory)
    aspect = factory.Sequence(lambda n: f"Aspect {n}")
    value = "Something concrete."


class CareerGoalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareerGoal

    slug = factory.Sequence(lambda n: f"goal-{n}")
    label = factory.Sequence(lambda n: f"Goal {n}")
    recommended_path = factory.SubFactory(PathFactory)
    reason = "Because it fits."


class PathSelectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PathSelection

    learner = factory.SubFactory(LearnerFactory)
    path = factory.SubFactory(PathFactory)

"""Factories for the mentoring area."""

import datetime as dt

import factory
from django.utils import timezone

from accounts.models import CohortInvite
from roadmap.models import CheckpointSignOff, Feedback, RatingVerification
from tests import factories


class CohortInviteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CohortInvite

    cohort = factory.SubFactory(factories.CohortFactory)
    created_by = factory.SubFactory(factories.MentorFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=14))


class FeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Feedback

    learner = factory.SubFactory(factories.LearnerFactory)
    author = factory.SubFactory(factories.MentorFactory)
    body = "Good progress; try a harder retrieval set next."


class RatingVerificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RatingVerification

    rating = factory.SubFactory(factories.RatingFactory)
    mentor = factory.SubFactory(factories.MentorFactory)


class CheckpointSignOffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckpointSignOff

    learner = factory.SubFactory(factories.LearnerFactory)
    checkpoint = factory.SubFactory(factories.ProjectCheckpointFactory)
    mentor = factory.SubFactory(factories.MentorFactory)

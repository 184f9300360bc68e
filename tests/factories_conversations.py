"""Factories for the conversations area: feedback replies, announcements, e-mail invitations."""

import datetime as dt

import factory
from django.utils import timezone

from accounts.models import CohortEmailInvite
from roadmap.models import Announcement, FeedbackReply
from tests import factories
from tests.factories_mentoring import FeedbackFactory


class FeedbackReplyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeedbackReply

    feedback = factory.SubFactory(FeedbackFactory)
    author = factory.SelfAttribute("feedback.learner")
    body = "Thanks: I will try the larger set this week."


class AnnouncementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Announcement

    cohort = factory.SubFactory(factories.CohortFactory)
    author = factory.SubFactory(factories.MentorFactory)
    subject = "Demo day moved"
    body = "Demo day is now on Friday."


class EmailInviteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CohortEmailInvite

    cohort = factory.SubFactory(factories.CohortFactory)
    email = factory.Sequence(lambda n: f"invitee{n}@example.com")
    created_by = factory.SubFactory(factories.MentorFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=14))

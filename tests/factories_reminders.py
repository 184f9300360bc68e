import datetime as dt

import factory
from django.utils import timezone

from roadmap.models import Delivery, Notification, ReminderKind, ReminderPreference
from tests.factories import LearnerFactory


class ReminderPreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReminderPreference

    user = factory.SubFactory(LearnerFactory)


class DeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delivery

    recipient = factory.SubFactory(LearnerFactory)
    kind = ReminderKind.WEEKLY
    period = factory.Sequence(lambda n: f"2026-W{(n % 52) + 1:02d}-{n}")


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    user = factory.SubFactory(LearnerFactory)
    kind = ReminderKind.WEEKLY
    title = factory.Sequence(lambda n: f"Your week on Gapmap #{n}")
    body = "Readiness 40% (+5 since last week)."
    url = "/dashboard/"


def due_learner(**kwargs):
    """A learner whose inactivity nudge is due at any moment: long idle, no quiet hours, hour 0,
    weekly reminders off (so exactly one delivery is due per learner)."""
    learner = LearnerFactory(last_activity_at=timezone.now() - dt.timedelta(days=60), **kwargs)
    ReminderPreferenceFactory(
        user=learner, weekly_enabled=False, hour=0, quiet_start=dt.time(0), quiet_end=dt.time(0)
    )
    return learner


def bulk_due_learners(count: int, *, prefix: str = "due") -> list[int]:
    """`count` due learners (see due_learner) in two INSERTs; returns their ids."""
    from accounts.models import User

    idle_since = timezone.now() - dt.timedelta(days=60)
    users = User.objects.bulk_create(
        User(
            email=f"{prefix}{i}@example.com",
            role=User.Role.LEARNER,
            password="!",
            last_activity_at=idle_since,
        )
        for i in range(count)
    )
    ids = list(
        User.objects.filter(email__startswith=prefix, email__endswith="@example.com")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    assert len(ids) == len(users)
    ReminderPreference.objects.bulk_create(
        ReminderPreference(
            user_id=pk, weekly_enabled=False, hour=0, quiet_start=dt.time(0), quiet_end=dt.time(0)
        )
        for pk in ids
    )
    return ids

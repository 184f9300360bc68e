"""Reminders: what each user wants to be reminded of, when, and in which time zone. What was
sent is in `deliveries`."""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q


class ReminderKind(models.TextChoices):
    WEEKLY = "weekly", "Weekly progress reminder"
    INACTIVITY = "inactivity", "Nudge after a quiet spell"
    MILESTONE = "milestone", "Milestone due tomorrow"
    DIGEST = "digest", "Weekly cohort digest (mentors)"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class ReminderPreference(models.Model):
    """One per user; a user without a row gets the defaults below (see `for_user`)."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", "Every week"
        FORTNIGHTLY = "fortnightly", "Every other week"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_preference"
    )
    weekly_enabled = models.BooleanField("Weekly progress reminder", default=True)
    inactivity_enabled = models.BooleanField("Nudge when I have been quiet", default=True)
    milestone_enabled = models.BooleanField("Milestone due tomorrow", default=True)
    digest_enabled = models.BooleanField("Weekly cohort digest (mentors)", default=True)
    weekday = models.PositiveSmallIntegerField(choices=Weekday, default=Weekday.MONDAY)
    hour = models.PositiveSmallIntegerField(
        default=9,
        validators=[MinValueValidator(0), MaxValueValidator(23)],
        help_text="Local hour (0-23) in your time zone.",
    )
    frequency = models.CharField(max_length=12, choices=Frequency, default=Frequency.WEEKLY)
    inactivity_days = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(3), MaxValueValidator(60)],
        help_text="Days without an assessment or plan update before a nudge.",
    )
    quiet_start = models.TimeField(default=datetime.time(21, 0))
    quiet_end = models.TimeField(default=datetime.time(8, 0))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(hour__gte=0, hour__lte=23), name="reminder_hour_range"
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="reminder_weekday_range"
            ),
            models.CheckConstraint(
                condition=Q(inactivity_days__gte=3, inactivity_days__lte=60),
                name="reminder_inactivity_days_range",
            ),
        ]

    def __str__(self):
        return f"Reminder preferences of {self.user}"

    @classmethod
    def for_user(cls, user) -> "ReminderPreference":
        """The stored row, or an unsaved one with the defaults (reads only; no write)."""
        try:
            return user.reminder_preference
        except cls.DoesNotExist:
            return cls(user=user)

    def is_enabled(self, kind: str) -> bool:
        return bool(getattr(self, f"{kind}_enabled"))

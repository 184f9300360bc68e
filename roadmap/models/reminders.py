"""Reminders: what each user wants to be reminded of, when, and in which time zone. What was
sent is in `deliveries`."""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from accounts.models import Weekday  # one set of weekday choices: reminders and cohort check-ins


class ReminderKind(models.TextChoices):
    WEEKLY = "weekly", "Weekly progress reminder"
    INACTIVITY = "inactivity", "Nudge after a quiet spell"
    MILESTONE = "milestone", "Milestone due tomorrow"
    DIGEST = "digest", "Weekly cohort digest (mentors)"
    # Messages sent when something happens (roadmap.services.conversations), not on a schedule:
    # always in-app, by e-mail only for the kinds a user turned on below (all off by default).
    FEEDBACK = "feedback", "Feedback from a mentor"
    VERIFICATION = "verification", "A mentor verified a rating"
    SIGNOFF = "signoff", "A mentor signed off a checkpoint"
    JOINED = "joined", "You joined a cohort"
    REPLY = "reply", "A reply in a feedback thread"
    ANNOUNCEMENT = "announcement", "An announcement to your cohort"
    # An e-mailed cohort invitation, to an address that may have no account: no preference.
    INVITE = "invite", "Cohort invitation"


# The kinds sent as they happen; their e-mail is built from the delivery's stored context.
MESSAGE_KINDS = frozenset(
    {
        ReminderKind.FEEDBACK,
        ReminderKind.VERIFICATION,
        ReminderKind.SIGNOFF,
        ReminderKind.JOINED,
        ReminderKind.REPLY,
        ReminderKind.ANNOUNCEMENT,
        ReminderKind.INVITE,
    }
)


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
    # E-mail copies of in-app notifications: off until the user turns them on.
    feedback_enabled = models.BooleanField("A mentor sends me feedback", default=False)
    verification_enabled = models.BooleanField("A mentor verifies one of my ratings", default=False)
    signoff_enabled = models.BooleanField("A mentor signs off a checkpoint", default=False)
    joined_enabled = models.BooleanField("I join a cohort", default=False)
    reply_enabled = models.BooleanField("Someone replies in a feedback thread", default=False)
    announcement_enabled = models.BooleanField(
        "A mentor announces something to my cohort", default=False
    )
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
        # An invitation goes to an address, not a user's preferences.
        return kind == ReminderKind.INVITE or bool(getattr(self, f"{kind}_enabled"))

"""Reminders: each user's preferences, the delivery log (the record of what was sent), and the
in-app notifications.

The Delivery table is the truth about e-mail: one row per (recipient, kind, period), created by
the dispatcher and claimed by a worker with a conditional UPDATE before anything is sent. Redis
and beat may lose or repeat work; this table makes that harmless."""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone


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


class DeliveryQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=Delivery.Status.PENDING)

    def needing_enqueue(self, *, before):
        """Pending rows never enqueued, or enqueued long enough ago that the message may be lost."""
        return self.pending().filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=before))

    def stuck_sending(self, *, claimed_before):
        return self.filter(status=Delivery.Status.SENDING, claimed_at__lt=claimed_before)


class Delivery(models.Model):
    """One e-mail that is due (or was sent) to one recipient for one period."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deliveries"
    )
    kind = models.CharField(max_length=12, choices=ReminderKind)
    period = models.CharField(
        max_length=64, help_text='Which occurrence: "2026-W48", "idle-since-2026-11-02", ...'
    )
    status = models.CharField(max_length=8, choices=Status, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True, help_text="Start of the send lease.")
    handed_off_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the message was handed to the mail server; after this it is never resent.",
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    context = models.JSONField(
        default=dict, blank=True, help_text="Kind-specific data (milestone)."
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "period"], name="delivery_once_per_period"
            )
        ]
        indexes = [
            # the dispatcher's re-enqueue and reconcile passes: status plus a time
            models.Index(fields=["status", "enqueued_at"], name="delivery_status_enqueued_idx"),
            models.Index(fields=["status", "claimed_at"], name="delivery_status_claimed_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.period} to {self.recipient} ({self.status})"


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """In-app copy of a reminder, listed on /notifications/."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=12, choices=ReminderKind)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # the nav's unread count and the notification list, per user
            models.Index(fields=["user", "read_at"], name="notification_user_read_idx"),
            models.Index(fields=["user", "-created_at"], name="notification_user_recent_idx"),
        ]

    def __str__(self):
        return self.title

    def mark_read(self, *, at=None) -> None:
        if self.read_at is None:
            self.read_at = at or timezone.now()
            self.save(update_fields=["read_at"])

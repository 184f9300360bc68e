"""Deliveries: the record of every e-mail Gapmap sends, and the in-app notifications.

The Delivery table is the truth about e-mail: one row per (recipient, kind, period), created by
the dispatcher and claimed by a worker with a conditional UPDATE before anything is sent. Redis
and beat may lose or repeat work; this table makes that harmless."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from .reminders import ReminderKind


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
        # DATA began and the server never answered: it may have been delivered. Never resent
        # by itself; staff who checked can send it again from admin.
        UNKNOWN = "unknown", "Unknown (may have been delivered)"

    # A user, or (for an invitation to someone without an account) only an address.
    # No index of its own: delivery_once_per_period leads with it (joins, cascades).
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="deliveries",
        db_index=False,
        null=True,
        blank=True,
    )
    to_address = models.EmailField(
        blank=True, help_text="Where to send when there is no recipient account (invitations)."
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
        help_text="Stamped just before the message's DATA began; after this a lost worker means "
        "the outcome is unknown, and the message is never resent by itself.",
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
            ),
            # NULL recipients never collide above: rows for an address are unique on their own.
            models.UniqueConstraint(
                fields=["to_address", "kind", "period"],
                condition=Q(recipient__isnull=True),
                name="delivery_once_per_address",
            ),
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | ~Q(to_address=""),
                name="delivery_has_recipient_or_address",
            ),
        ]
        indexes = [
            # the dispatcher's re-enqueue pass: needing_enqueue (reminders._enqueue_pending)
            models.Index(fields=["status", "enqueued_at"], name="delivery_status_enqueued_idx"),
            # the dispatcher's reconcile pass: stuck_sending (reminders._reconcile_stuck)
            models.Index(fields=["status", "claimed_at"], name="delivery_status_claimed_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.period} to {self.address} ({self.status})"

    @property
    def address(self) -> str:
        return self.recipient.email if self.recipient_id else self.to_address


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """In-app copy of a reminder, or a message (feedback, a reply, an announcement, ...), listed
    on /notifications/."""

    # No index of its own: notification_user_read_idx leads with it (joins, cascades).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
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
            # the nav's unread count (for_user().unread().count())
            models.Index(fields=["user", "read_at"], name="notification_user_read_idx"),
            # the /notifications/ list, newest first, per user
            models.Index(fields=["user", "-created_at"], name="notification_user_recent_idx"),
        ]

    def __str__(self):
        return self.title

    def mark_read(self, *, at=None) -> None:
        if self.read_at is None:
            self.read_at = at or timezone.now()
            self.save(update_fields=["read_at"])

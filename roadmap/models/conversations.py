"""Conversations: replies in a feedback thread, and a mentor's announcements to a cohort. What
they notify is sent through `deliveries` (in-app always, e-mail for the kinds a user turned on)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

REPLY_MAX_LENGTH = 2000
ANNOUNCEMENT_MAX_LENGTH = 4000


class FeedbackReply(models.Model):
    """One message in the thread under a mentor's feedback: by the learner or a cohort mentor."""

    feedback = models.ForeignKey(
        "roadmap.Feedback", on_delete=models.CASCADE, related_name="replies"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(max_length=REPLY_MAX_LENGTH)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "feedback replies"
        indexes = [
            # a thread, oldest first (the prefetch on the feedback lists)
            models.Index(fields=["feedback", "created_at"], name="reply_thread_idx"),
        ]

    def __str__(self):
        return f"Reply by {self.author} on {self.feedback_id}"


class Announcement(models.Model):
    """A message from a mentor to every active member of a cohort."""

    cohort = models.ForeignKey(
        "accounts.Cohort", on_delete=models.CASCADE, related_name="announcements"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    subject = models.CharField(max_length=120)
    body = models.TextField(max_length=ANNOUNCEMENT_MAX_LENGTH)
    # The form's one-time key: a double-clicked or resubmitted form sends one announcement.
    key = models.UUIDField(default=uuid.uuid4)
    recipients = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "key"], name="announcement_once_per_key"),
        ]

    def __str__(self):
        return f"{self.subject} ({self.cohort})"

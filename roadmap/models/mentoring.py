"""Mentoring: a mentor's feedback to a learner, verification of a learner's self-rating, and the
sign-off of a project's checkpoints. A mentor's own rating of a competency is a Rating with
source=mentor (see roadmap.services.assessment.rating_record)."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Feedback(models.Model):
    """A note from a mentor to a learner, about a competency, a project, or in general."""

    # No index of its own: feedback_learner_idx leads with it (joins, cascades).
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="feedback_received",
        db_index=False,
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    competency = models.ForeignKey(
        "curriculum.Competency", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    project = models.ForeignKey(
        "curriculum.Project", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(max_length=4000)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # the learner's feedback page (newest first) and mentoring_unread_count
            models.Index(fields=["learner", "-created_at"], name="feedback_learner_idx"),
        ]

    def __str__(self):
        return f"Feedback for {self.learner} by {self.author}"


class RatingVerification(models.Model):
    """A mentor confirms that a learner's self-rating matches the evidence."""

    # No index of its own: verification_unique leads with it (joins, cascades).
    rating = models.ForeignKey(
        "roadmap.Rating", on_delete=models.CASCADE, related_name="verifications", db_index=False
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    comment = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # verifying twice is a no-op, not a second row
            models.UniqueConstraint(fields=["rating", "mentor"], name="verification_unique"),
        ]

    def __str__(self):
        return f"{self.rating} verified by {self.mentor}"


class CheckpointSignOff(models.Model):
    """A mentor signs off one project checkpoint (deliverable) for one learner."""

    # No index of its own: signoff_unique leads with it (joins, cascades).
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="checkpoint_sign_offs",
        db_index=False,
    )
    checkpoint = models.ForeignKey(
        "curriculum.ProjectCheckpoint", on_delete=models.CASCADE, related_name="sign_offs"
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    comment = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # one sign-off per learner and checkpoint; project_verified counts these
            models.UniqueConstraint(fields=["learner", "checkpoint"], name="signoff_unique"),
        ]

    def __str__(self):
        return f"{self.checkpoint} signed off for {self.learner}"

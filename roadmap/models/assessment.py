"""Learner progress: ratings (append-only self- and mentor-assessments) and target-path history."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from curriculum.models import MAX_LEVEL, MIN_LEVEL, Level


class RatingQuerySet(models.QuerySet):
    def for_learner(self, learner):
        return self.filter(learner=learner)

    def self_assessed(self):
        return self.filter(source=Rating.Source.SELF)

    def latest_per_competency(self):
        """Only the newest row per (learner, competency), via a window function in the database."""
        return self.annotate(
            recency=Window(
                RowNumber(),
                partition_by=[F("learner_id"), F("competency_id")],
                order_by=[F("created_at").desc(), F("id").desc()],
            )
        ).filter(recency=1)

    def latest_levels(self, learner, *, at=None) -> dict[int, int]:
        """{competency_id: level}: the learner's latest self-rating per competency, as of `at`.

        Now (no `at`) is read from CurrentRating, one row per competency whatever the history;
        a moment in the past replays the history."""
        if at is None:
            return dict(
                CurrentRating.objects.filter(
                    learner=learner, source=Rating.Source.SELF
                ).values_list("competency_id", "level")
            )
        rows = self.filter(learner=learner, source=Rating.Source.SELF, created_at__lte=at)
        return dict(rows.latest_per_competency().values_list("competency_id", "level"))


class Rating(models.Model):
    """One assessment of one competency at one moment. Never updated: the latest row is current."""

    class Source(models.TextChoices):
        SELF = "self", "Self-assessment"
        MENTOR = "mentor", "Mentor"

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ratings"
    )
    competency = models.ForeignKey(
        "curriculum.Competency", on_delete=models.PROTECT, related_name="ratings"
    )
    level = models.PositiveSmallIntegerField(
        choices=Level, validators=[MinValueValidator(MIN_LEVEL), MaxValueValidator(MAX_LEVEL)]
    )
    note = models.TextField(blank=True, max_length=2000)
    evidence_url = models.URLField(blank=True, max_length=500)
    source = models.CharField(max_length=10, choices=Source, default=Source.SELF)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The level of the rating before this one (same learner, competency and source; 0 if none).
    # Kept by roadmap.services.assessment: history charts sum each rating's change instead of
    # replaying every rating from the first.
    previous_level = models.PositiveSmallIntegerField(default=0)
    # The learner took their rating back (roadmap.services.assessment.rating_withdraw): a history
    # entry at level 0 that leaves the competency unrated, so readiness and charts drop back
    # while every earlier rating stays.
    withdrawn = models.BooleanField(default=False)

    objects = RatingQuerySet.as_manager()

    class Meta:
        ordering = ["learner", "competency", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=MIN_LEVEL, level__lte=MAX_LEVEL), name="rating_in_scale"
            )
        ]
        indexes = [
            # latest-per-competency lookups and history charts for one learner
            models.Index(fields=["learner", "competency", "-created_at"], name="rating_latest_idx"),
            # the learner's newest self-rating by id (roadmap.services.progress, the dashboard
            # hub's newest_rating_id): without it PostgreSQL walks the primary key backwards
            # through everyone's newer ratings until it meets one of this learner's
            models.Index(fields=["learner", "source", "-id"], name="rating_newest_idx"),
        ]

    def __str__(self):
        if self.withdrawn:
            return f"{self.learner} {self.competency} withdrawn"
        return f"{self.learner} {self.competency} = {self.level}"


class CurrentRating(models.Model):
    """The newest Rating per (learner, competency, source): a copy kept by the services in
    roadmap.services.assessment (rating_store, current_ratings_rebuild), so current levels are
    read as one row per competency instead of scanning every learner's whole history. Never
    written anywhere else."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="current_ratings"
    )
    competency = models.ForeignKey(
        "curriculum.Competency", on_delete=models.CASCADE, related_name="current_ratings"
    )
    source = models.CharField(max_length=10, choices=Rating.Source)
    level = models.PositiveSmallIntegerField(choices=Level)
    rating = models.ForeignKey(Rating, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            # one current row per pair and source; its index serves every read (by learner)
            models.UniqueConstraint(
                fields=["learner", "competency", "source"], name="currentrating_unique"
            )
        ]

    def __str__(self):
        return f"{self.learner} {self.competency} = {self.level} ({self.source})"


class PathSelection(models.Model):
    """Each time a learner picks a target path; the newest is their current path."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="path_selections"
    )
    path = models.ForeignKey("curriculum.Path", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["learner", "-created_at"]

    def __str__(self):
        return f"{self.learner} -> {self.path}"

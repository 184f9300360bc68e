"""Plans: a learner's dated roadmap of projects for one path and its items. An item's milestones
are computed from its dates and its project's checkpoints (services.plans.item_milestones)."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone


def new_token() -> str:
    return secrets.token_urlsafe(24)


class PlanItemError(ValidationError):
    """A state change the item's current status does not allow; says so in words."""


class Plan(models.Model):
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plans"
    )
    path = models.ForeignKey("curriculum.Path", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    regenerated_at = models.DateTimeField(null=True, blank=True)
    # Private links; None means revoked (the old link then answers 404).
    share_token = models.CharField(max_length=64, unique=True, null=True, blank=True)
    calendar_token = models.CharField(max_length=64, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["learner", "-created_at"]
        constraints = [
            # one plan per learner and path: regenerating rewrites it instead of adding another
            models.UniqueConstraint(fields=["learner", "path"], name="plan_one_per_learner_path")
        ]

    def __str__(self):
        return f"{self.learner}'s plan for {self.path}"


class PlanItemQuerySet(models.QuerySet):
    def for_learner(self, learner):
        return self.filter(plan__learner=learner)

    def done(self):
        return self.filter(status=PlanItem.Status.DONE)


class PlanItem(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        STARTED = "started", "Started"
        DONE = "done", "Done"
        SKIPPED = "skipped", "Skipped"

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="items")
    project = models.ForeignKey("curriculum.Project", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()
    # What a new item does not have yet is defaulted by the database (db_default), so plan
    # generation's bulk insert of ~100 items leaves these columns out of its statement.
    status = models.CharField(max_length=10, choices=Status, db_default=Status.PLANNED)
    planned_start = models.DateField()
    planned_end = models.DateField()
    started_at = models.DateTimeField(null=True, blank=True, db_default=None)
    completed_at = models.DateTimeField(null=True, blank=True, db_default=None)
    evidence_url = models.URLField(max_length=500, blank=True, db_default="")
    reflection = models.TextField(max_length=2000, blank=True, db_default="")
    explanation = models.TextField(blank=True)
    # Set by mentor verification (mentoring area); shown as "verified" on the portfolio.
    verified_at = models.DateTimeField(null=True, blank=True, db_default=None)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        db_default=None,
        blank=True,
        related_name="+",
    )

    objects = PlanItemQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "project"], name="planitem_project_once"),
            models.CheckConstraint(
                condition=Q(planned_end__gte=models.F("planned_start")),
                name="planitem_dates_in_order",
            ),
        ]
        indexes = [
            # the portfolio: a learner's done items, newest first
            models.Index(fields=["status", "completed_at"], name="planitem_status_idx"),
        ]

    def __str__(self):
        return f"{self.project} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in (self.Status.PLANNED, self.Status.STARTED)

    def start(self, *, at=None) -> None:
        if self.status != self.Status.PLANNED:
            raise PlanItemError(
                f"Only a planned project can be started; this one is {self.status}."
            )
        self.status = self.Status.STARTED
        self.started_at = at or timezone.now()
        self.save(update_fields=["status", "started_at"])

    def complete(self, *, evidence_url: str, reflection: str = "", at=None) -> None:
        if self.status == self.Status.SKIPPED:
            raise PlanItemError("This project was skipped: it cannot be completed.")
        if self.status == self.Status.DONE:
            raise PlanItemError("This project is already done.")
        at = at or timezone.now()
        self.status = self.Status.DONE
        self.started_at = self.started_at or at
        self.completed_at = at
        self.evidence_url = evidence_url
        self.reflection = reflection
        self.save(
            update_fields=["status", "started_at", "completed_at", "evidence_url", "reflection"]
        )

    def skip(self) -> None:
        if not self.is_open:
            raise PlanItemError(
                f"Only a planned or started project can be skipped; this one is {self.status}."
            )
        self.status = self.Status.SKIPPED
        self.save(update_fields=["status"])

    def restore(self) -> None:
        """Undo a skip: back to started if it had been started, else planned."""
        if self.status != self.Status.SKIPPED:
            raise PlanItemError(
                f"Only a skipped project can be restored; this one is {self.status}."
            )
        self.status = self.Status.STARTED if self.started_at else self.Status.PLANNED
        self.save(update_fields=["status"])

    def behind_weeks(self, today) -> int:
        """Whole weeks (rounded up) since the planned end passed with the item still open."""
        if not self.is_open or self.planned_end >= today:
            return 0
        return -(-(today - self.planned_end).days // 7)


class LoggedHoursQuerySet(models.QuerySet):
    def for_learner(self, learner):
        return self.filter(learner=learner)


class LoggedHours(models.Model):
    """Hours a learner says they spent on a plan item on one day of theirs. The plan compares
    the weekly sums with the profile's weekly hours (roadmap.lib.pace)."""

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="logged_hours"
    )
    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="logged_hours")
    day = models.DateField()  # the learner's local day
    hours = models.DecimalField(max_digits=4, decimal_places=2)
    note = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    # Sent with the form that made the entry: the same form submitted twice (a double click, a
    # retried request) finds its entry instead of adding a second one.
    token = models.UUIDField()

    objects = LoggedHoursQuerySet.as_manager()

    class Meta:
        ordering = ["learner", "day", "id"]
        constraints = [
            models.UniqueConstraint(fields=["learner", "token"], name="loggedhours_token_once"),
            models.CheckConstraint(
                condition=Q(hours__gt=0, hours__lte=24), name="loggedhours_hours_range"
            ),
        ]
        indexes = [
            # the week's total, the pace and the export: one learner's entries by day
            models.Index(fields=["learner", "day"], name="loggedhours_learner_day_idx"),
        ]

    def __str__(self):
        return f"{self.hours} h on {self.item_id} ({self.day})"

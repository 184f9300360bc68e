"""Celebrations: a project done or a target met, shown to the learner once on their dashboard."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class Celebration(models.Model):
    """One achievement the learner has been shown. The row is the record that it was shown:
    the dashboard inserts it when it shows the celebration, and shows only achievements newer
    than the learner's newest row; the unique constraint makes a second, concurrent insert of
    the same achievement fail rather than show it twice."""

    class Kind(models.TextChoices):
        PROJECT_DONE = "project_done", "Project done"
        TARGET_MET = "target_met", "Target met"

    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="celebrations"
    )
    path = models.ForeignKey("curriculum.Path", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind)
    # The project (project done) or the competency (target met); not a foreign key, so a
    # retired project or competency keeps its "already shown".
    subject_id = models.PositiveIntegerField()
    name = models.CharField(max_length=200)  # the project's or competency's name when shown
    # When it happened: the project's completion, the rating that met the target. A target met
    # again after a fall, or a project done again, is another achievement.
    achieved_at = models.DateTimeField()
    shown_at = models.DateTimeField(default=timezone.now)
    dismissed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # shown once; its index also serves the hub's newest shown_at per learner and path
            models.UniqueConstraint(
                fields=["learner", "path", "kind", "subject_id", "achieved_at"],
                name="celebration_once",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.name} ({self.learner})"

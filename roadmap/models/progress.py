"""Progress area: what each learner last saw of their path, to tell them what changed since."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class CurriculumSnapshot(models.Model):
    """The path's requirements as the learner last saw them on their dashboard.

    `requirements` is {"<competency_id>": [name, target, weight]} (roadmap.lib.progress.Snapshot);
    the dashboard diffs it against the current requirements, shows the changes once, then stores
    the new snapshot."""

    # No index of its own: curriculumsnapshot_unique leads with it (joins, cascades).
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="curriculum_snapshots",
        db_index=False,
    )
    path = models.ForeignKey("curriculum.Path", on_delete=models.CASCADE, related_name="+")
    requirements = models.JSONField(default=dict)
    seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # the dashboard looks up one learner's snapshot of one path
            models.UniqueConstraint(fields=["learner", "path"], name="curriculumsnapshot_unique")
        ]

    def __str__(self):
        return f"{self.learner} saw {self.path} at {self.seen_at:%Y-%m-%d %H:%M}"

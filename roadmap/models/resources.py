"""Resources area: which learning resources of the curriculum each learner has studied."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class StudiedResource(models.Model):
    """A learner marked a resource as studied. Marking again keeps the first moment; unmarking
    deletes the row (it is the learner's own note, not history)."""

    # No index of its own: studiedresource_unique leads with it (joins, cascades).
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="studied_resources",
        db_index=False,
    )
    resource = models.ForeignKey(
        "curriculum.Resource", on_delete=models.CASCADE, related_name="studied_by"
    )
    studied_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            # one mark per learner and resource; its index serves "which of these has she
            # studied" (by learner) on the gaps and project pages
            models.UniqueConstraint(fields=["learner", "resource"], name="studiedresource_unique")
        ]

    def __str__(self):
        return f"{self.learner} studied {self.resource_id}"

"""Open Badges 3.0 credentials a learner claimed for a mentor-verified project. The row keeps the
signed VC-JWT exactly as issued (the signature covers those bytes) and its revocation."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class CredentialQuerySet(models.QuerySet):
    def live(self):
        return self.filter(revoked_at__isnull=True)


class Credential(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    learner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="credentials"
    )
    project = models.ForeignKey("curriculum.Project", on_delete=models.PROTECT, related_name="+")
    # The plan item it was claimed from; a regenerated plan may drop the item, not the credential.
    plan_item = models.ForeignKey(
        "roadmap.PlanItem",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="credentials",
    )
    jwt = models.TextField(help_text="The signed VC-JWT, byte for byte as issued.")
    kid = models.CharField(max_length=100, help_text="The signing key's id in the JWKS.")
    issued_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revocation_reason = models.CharField(max_length=200, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = CredentialQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_at", "-id"]
        constraints = [
            # One live credential per learner and project: claiming again returns it.
            models.UniqueConstraint(
                fields=["learner", "project"],
                condition=Q(revoked_at__isnull=True),
                name="credential_one_live_per_project",
            )
        ]
        indexes = [
            # the public revocation list: revoked credentials, newest first
            models.Index(fields=["revoked_at"], name="credential_revoked_idx"),
        ]

    def __str__(self):
        return f"{self.project} for {self.learner}"

    @property
    def urn(self) -> str:
        return f"urn:uuid:{self.uuid}"

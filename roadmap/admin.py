"""Admin for learner-progress records. Ratings are append-only history: staff may read them;
only a superuser may delete one (for example a test entry); nobody adds or edits them here."""

from django.contrib import admin, messages
from django.db.models import Value
from django.db.models.functions import Concat
from django.utils import timezone

from .models import (
    Celebration,
    CheckpointSignOff,
    Delivery,
    Feedback,
    LoggedHours,
    Notification,
    PathSelection,
    Plan,
    PlanItem,
    Rating,
    RatingVerification,
    ReminderPreference,
    StudiedResource,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Rating)
class RatingAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "learner", "competency", "level", "source", "rated_by"]
    list_select_related = ["learner", "competency", "rated_by"]
    list_filter = ["source", "competency"]
    search_fields = ["learner__email", "learner__full_name"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]


@admin.register(PathSelection)
class PathSelectionAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "learner", "path", "reason"]
    list_select_related = ["learner", "path"]
    list_filter = ["path"]
    search_fields = ["learner__email", "learner__full_name"]
    date_hierarchy = "created_at"
    ordering = ["-created_at", "-id"]


# --- plans ----------------------------------------------------------------------------------------
class PlanItemInline(admin.TabularInline):
    model = PlanItem
    fields = [
        "position",
        "project",
        "status",
        "planned_start",
        "planned_end",
        "evidence_url",
        "verified_at",
    ]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(StudiedResource)
class StudiedResourceAdmin(ReadOnlyAdmin):
    list_display = ["studied_at", "learner", "resource"]
    list_select_related = ["learner", "resource"]
    search_fields = ["learner__email", "learner__full_name", "resource__title"]
    ordering = ["-studied_at", "-id"]


@admin.register(LoggedHours)
class LoggedHoursAdmin(ReadOnlyAdmin):
    list_display = ["day", "learner", "item", "hours", "note"]
    list_select_related = ["learner", "item__project"]
    search_fields = ["learner__email", "learner__full_name", "note"]
    ordering = ["-day", "-id"]


@admin.register(Celebration)
class CelebrationAdmin(ReadOnlyAdmin):
    list_display = ["shown_at", "learner", "kind", "name", "dismissed_at"]
    list_select_related = ["learner"]
    list_filter = ["kind"]
    search_fields = ["learner__email", "learner__full_name", "name"]
    ordering = ["-shown_at", "-id"]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    """Plans belong to learners: staff look, learners change them in the app."""

    list_display = ["learner", "path", "created_at", "regenerated_at"]
    list_select_related = ["learner", "path"]
    list_filter = ["path"]
    search_fields = ["learner__email", "learner__full_name"]
    readonly_fields = ["learner", "path", "created_at", "regenerated_at"]
    exclude = ["share_token", "calendar_token"]
    inlines = [PlanItemInline]

    def has_add_permission(self, request):
        return False


# --- mentoring ------------------------------------------------------------------------------------
@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["created_at", "learner", "author", "competency", "project", "read_at"]
    list_select_related = ["learner", "author", "competency", "project"]
    search_fields = ["learner__email", "author__email", "body"]
    raw_id_fields = ["learner", "author"]
    date_hierarchy = "created_at"


@admin.register(RatingVerification)
class RatingVerificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "rating", "mentor", "comment"]
    list_select_related = ["rating__learner", "rating__competency", "mentor"]
    search_fields = ["rating__learner__email", "mentor__email"]
    raw_id_fields = ["rating", "mentor"]


@admin.register(CheckpointSignOff)
class CheckpointSignOffAdmin(admin.ModelAdmin):
    list_display = ["created_at", "learner", "checkpoint", "mentor", "comment"]
    list_select_related = ["learner", "checkpoint__project", "mentor"]
    search_fields = ["learner__email", "mentor__email", "checkpoint__title"]
    raw_id_fields = ["learner", "mentor", "checkpoint"]


# --- reminders


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """The delivery log: what was sent, what is pending, and why something failed."""

    list_display = ["recipient", "kind", "period", "status", "attempts", "sent_at", "short_error"]
    list_filter = ["status", "kind"]
    search_fields = ["recipient__email", "period"]
    list_select_related = ["recipient"]
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in Delivery._meta.fields]
    actions = ["retry_failed"]

    @admin.display(description="last error")
    def short_error(self, obj):
        return (obj.last_error[:80] + "…") if len(obj.last_error) > 80 else obj.last_error

    @admin.action(description="Send the selected failed or unknown deliveries again")
    def retry_failed(self, request, queryset):
        """Back to pending for the next dispatcher run. For an "unknown" row (DATA began, no
        reply) only after checking the mail server's log: it may have arrived already."""
        note = f"Sent again by {request.user.get_username()} on {timezone.now():%Y-%m-%d %H:%M} UTC"
        count = queryset.filter(
            status__in=[Delivery.Status.FAILED, Delivery.Status.UNKNOWN]
        ).update(
            status=Delivery.Status.PENDING,
            enqueued_at=None,
            claimed_at=None,
            handed_off_at=None,
            attempts=0,
            last_error=Concat(Value(f"{note}; before: "), "last_error"),
        )
        self.message_user(
            request,
            f"{count} deliveries will be sent by the next dispatcher run.",
            messages.SUCCESS,
        )

    def has_add_permission(self, request):
        return False


@admin.register(ReminderPreference)
class ReminderPreferenceAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "weekly_enabled",
        "inactivity_enabled",
        "milestone_enabled",
        "digest_enabled",
        "weekday",
        "hour",
        "frequency",
    ]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "title", "created_at", "read_at"]
    list_filter = ["kind"]
    search_fields = ["user__email", "title"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]


# --- credentials: staff see issued credentials and revoke them; nobody edits a signed one -------
from .models import Credential  # noqa: E402
from .services.credentials import credential_revoke  # noqa: E402


@admin.register(Credential)
class CredentialAdmin(ReadOnlyAdmin):
    list_display = ["issued_at", "learner", "project", "kid", "expires_at", "revoked_at"]
    list_select_related = ["learner", "project"]
    list_filter = ["kid", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["learner__email", "learner__full_name", "uuid"]
    exclude = ["jwt"]
    actions = ["revoke"]

    @admin.action(description="Revoke the selected credentials")
    def revoke(self, request, queryset):
        count = sum(
            credential_revoke(credential=c, by=request.user, reason="Revoked by staff")
            for c in queryset.filter(revoked_at__isnull=True)
        )
        self.message_user(request, f"{count} credential(s) revoked.", messages.SUCCESS)


# --- API tokens: staff see which tokens exist and may revoke one; the secret is never stored ----

from .models.api import PersonalToken  # noqa: E402


@admin.register(PersonalToken)
class PersonalTokenAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "user",
        "name",
        "prefix",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    list_select_related = ["user"]
    search_fields = ["user__email", "name", "prefix"]
    exclude = ["token_hash"]
    actions = ["revoke"]

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"Revoked {count} token(s).", messages.SUCCESS)

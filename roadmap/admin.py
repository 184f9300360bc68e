"""Admin for learner-progress records. Ratings are append-only history: staff may read them;
only a superuser may delete one (for example a test entry); nobody adds or edits them here."""

from django.contrib import admin

from .models import (
    CheckpointSignOff,
    Feedback,
    PathSelection,
    Plan,
    PlanItem,
    Rating,
    RatingVerification,
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


# --- plans ------------------------------------------------------------------------------------
class PlanItemInline(admin.TabularInline):
    model = PlanItem
    fields = ["position", "project", "status", "planned_start", "planned_end", "evidence_url",
              "verified_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


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


# --- mentoring --------------------------------------------------------------------------------
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

"""Admin for learner-progress records. Ratings are append-only history: staff may read them;
only a superuser may delete one (for example a test entry); nobody adds or edits them here."""

from django.contrib import admin

from .models import PathSelection, Rating


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

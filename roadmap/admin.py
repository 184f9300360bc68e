from django.contrib import admin, messages

from roadmap.models import Delivery, Notification, ReminderPreference

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

    @admin.action(description="Send the selected failed deliveries again")
    def retry_failed(self, request, queryset):
        count = queryset.filter(status=Delivery.Status.FAILED).update(
            status=Delivery.Status.PENDING,
            enqueued_at=None,
            claimed_at=None,
            handed_off_at=None,
            attempts=0,
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

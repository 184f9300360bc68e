"""Django admin for staff managing people and cohorts. Users sign in with their e-mail, so the
stock UserAdmin is adapted: no username, and the profile fields (role, zone, hours, target path)
on the change form."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.db.models import Count, Q

from .models import Cohort, CohortEmailInvite, CohortInvite, CohortMembership, User


class UserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ["email"]
        field_classes = {}


class UserChangeForm(DjangoUserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes = {}


def learners():
    return User.objects.filter(role=User.Role.LEARNER, is_staff=False)


def mentors_and_staff():
    return User.objects.filter(Q(role=User.Role.MENTOR) | Q(is_staff=True))


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            "Profile",
            {
                "fields": [
                    "full_name",
                    "role",
                    "timezone",
                    "weekly_hours",
                    "target_path",
                    "target_date",
                ]
            },
        ),
        (
            "Permissions",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Activity", {"fields": ["last_login", "date_joined", "last_activity_at"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
        ("Profile", {"fields": ["full_name", "role"]}),
    ]
    list_display = ["email", "full_name", "role", "is_staff", "target_path", "last_activity_at"]
    list_select_related = ["target_path"]
    list_filter = ["role", "is_staff", "is_superuser", "is_active", "memberships__cohort"]
    search_fields = ["email", "full_name"]
    ordering = ["email"]
    readonly_fields = ["last_login", "date_joined", "last_activity_at"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "timezone" in form.changed_data:
            obj.reminders_look_again()  # reminders follow the zone: the dispatcher recomputes

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # The cohort page's learner autocomplete offers learners only (its form checks it too).
        if (
            request.path.endswith("/autocomplete/")
            and request.GET.get("model_name") == "cohortmembership"
            and request.GET.get("field_name") == "learner"
        ):
            queryset = queryset.filter(role=User.Role.LEARNER, is_staff=False)
        return queryset, may_have_duplicates


class CohortMembershipInline(admin.TabularInline):
    model = CohortMembership
    extra = 1
    autocomplete_fields = ["learner"]
    fields = ["learner", "joined_at", "left_at"]
    readonly_fields = ["joined_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("learner")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "learner":
            kwargs["queryset"] = learners()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "path", "start_date", "member_count", "mentor_count"]
    list_select_related = ["path"]
    list_filter = ["path"]
    search_fields = ["name"]
    date_hierarchy = "start_date"
    filter_horizontal = ["mentors"]
    fields = ["name", "path", "start_date", "mentors"]
    inlines = [CohortMembershipInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                active_members=Count(
                    "memberships", filter=Q(memberships__left_at__isnull=True), distinct=True
                ),
                mentor_total=Count("mentors", distinct=True),
            )
        )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "mentors":
            kwargs["queryset"] = mentors_and_staff()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.display(description="members", ordering="active_members")
    def member_count(self, obj):
        return obj.active_members

    @admin.display(description="mentors", ordering="mentor_total")
    def mentor_count(self, obj):
        return obj.mentor_total


@admin.register(CohortInvite)
class CohortInviteAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "cohort",
        "created_by",
        "expires_at",
        "revoked_at",
        "use_count",
        "max_uses",
    ]
    list_select_related = ["cohort", "created_by"]
    list_filter = ["cohort"]
    search_fields = ["code", "cohort__name"]
    raw_id_fields = ["created_by"]


@admin.register(CohortEmailInvite)
class CohortEmailInviteAdmin(admin.ModelAdmin):
    """Invitations by e-mail. Mentors send them from the cohort's page (each e-mail is a
    Delivery row); here staff read them and may revoke one."""

    list_display = ["email", "cohort", "created_by", "created_at", "expires_at", "accepted_at"]
    list_select_related = ["cohort", "created_by"]
    list_filter = ["cohort"]
    search_fields = ["email", "cohort__name"]
    readonly_fields = [
        "cohort",
        "email",
        "created_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
    ]

    def has_add_permission(self, request):
        return False

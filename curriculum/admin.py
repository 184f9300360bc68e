"""Django admin for a curriculum editor: paths with their competencies and comparison rows,
competencies with one descriptor per level, projects with what they build and their checkpoints.
Validation lives in admin_forms.py; changelists annotate their counts so queries stay flat."""

from django.contrib import admin, messages
from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from .admin_forms import (
    CareerGoalAdminForm,
    LabelledInlineFormSet,
    LevelDescriptorForm,
    LevelDescriptorFormSet,
    PathAdminForm,
    PathCompetencyForm,
    PathCompetencyMoveForm,
    PathTraitForm,
    ProjectAdminForm,
    ProjectCheckpointForm,
    ProjectCompetencyForm,
    ProjectCompetencyFormSet,
    ResourceForm,
    ResourceFormSet,
)
from .models import (
    MAX_RESOURCES,
    CareerGoal,
    Competency,
    Level,
    LevelDescriptor,
    Path,
    PathCompetency,
    PathTrait,
    Project,
    ProjectCheckpoint,
    ProjectCompetency,
    Resource,
    ScaleLevel,
)
from .services import (
    POSITION_GROUPS,
    curriculum_changed,
    position_group,
    position_next,
    positions_renumber,
)


class CurriculumChangeMixin:
    """Every write through these pages gives the curriculum a new version, so caches keyed on
    it (the planner's input) are not used any more. Custom actions call curriculum_changed()
    themselves."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        curriculum_changed()

    def save_related(self, request, form, formsets, change):
        # Inlines and many-to-many fields (prerequisites) are saved after the object.
        super().save_related(request, form, formsets, change)
        curriculum_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        curriculum_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        curriculum_changed()


@admin.register(ScaleLevel)
class ScaleLevelAdmin(CurriculumChangeMixin, admin.ModelAdmin):
    list_display = ["level", "name", "descriptor"]
    list_display_links = ["level", "name"]
    ordering = ["level"]


class PositionPlacing:
    """Saving the rows of an ordered inline (path competencies, traits, checkpoints, resources):
    a new row goes after its list's last, deleted rows go, moves are applied, and every touched
    list is numbered 0, 1, 2, ... again. Editors never type a position."""

    def save_formset(self, request, form, formset, change):
        model = formset.model
        if model not in POSITION_GROUPS:
            return super().save_formset(request, form, formset, change)
        instances = formset.save(commit=False)  # fills formset.deleted_objects, deletes nothing
        groups = [position_group(obj) for obj in formset.deleted_objects]
        for obj in formset.deleted_objects:
            obj.delete()
        for instance in instances:
            if instance.pk is None:
                instance.position = position_next(model, **position_group(instance))
            instance.save()
        formset.save_m2m()
        moves = {}
        for f in formset.forms:
            if f.instance.pk is None or f in formset.deleted_forms:
                continue
            groups.append(position_group(f.instance))
            move = getattr(f, "cleaned_data", {}).get("move")
            if move:
                moves[f.instance.pk] = move
        positions_renumber(model, groups=groups, moves=moves)


class PositionedAdmin:
    """A model's own admin page when its rows are an ordered list (paths, projects within their
    path, career goals, resources): the form has a "move" choice instead of a position; a new
    row, or one moved to another list, goes last; deleting renumbers what is left."""

    def save_model(self, request, obj, form, change):
        model = type(obj)
        fields = POSITION_GROUPS[model]
        # form.initial holds the related rows' ids under the fields' names (path, not path_id)
        old = {name: form.initial.get(name.removesuffix("_id")) for name in fields}
        moved_list = change and old != position_group(obj)
        if obj.pk is None or moved_list:
            obj.position = position_next(model, **position_group(obj))
        super().save_model(request, obj, form, change)
        groups = [position_group(obj), *([old] if moved_list else [])]
        move = form.cleaned_data.get("move")
        positions_renumber(model, groups=groups, moves={obj.pk: move} if move else None)

    def delete_model(self, request, obj):
        group = position_group(obj)
        super().delete_model(request, obj)
        positions_renumber(type(obj), groups=[group])

    def delete_queryset(self, request, queryset):
        groups = [position_group(obj) for obj in queryset]
        super().delete_queryset(request, queryset)
        positions_renumber(queryset.model, groups=groups)


class PathTraitInline(admin.TabularInline):
    model = PathTrait
    form = PathTraitForm
    formset = LabelledInlineFormSet
    extra = 0
    fields = ["aspect", "value", "move"]


class PathCompetencyInline(admin.TabularInline):
    model = PathCompetency
    form = PathCompetencyMoveForm
    formset = LabelledInlineFormSet
    extra = 1
    fields = ["competency", "target_level", "weight", "move", "retired", "retired_at"]
    readonly_fields = ["retired_at"]
    # Retire instead of delete: the checkbox "retired" keeps learners' history readable.
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("competency")


@admin.register(Path)
class PathAdmin(PositionedAdmin, PositionPlacing, CurriculumChangeMixin, admin.ModelAdmin):
    form = PathAdminForm
    list_display = ["name", "slug", "position", "is_active", "competency_count", "project_count"]
    list_filter = ["is_active"]
    search_fields = ["name", "slug", "summary"]
    ordering = ["position", "name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [PathTraitInline, PathCompetencyInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                current_competencies=Count(
                    "path_competencies",
                    filter=Q(path_competencies__retired_at__isnull=True),
                    distinct=True,
                ),
                project_total=Count("projects", distinct=True),
            )
        )

    @admin.display(description="competencies", ordering="current_competencies")
    def competency_count(self, obj):
        return obj.current_competencies

    @admin.display(description="projects", ordering="project_total")
    def project_count(self, obj):
        return obj.project_total


@admin.register(PathCompetency)
class PathCompetencyAdmin(PositionedAdmin, CurriculumChangeMixin, admin.ModelAdmin):
    """Every path-competency row, to retire or un-retire several at once."""

    list_display = ["competency", "path", "target_level", "weight", "position", "retired_at"]
    list_select_related = ["competency", "path"]
    list_filter = ["path", ("retired_at", admin.EmptyFieldListFilter), "competency__kind"]
    search_fields = ["competency__name", "competency__slug", "path__name"]
    autocomplete_fields = ["competency"]
    form = PathCompetencyForm
    fields = ["path", "competency", "target_level", "weight", "retired", "retired_at"]
    readonly_fields = ["retired_at"]
    actions = ["retire", "unretire"]

    def has_delete_permission(self, request, obj=None):
        # Editors retire; deleting is for superusers cleaning up mistakes.
        return request.user.is_superuser

    @admin.action(description="Retire the selected path competencies", permissions=["change"])
    def retire(self, request, queryset):
        count = queryset.filter(retired_at__isnull=True).update(retired_at=timezone.now())
        curriculum_changed()
        self.message_user(request, f"Retired {count} path competencies.", messages.SUCCESS)

    @admin.action(description="Un-retire the selected path competencies", permissions=["change"])
    def unretire(self, request, queryset):
        count = queryset.filter(retired_at__isnull=False).update(retired_at=None)
        curriculum_changed()
        self.message_user(request, f"Un-retired {count} path competencies.", messages.SUCCESS)


class LevelDescriptorInline(admin.TabularInline):
    model = LevelDescriptor
    form = LevelDescriptorForm
    formset = LevelDescriptorFormSet
    fields = ["level", "description"]
    max_num = len(Level.values)

    def get_extra(self, request, obj=None, **kwargs):
        # One empty row per level still undescribed, each pre-set to its level.
        taken = obj.descriptors.count() if obj is not None and obj.pk else 0
        return max(self.max_num - taken, 0)


class ResourceInline(admin.StackedInline):
    model = Resource
    form = ResourceForm
    formset = ResourceFormSet
    extra = 1
    max_num = MAX_RESOURCES
    verbose_name = "learning resource"
    verbose_name_plural = "learning resources (best first; at most 8)"
    fieldsets = [
        (None, {"fields": [("title", "move"), "url", ("kind", "cost", "language")]}),
        (None, {"fields": [("minutes", "level_from", "level_to"), "note", "checked_on"]}),
        ("Link check", {"fields": ["link_status"], "classes": ["collapse"]}),
    ]
    readonly_fields = ["link_status"]

    @admin.display(description="last link check")
    def link_status(self, obj):
        return _link_status(obj)


def _link_status(obj) -> str:
    if obj is None or obj.last_checked_at is None:
        return "not checked yet"
    status = obj.last_status or "no answer"
    verdict = "broken" if obj.is_broken else "ok"
    return f"{verdict} ({status}) on {obj.last_checked_at:%Y-%m-%d}"


class BrokenLinkFilter(admin.SimpleListFilter):
    title = "link check"
    parameter_name = "link"

    def lookups(self, request, model_admin):
        return [("broken", "Broken"), ("ok", "Working"), ("unchecked", "Not checked yet")]

    def queryset(self, request, queryset):
        if self.value() == "broken":
            return queryset.broken()
        if self.value() == "ok":
            return queryset.filter(last_status__gte=200, last_status__lt=300)
        if self.value() == "unchecked":
            return queryset.filter(last_checked_at__isnull=True)
        return queryset


@admin.register(Resource)
class ResourceAdmin(PositionedAdmin, CurriculumChangeMixin, admin.ModelAdmin):
    """All resources in one list, to find broken links (manage.py check_links records them)."""

    form = ResourceForm
    list_display = [
        "title",
        "owner",
        "kind",
        "cost",
        "level_from",
        "level_to",
        "checked_on",
        "link_check",
    ]
    list_select_related = ["competency", "project"]
    list_filter = [BrokenLinkFilter, "kind", "cost", "language"]
    search_fields = ["title", "url", "note", "competency__name", "project__name"]
    ordering = ["competency__name", "project__name", "position"]
    readonly_fields = ["last_status", "last_checked_at"]

    fields = [
        "competency",
        "project",
        *ResourceForm.Meta.fields,
        "move",
        "last_status",
        "last_checked_at",
    ]
    # Plain selects, not autocomplete: select2's combobox has no accessible name (axe:
    # aria-input-field-name), and a curriculum has tens of competencies and projects, not
    # thousands.

    @admin.display(description="for")
    def owner(self, obj):
        return obj.competency or obj.project

    @admin.display(description="link check", ordering="last_status")
    def link_check(self, obj):
        return _link_status(obj)


class CompetencyPathInline(admin.TabularInline):
    """The paths a competency is on, from the competency's own page. A new row goes to the end
    of its path's list; the path page orders them."""

    model = PathCompetency
    form = PathCompetencyForm
    formset = LabelledInlineFormSet
    extra = 1
    fields = ["path", "target_level", "weight", "retired", "retired_at"]
    readonly_fields = ["retired_at"]
    can_delete = False
    verbose_name = "place on a path"
    verbose_name_plural = "paths it is on"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("path", "competency")


@admin.register(Competency)
class CompetencyAdmin(PositionPlacing, CurriculumChangeMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "category", "paths", "descriptor_count"]
    list_filter = ["kind", "category", "path_competencies__path"]
    search_fields = ["name", "slug", "summary"]
    ordering = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [CompetencyPathInline, LevelDescriptorInline, ResourceInline]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """A link to each path page that shows this competency, as a learner sees it."""
        paths = Path.objects.active().filter(
            path_competencies__competency_id=object_id,
            path_competencies__retired_at__isnull=True,
        )
        extra = {"learner_views": [(p.name, p.get_absolute_url()) for p in paths]}
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(descriptor_total=Count("descriptors", distinct=True))
            .prefetch_related(
                Prefetch(
                    "path_competencies",
                    queryset=PathCompetency.objects.select_related("path").order_by("path__name"),
                )
            )
        )

    @admin.display(description="used by paths")
    def paths(self, obj):
        names = [
            pc.path.name + (" (retired)" if pc.retired_at else "")
            for pc in obj.path_competencies.all()
        ]
        return ", ".join(names) or "-"

    @admin.display(description="descriptors", ordering="descriptor_total")
    def descriptor_count(self, obj):
        return obj.descriptor_total

    def get_deleted_objects(self, objs, request):
        """Ratings PROTECT their competency: say why it cannot go, in one line per competency,
        instead of listing every rating (or failing with a ProtectedError)."""
        ids = [obj.pk for obj in objs]
        rated = (
            Competency.objects.filter(pk__in=ids)
            .annotate(rating_total=Count("ratings"))
            .filter(rating_total__gt=0)
        )
        refusals = [
            f"{c.name}: learners have rated it {c.rating_total} "
            f"{'time' if c.rating_total == 1 else 'times'}. Ratings are history and "
            "are never deleted; retire it from its paths instead."
            for c in rated
        ]
        if refusals:
            return [], {}, set(), refusals
        return super().get_deleted_objects(objs, request)


class ProjectCheckpointInline(admin.TabularInline):
    model = ProjectCheckpoint
    form = ProjectCheckpointForm
    formset = LabelledInlineFormSet
    extra = 1
    fields = ["title", "description", "evidences", "move"]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "evidences":
            project_id = request.resolver_match.kwargs.get("object_id")
            if project_id:
                kwargs["queryset"] = Competency.objects.filter(built_by__project_id=project_id)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class ProjectCompetencyInline(admin.TabularInline):
    model = ProjectCompetency
    form = ProjectCompetencyForm
    formset = ProjectCompetencyFormSet
    extra = 1
    verbose_name = "competency it builds"
    verbose_name_plural = "competencies it builds"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("competency")


@admin.register(Project)
class ProjectAdmin(PositionedAdmin, PositionPlacing, CurriculumChangeMixin, admin.ModelAdmin):
    form = ProjectAdminForm
    list_display = [
        "name",
        "path",
        "difficulty",
        "estimated_hours",
        "is_active",
        "prerequisite_count",
        "build_count",
    ]
    list_select_related = ["path"]
    list_filter = ["path", "difficulty", "is_active"]
    search_fields = ["name", "slug", "summary"]
    ordering = ["path__position", "position", "name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ProjectCompetencyInline, ProjectCheckpointInline, ResourceInline]
    view_on_site = False  # the "view as a learner sees it" link says it better

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """A link to the project's page as a learner sees it (active projects have one)."""
        project = Project.objects.filter(pk=object_id, is_active=True).first()
        views = [(project.name, project.get_absolute_url())] if project else []
        extra = {"learner_views": views}
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                prerequisite_total=Count("prerequisites", distinct=True),
                build_total=Count("builds", distinct=True),
            )
        )

    @admin.display(description="prerequisites", ordering="prerequisite_total")
    def prerequisite_count(self, obj):
        return obj.prerequisite_total

    @admin.display(description="competencies built", ordering="build_total")
    def build_count(self, obj):
        return obj.build_total


@admin.register(CareerGoal)
class CareerGoalAdmin(PositionedAdmin, CurriculumChangeMixin, admin.ModelAdmin):
    form = CareerGoalAdminForm
    list_display = ["label", "recommended_path", "position"]
    list_select_related = ["recommended_path"]
    list_filter = ["recommended_path"]
    search_fields = ["label", "reason", "slug"]
    ordering = ["position", "id"]
    prepopulated_fields = {"slug": ["label"]}

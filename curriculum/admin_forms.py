"""Forms and inline formsets behind the curriculum admin: the validation a curriculum editor
sees as messages on the page (prerequisite cycles, builds outside the path, one descriptor per
level, levels within the scale)."""

from django import forms
from django.forms.models import BaseInlineFormSet
from django.forms.utils import pretty_name
from django.utils import timezone

from .graph import edges_reachable_from, find_cycle
from .models import (
    MAX_RESOURCES,
    CareerGoal,
    Level,
    LevelDescriptor,
    Path,
    PathCompetency,
    PathTrait,
    Project,
    ProjectCheckpoint,
    ProjectCompetency,
    Resource,
)

# "3 Proficient" rather than "Proficient": editors think in numbers and words at once.
LEVEL_CHOICES = [(value, f"{value} {label}") for value, label in Level.choices]
TARGET_CHOICES = [(value, label) for value, label in LEVEL_CHOICES if value >= 1]
# A row's place in an ordered list changes by one of these, never by a typed number.
MOVES = [
    ("", "stay"),
    ("up", "up one"),
    ("down", "down one"),
    ("top", "to the top"),
    ("bottom", "to the bottom"),
]


def prerequisite_cycle(project: Project, prerequisites) -> list[str] | None:
    """Names along a cycle that `prerequisites` as the project's new prerequisites would close,
    starting and ending at `project`; None if the graph stays acyclic."""
    through = Project.prerequisites.through
    others = through.objects.exclude(from_project_id=project.pk).values_list(
        "from_project_id", "to_project_id"
    )
    # Only what the project depends on matters: a cycle elsewhere (say, from a bad import) is
    # not this edit's fault. Its own new edges go first, so the search starts from it.
    edges = [(project.pk, p.pk) for p in prerequisites] + list(others)
    cycle = find_cycle(edges_reachable_from(edges, project.pk))
    if cycle is None:
        return None
    if project.pk in cycle[:-1]:
        start = cycle.index(project.pk)
        cycle = [*cycle[start:-1], *cycle[:start], project.pk]
    names = Project.objects.in_bulk(set(cycle))
    return [names[pk].name for pk in cycle]


class ProjectAdminForm(forms.ModelForm):
    move = forms.ChoiceField(
        choices=MOVES,
        required=False,
        label="Place among the path's projects",
        help_text="A new project, or one moved to another path, goes last.",
    )

    class Meta:
        model = Project
        fields = [
            "slug",
            "name",
            "path",
            "summary",
            "difficulty",
            "estimated_hours",
            "is_active",
            "prerequisites",
        ]
        # Checkboxes rather than the admin's two-box filter, whose JavaScript puts ARIA
        # attributes on elements that may not carry them (axe: aria-prohibited-attr).
        widgets = {"prerequisites": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["prerequisites"]
        field.queryset = Project.objects.select_related("path").order_by(
            "path__position", "path__name", "position", "name"
        )
        field.label_from_instance = lambda p: f"{p.name} ({p.path.name})"
        field.help_text = "Projects of the same path to finish first."

    def clean(self):
        cleaned = super().clean()
        prerequisites = cleaned.get("prerequisites")
        path = cleaned.get("path")
        if prerequisites is not None and path is not None:
            others = [p for p in prerequisites if p.path_id != path.pk]
            if others:
                names = ", ".join(f"{p.name} ({p.path.name})" for p in others)
                self.add_error(
                    "prerequisites",
                    f"Prerequisites come from the project's own path ({path.name}); "
                    f"these are on another path: {names}.",
                )
                return cleaned
        # A project being added has no dependants yet, so it cannot close a cycle.
        if prerequisites is None or self.instance.pk is None:
            return cleaned
        # The M2M is saved after this clean, so check the new set against the rest of the graph.
        cycle = prerequisite_cycle(self.instance, prerequisites)
        if cycle is None:
            return cleaned
        if len(cycle) == 2:
            message = f"{cycle[0]} cannot be its own prerequisite."
        else:
            message = (
                f"These prerequisites would make a cycle: {' -> '.join(cycle)}. "
                "A project cannot depend on itself, directly or through other projects; "
                "remove one of these links."
            )
        self.add_error("prerequisites", message)
        return cleaned


class LabelledInlineFormSet(BaseInlineFormSet):
    """A tabular inline shows its field labels only as column headings, which screen readers
    (and axe) do not tie to the inputs: each input gets an aria-label naming its column and
    row ("Target level, Python on AI Developer" or "Weight, new row 2")."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if index is None:  # the empty form the "add another" button copies
            row = "new row"
        elif form.instance.pk is not None:
            row = str(form.instance)
        else:
            row = f"new row {index + 1}"
        for name, field in form.fields.items():
            if field.widget.is_hidden:
                continue
            label = "Delete" if name == "DELETE" else (field.label or pretty_name(name))
            # The admin wraps related-object selects (with the add and change links).
            widget = getattr(field.widget, "widget", field.widget)
            widget.attrs.setdefault("aria-label", f"{label}, {row}")


class ProjectCompetencyFormSet(LabelledInlineFormSet):
    """A project may only build competencies of its own path (current, not retired)."""

    def clean(self):
        project = self.instance
        if project.path_id is not None:
            rows = PathCompetency.objects.filter(path_id=project.path_id).values_list(
                "competency_id", "retired_at"
            )
            retired = {cid for cid, retired_at in rows if retired_at is not None}
            current = {cid for cid, retired_at in rows if retired_at is None}
            path_name = project.path.name
            for form in self.forms:
                if self.can_delete and self._should_delete_form(form):
                    continue
                competency = getattr(form, "cleaned_data", {}).get("competency")
                if competency is None or competency.pk in current:
                    continue
                if competency.pk in retired:
                    message = (
                        f"{competency.name} is retired from the {path_name} path; "
                        "un-retire it there first."
                    )
                else:
                    message = (
                        f"{competency.name} is not a competency of the {path_name} path; "
                        "add it to the path first."
                    )
                form.add_error("competency", message)
        super().clean()


class ProjectCompetencyForm(forms.ModelForm):
    class Meta:
        model = ProjectCompetency
        fields = ["competency", "builds_to_level"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["builds_to_level"].choices = [("", "---------"), *TARGET_CHOICES]


class LevelDescriptorForm(forms.ModelForm):
    class Meta:
        model = LevelDescriptor
        fields = ["level", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3, "cols": 80})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [("", "---------"), *LEVEL_CHOICES]


class LevelDescriptorFormSet(LabelledInlineFormSet):
    """Offers one row per level of the scale that the competency has no descriptor for yet, and
    says on the row when a level is described twice (instead of an IntegrityError)."""

    def __init__(self, *args, **kwargs):
        instance = kwargs.get("instance")
        taken = set()
        if instance is not None and instance.pk is not None:
            taken = set(instance.descriptors.values_list("level", flat=True))
        kwargs.setdefault("initial", [{"level": lvl} for lvl in Level.values if lvl not in taken])
        super().__init__(*args, **kwargs)

    def clean(self):
        seen: set[int] = set()
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            level = getattr(form, "cleaned_data", {}).get("level")
            if level is None:
                continue
            if level in seen:
                form.add_error(
                    "level",
                    f"Level {level} ({Level(level).label}) is described twice; "
                    "keep one description per level.",
                )
            seen.add(level)
        super().clean()


class PathCompetencyForm(forms.ModelForm):
    """Retiring is a checkbox (it sets retired_at): retired competencies leave readiness but
    learners' ratings of them stay, so editors retire instead of deleting."""

    retired = forms.BooleanField(
        required=False,
        help_text="Retired competencies leave readiness; learners' history keeps them.",
    )

    class Meta:
        model = PathCompetency
        fields = ["competency", "target_level", "weight"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["retired"] = self.instance.retired_at is not None
        self.fields["target_level"].choices = TARGET_CHOICES

    def clean(self):
        cleaned = super().clean()
        retired = cleaned.get("retired", False)
        if retired and self.instance.retired_at is None:
            self.instance.retired_at = timezone.now()
        elif not retired:
            self.instance.retired_at = None
        return cleaned


class ResourceForm(forms.ModelForm):
    """One resource row: labelled levels, the https rule and from <= to said on the row; its
    place among its owner's resources changes by a move (best first)."""

    move = forms.ChoiceField(choices=MOVES, required=False, label="Move")

    class Meta:
        model = Resource
        fields = [
            "title",
            "url",
            "kind",
            "cost",
            "language",
            "minutes",
            "level_from",
            "level_to",
            "note",
            "checked_on",
        ]
        widgets = {
            "note": forms.Textarea(attrs={"rows": 2, "cols": 40}),
            "title": forms.TextInput(attrs={"size": 30}),
            "url": forms.URLInput(attrs={"size": 40}),
            "language": forms.TextInput(attrs={"size": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("level_from", "level_to"):
            self.fields[name].choices = LEVEL_CHOICES
        self.fields["url"].help_text = "https:// only."

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("level_from"), cleaned.get("level_to")
        if low is not None and high is not None and low > high:
            self.add_error(
                "level_to",
                f"It serves levels from {low} up, so the last level cannot be {high}.",
            )
        return cleaned


class ResourceFormSet(LabelledInlineFormSet):
    """At most MAX_RESOURCES per competency or project, and each URL once (said on the row,
    instead of an IntegrityError)."""

    def clean(self):
        # Before the formset's own unique check, which would drop the duplicate's url.
        seen: dict[str, int] = {}
        kept = 0
        for form in self.forms:
            if self.can_delete and self._should_delete_form(form):
                continue
            data = getattr(form, "cleaned_data", {})
            url = data.get("url")
            if not url:
                continue
            kept += 1
            if url in seen:
                form.add_error("url", f"This address is already listed (row {seen[url]}).")
            else:
                seen[url] = kept
        if kept > MAX_RESOURCES:
            raise forms.ValidationError(
                f"{kept} resources; keep at most {MAX_RESOURCES}, the best first."
            )
        super().clean()


# --- the curriculum file pages (curriculum/admin_views.py)

MAX_UPLOAD_BYTES = 2 * 1024 * 1024


class CurriculumUploadForm(forms.Form):
    file = forms.FileField(
        label="Curriculum file (YAML)",
        help_text="The import_curriculum format; nothing changes until you confirm.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 2 MB; is it a curriculum file?")
        try:
            self.text = upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError("The file is not UTF-8 text.") from None
        return upload


class CurriculumConfirmForm(forms.Form):
    """The previewed file travels back with the confirmation, with the fingerprint of the
    changes shown, so the import refuses to do anything but what was previewed."""

    data_text = forms.CharField(widget=forms.HiddenInput, strip=False)
    source_name = forms.CharField(widget=forms.HiddenInput, max_length=255)
    digest = forms.CharField(widget=forms.HiddenInput, max_length=64)
    retire_missing = forms.BooleanField(
        required=False,
        label="Also retire or delete what the file does not list (shown above)",
    )


class MoveFormMixin(forms.Form):
    """A row's place changes by a move, never by a typed number: new rows go to the end, and
    curriculum.services.positions_renumber applies the moves and numbers the list again."""

    move = forms.ChoiceField(choices=MOVES, required=False, label="Move")


class PathCompetencyMoveForm(MoveFormMixin, PathCompetencyForm):
    """A row of the path page's competency list."""


class PathAdminForm(MoveFormMixin, forms.ModelForm):
    class Meta:
        model = Path
        fields = [
            "slug",
            "name",
            "summary",
            "best_fit_when",
            "outcome",
            "is_active",
            "recommended_earlier_path",
        ]


class PathTraitForm(MoveFormMixin, forms.ModelForm):
    class Meta:
        model = PathTrait
        fields = ["aspect", "value"]


class ProjectCheckpointForm(MoveFormMixin, forms.ModelForm):
    class Meta:
        model = ProjectCheckpoint
        fields = ["title", "description", "evidences"]


class CareerGoalAdminForm(MoveFormMixin, forms.ModelForm):
    class Meta:
        model = CareerGoal
        fields = ["slug", "label", "recommended_path", "reason"]

"""The curriculum: paths, competencies (skills and tools), the 0-4 level scale with descriptors,
portfolio projects and what each project builds. Everything here is edited in Django admin and
round-trips through curriculum/default_curriculum.yaml."""

import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

MIN_LEVEL = 0
MAX_LEVEL = 4


class Level(models.IntegerChoices):
    NONE = 0, "None"
    AWARE = 1, "Aware"
    WORKING = 2, "Working"
    PROFICIENT = 3, "Proficient"
    EXPERT = 4, "Expert"


level_validators = [MinValueValidator(MIN_LEVEL), MaxValueValidator(MAX_LEVEL)]
target_validators = [MinValueValidator(1), MaxValueValidator(MAX_LEVEL)]


class ScaleLevelQuerySet(models.QuerySet):
    def names(self) -> dict[int, str]:
        """{level: name} for every level of the scale, Level's labels standing in for missing
        rows: one query."""
        return {**dict(Level.choices), **dict(self.values_list("level", "name"))}


class ScaleLevel(models.Model):
    """The default meaning of each level, shown where a competency has no descriptor of its own."""

    level = models.PositiveSmallIntegerField(
        unique=True, choices=Level, validators=level_validators
    )
    name = models.CharField(max_length=40)
    descriptor = models.TextField()

    objects = ScaleLevelQuerySet.as_manager()

    class Meta:
        ordering = ["level"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=MIN_LEVEL, level__lte=MAX_LEVEL), name="scalelevel_in_scale"
            )
        ]

    def __str__(self):
        return f"{self.level} {self.name}"


class PathQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Path(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=80, unique=True)
    summary = models.TextField()
    best_fit_when = models.TextField(help_text="Who this path suits, in the learner's words.")
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    outcome = models.TextField(
        blank=True,
        help_text="What someone who reaches this path's targets can do, with the measures "
        "that show it.",
    )
    recommended_earlier_path = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recommended_before",
        help_text="A path worth following first (for example AI Developer before AI Engineer).",
    )
    # The path's identifier as a CASE CFDocument (curriculum/case.py): stable across renames.
    case_uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    objects = PathQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("curriculum:path_detail", args=[self.slug])

    def clean(self):
        super().clean()
        if self.pk is not None and self.recommended_earlier_path_id == self.pk:
            raise ValidationError({"recommended_earlier_path": "A path cannot come before itself."})


class PathTrait(models.Model):
    """One row of the side-by-side comparison (main focus, typical output, tool mindset, ...)."""

    path = models.ForeignKey(Path, on_delete=models.CASCADE, related_name="traits")
    aspect = models.CharField(max_length=80)
    value = models.TextField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["path", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["path", "aspect"], name="pathtrait_unique_aspect")
        ]

    def __str__(self):
        return f"{self.path}: {self.aspect}"


class Competency(models.Model):
    """A skill or a tool. Ratings point at this row's identity, so renaming keeps history."""

    class Kind(models.TextChoices):
        SKILL = "skill", "Skill"
        TOOL = "tool", "Tool"

    slug = models.SlugField(unique=True, max_length=80)
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=10, choices=Kind, default=Kind.SKILL)
    category = models.CharField(
        max_length=80, blank=True, help_text="Groups competencies on the assessment page."
    )
    summary = models.TextField(blank=True)
    # The competency's identifier as a CASE CFItem (curriculum/case.py): stable across renames.
    case_uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "competencies"

    def __str__(self):
        return self.name


class PathCompetencyQuerySet(models.QuerySet):
    def current(self):
        return self.filter(retired_at__isnull=True)

    def for_assessment(self, path):
        """The path's current competencies in assessment-page order (category, skills first)."""
        return (
            self.current()
            .filter(path=path)
            .select_related("competency")
            .order_by("competency__category", "competency__kind", "position", "competency__name")
        )


class PathCompetency(models.Model):
    """A competency's place in a path: the level the path needs and how much it counts."""

    path = models.ForeignKey(Path, on_delete=models.CASCADE, related_name="path_competencies")
    competency = models.ForeignKey(
        Competency, on_delete=models.PROTECT, related_name="path_competencies"
    )
    target_level = models.PositiveSmallIntegerField(
        choices=Level, default=Level.PROFICIENT, validators=target_validators
    )
    weight = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text="1 (nice to have) to 10 (essential).",
    )
    position = models.PositiveSmallIntegerField(default=0)
    retired_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Retired competencies leave readiness but stay in learners' history.",
    )

    objects = PathCompetencyQuerySet.as_manager()

    class Meta:
        ordering = ["path", "position", "id"]
        verbose_name = "path competency"
        verbose_name_plural = "path competencies"
        constraints = [
            models.UniqueConstraint(fields=["path", "competency"], name="pathcompetency_unique"),
            models.CheckConstraint(
                condition=Q(target_level__gte=1, target_level__lte=MAX_LEVEL),
                name="pathcompetency_target_in_scale",
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=1, weight__lte=10), name="pathcompetency_weight_range"
            ),
        ]

    def __str__(self):
        return f"{self.path}: {self.competency} (target {self.target_level})"


class LevelDescriptorQuerySet(models.QuerySet):
    def as_map(self) -> dict[tuple[int, int], str]:
        """{(competency_id, level): description} in one query."""
        return {
            (cid, level): text
            for cid, level, text in self.values_list("competency_id", "level", "description")
        }


class LevelDescriptor(models.Model):
    """What one level looks like for one competency, in observable terms."""

    competency = models.ForeignKey(Competency, on_delete=models.CASCADE, related_name="descriptors")
    level = models.PositiveSmallIntegerField(choices=Level, validators=level_validators)
    description = models.TextField()

    objects = LevelDescriptorQuerySet.as_manager()

    class Meta:
        ordering = ["competency", "level"]
        constraints = [
            models.UniqueConstraint(fields=["competency", "level"], name="leveldescriptor_unique"),
            models.CheckConstraint(
                condition=Q(level__gte=MIN_LEVEL, level__lte=MAX_LEVEL),
                name="leveldescriptor_in_scale",
            ),
        ]

    def __str__(self):
        return f"{self.competency} at {self.level}"


class Project(models.Model):
    class Difficulty(models.TextChoices):
        BEGINNER = "beginner", "Beginner"
        INTERMEDIATE = "intermediate", "Intermediate"
        ADVANCED = "advanced", "Advanced"

    slug = models.SlugField(unique=True, max_length=80)
    name = models.CharField(max_length=160)
    path = models.ForeignKey(Path, on_delete=models.PROTECT, related_name="projects")
    summary = models.TextField()
    difficulty = models.CharField(max_length=20, choices=Difficulty, default=Difficulty.BEGINNER)
    estimated_hours = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(500)]
    )
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    prerequisites = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="dependants"
    )
    # The project's identifier as a CASE CFItem (curriculum/case.py): stable across renames.
    case_uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        ordering = ["path", "position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(estimated_hours__gte=1), name="project_hours_positive"
            )
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        # The project page is the learner-progress app's: it says what the project closes for the
        # learner reading it.
        return reverse("roadmap:project_detail", args=[self.slug])


class ProjectCheckpoint(models.Model):
    """A deliverable or checkpoint of a project; it becomes a dated milestone on a plan."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="checkpoints")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    evidences = models.ManyToManyField(
        Competency,
        blank=True,
        related_name="evidenced_by",
        help_text="Competencies this deliverable shows at the level the project builds them to. "
        "Every build claim at level 3 or above needs one.",
    )

    class Meta:
        ordering = ["project", "position", "id"]

    def __str__(self):
        return self.title


class ProjectCompetency(models.Model):
    """A project builds a competency up to a level."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="builds")
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="built_by")
    builds_to_level = models.PositiveSmallIntegerField(choices=Level, validators=target_validators)

    class Meta:
        ordering = ["project", "competency__name"]
        verbose_name = "project competency"
        verbose_name_plural = "project competencies"
        constraints = [
            models.UniqueConstraint(
                fields=["project", "competency"], name="projectcompetency_unique"
            ),
            models.CheckConstraint(
                condition=Q(builds_to_level__gte=1, builds_to_level__lte=MAX_LEVEL),
                name="projectcompetency_level_in_scale",
            ),
        ]

    def __str__(self):
        return f"{self.project} builds {self.competency} to {self.builds_to_level}"


# A competency shows at most this many resources (the best first); the admin and the file
# import refuse more.
MAX_RESOURCES = 8
# A resource not checked (by hand or by check_links) for this many days is reported stale.
RESOURCE_STALE_DAYS = 90

https_only = URLValidator(
    schemes=["https"], message="Enter an https:// address.", code="https_only"
)


class ResourceQuerySet(models.QuerySet):
    def for_competency_levels(self, steps):
        """The resources for each (competency_id, level) step, in one query: the resources of the
        competency whose level range covers `level` (level_from <= level <= level_to), best first.
        `steps` is an iterable of (competency_id, level), typically (competency, next level) of
        each gap. Returns {(competency_id, level): [Resource, ...]}; steps without resources map
        to an empty list. Chain a filter first to narrow (say `.free()`)."""
        steps = list(dict.fromkeys(steps))
        found: dict[tuple[int, int], list] = {step: [] for step in steps}
        if not steps:
            return found
        wanted: dict[int, set[int]] = {}
        for cid, level in steps:
            wanted.setdefault(cid, set()).add(level)
        low = min(level for _, level in steps)
        high = max(level for _, level in steps)
        rows = self.filter(
            competency_id__in=list(wanted), level_from__lte=high, level_to__gte=low
        ).order_by("competency_id", "position", "id")
        for resource in rows:
            for level in wanted[resource.competency_id]:
                if resource.level_from <= level <= resource.level_to:
                    found[(resource.competency_id, level)].append(resource)
        return found

    def for_step(self, competency_id: int, level: int):
        """The resources that help a learner reach `level` in one competency, best first."""
        return self.filter(
            competency_id=competency_id, level_from__lte=level, level_to__gte=level
        ).order_by("position", "id")

    def free(self):
        return self.filter(cost=Resource.Cost.FREE)

    def broken(self):
        """Checked at least once and did not answer 2xx (or did not answer at all: status 0)."""
        return self.filter(last_checked_at__isnull=False).exclude(
            last_status__gte=200, last_status__lt=300
        )


class Resource(models.Model):
    """Something to read, watch or practise that helps a learner through a range of levels of one
    competency, or through one project. Each resource row belongs to exactly one competency or
    one project (so its note and levels are about that use); the same URL may appear under
    several competencies, but at most once under each."""

    class Kind(models.TextChoices):
        DOCS = "docs", "Official documentation"
        COURSE = "course", "Course"
        TUTORIAL = "tutorial", "Tutorial"
        VIDEO = "video", "Video"
        ARTICLE = "article", "Article"
        BOOK = "book", "Book"
        REPOSITORY = "repository", "Repository"
        PAPER = "paper", "Paper"
        TOOL = "tool", "Tool"

    class Cost(models.TextChoices):
        FREE = "free", "Free"
        FREEMIUM = "freemium", "Free with paid extras"
        PAID = "paid", "Paid"

    competency = models.ForeignKey(
        Competency, on_delete=models.CASCADE, null=True, blank=True, related_name="resources"
    )
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, null=True, blank=True, related_name="resources"
    )
    position = models.PositiveSmallIntegerField(default=0, help_text="0 is shown first.")
    title = models.CharField(max_length=200)
    url = models.URLField("URL", max_length=500, validators=[https_only])
    kind = models.CharField(max_length=12, choices=Kind, default=Kind.DOCS)
    cost = models.CharField(max_length=10, choices=Cost, default=Cost.FREE)
    language = models.CharField(
        max_length=8, default="en", help_text="Language code of the content, such as en or de."
    )
    minutes = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(10000)],
        help_text="Rough time to work through it, in minutes.",
    )
    level_from = models.PositiveSmallIntegerField(
        "from level", choices=Level, default=Level.NONE, validators=level_validators
    )
    level_to = models.PositiveSmallIntegerField(
        "to level", choices=Level, default=Level.WORKING, validators=level_validators
    )
    note = models.CharField(max_length=300, help_text="Why it is worth the learner's time.")
    checked_on = models.DateField(
        null=True, blank=True, help_text="When a person last confirmed it is still good."
    )
    last_status = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="HTTP status of the last link check (0: no answer)."
    )
    last_checked_at = models.DateTimeField(null=True, blank=True)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        ordering = ["competency", "project", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(competency__isnull=False) & Q(project__isnull=True))
                | (Q(competency__isnull=True) & Q(project__isnull=False)),
                name="resource_one_owner",
            ),
            models.UniqueConstraint(
                fields=["competency", "url"], name="resource_unique_url_per_competency"
            ),
            models.UniqueConstraint(
                fields=["project", "url"], name="resource_unique_url_per_project"
            ),
            models.CheckConstraint(
                condition=Q(level_from__gte=MIN_LEVEL, level_to__lte=MAX_LEVEL),
                name="resource_levels_in_scale",
            ),
            models.CheckConstraint(
                condition=Q(level_from__lte=models.F("level_to")),
                name="resource_levels_ordered",
            ),
            models.CheckConstraint(
                condition=Q(url__startswith="https://"), name="resource_url_https"
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if (
            self.level_from is not None
            and self.level_to is not None
            and self.level_from > self.level_to
        ):
            raise ValidationError(
                {"level_to": "The last level it serves cannot be below the first."}
            )

    @property
    def is_broken(self) -> bool:
        return self.last_checked_at is not None and not (200 <= (self.last_status or 0) < 300)


class CareerGoal(models.Model):
    """A goal from the career-mapping section; the path questionnaire recommends from these."""

    slug = models.SlugField(unique=True)
    label = models.CharField(max_length=160)
    recommended_path = models.ForeignKey(Path, on_delete=models.PROTECT, related_name="goals")
    reason = models.TextField()
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.label


class CurriculumVersionQuerySet(models.QuerySet):
    def current(self):
        """The one row (none before the first change of a fresh database)."""
        return self.filter(pk=1)

    def token(self) -> str:
        """The current version token ("" before the first change of a fresh database)."""
        return self.current().values_list("token", flat=True).first() or ""


class CurriculumVersion(models.Model):
    """One row whose token changes with every change of the curriculum (admin and import, through
    curriculum.services.curriculum_changed), so what is derived from the curriculum can be
    cached, per process, under the token (the planner's input: roadmap.services.plans)."""

    token = models.CharField(max_length=32)
    changed_at = models.DateTimeField(default=timezone.now)

    objects = CurriculumVersionQuerySet.as_manager()

    def __str__(self):
        return f"curriculum version {self.token} ({self.changed_at:%Y-%m-%d %H:%M})"

import factory
from django.utils import timezone

from accounts.models import Cohort, CohortMembership, User
from curriculum.models import (
    Competency,
    LevelDescriptor,
    Path,
    PathCompetency,
    Project,
    ProjectCheckpoint,
    ProjectCompetency,
    Resource,
)
from roadmap.models import Rating

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    role = User.Role.LEARNER
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class LearnerFactory(UserFactory):
    role = User.Role.LEARNER


class MentorFactory(UserFactory):
    role = User.Role.MENTOR


class StaffFactory(UserFactory):
    is_staff = True


class CohortStaffFactory(StaffFactory):
    """Staff who run the cohort programme: being staff alone grants no mentor data."""

    @factory.post_generation
    def cohort_permission(self, create, extracted, **kwargs):
        from django.contrib.auth.models import Permission

        if create:
            self.user_permissions.add(Permission.objects.get(codename="view_all_cohorts"))


class PathFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Path
        django_get_or_create = ["slug"]

    slug = factory.Sequence(lambda n: f"path-{n}")
    name = factory.Sequence(lambda n: f"Path {n}")
    summary = "Builds things."
    best_fit_when = "You like building things."


class CompetencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Competency

    slug = factory.Sequence(lambda n: f"competency-{n}")
    name = factory.Sequence(lambda n: f"Competency {n}")
    kind = Competency.Kind.SKILL
    category = "Core"


class PathCompetencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PathCompetency

    path = factory.SubFactory(PathFactory)
    competency = factory.SubFactory(CompetencyFactory)
    target_level = 3
    weight = 3
    position = factory.Sequence(lambda n: n)


class LevelDescriptorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LevelDescriptor

    competency = factory.SubFactory(CompetencyFactory)
    level = 0
    description = factory.LazyAttribute(lambda o: f"Level {o.level} of {o.competency.name}")


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    slug = factory.Sequence(lambda n: f"project-{n}")
    name = factory.Sequence(lambda n: f"Project {n}")
    path = factory.SubFactory(PathFactory)
    summary = "A portfolio project."
    estimated_hours = 20


class ResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resource

    competency = factory.SubFactory("tests.factories.CompetencyFactory")
    title = factory.Sequence(lambda n: f"Resource {n}")
    url = factory.Sequence(lambda n: f"https://docs.example.org/page-{n}/")
    kind = Resource.Kind.DOCS
    cost = Resource.Cost.FREE
    minutes = 30
    level_from = 0
    level_to = 2
    note = "Worth reading."


class ProjectCheckpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectCheckpoint

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Deliverable {n}")
    position = factory.Sequence(lambda n: n)


class ProjectCompetencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectCompetency

    project = factory.SubFactory(ProjectFactory)
    competency = factory.SubFactory(CompetencyFactory)
    builds_to_level = 3


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    name = factory.Sequence(lambda n: f"Cohort {n}")
    path = factory.SubFactory(PathFactory)
    start_date = factory.LazyFunction(lambda: timezone.localdate())


class CohortMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CohortMembership

    cohort = factory.SubFactory(CohortFactory)
    learner = factory.SubFactory(LearnerFactory)


class RatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rating

    learner = factory.SubFactory(LearnerFactory)
    competency = factory.SubFactory(CompetencyFactory)
    level = 2
    created_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Through the service, so previous_level and CurrentRating stay right.
        from roadmap.services.assessment import rating_store

        return rating_store(model_class(*args, **kwargs))

import uuid

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from roadmap.models import Celebration, LoggedHours, StudiedResource
from roadmap.models.api import PersonalToken
from roadmap.models.credentials import Credential
from tests import factories
from tests.factories_admin import (
    CareerGoalFactory,
    PathSelectionFactory,
    PathTraitFactory,
    ScaleLevelFactory,
)
from tests.factories_mentoring import (
    CheckpointSignOffFactory,
    CohortInviteFactory,
    FeedbackFactory,
    RatingVerificationFactory,
)
from tests.factories_plans import PlanFactory, PlanItemFactory
from tests.factories_reminders import (
    DeliveryFactory,
    NotificationFactory,
    ReminderPreferenceFactory,
)


@pytest.fixture
def superuser(db):
    return factories.StaffFactory(email="root@example.com", is_superuser=True)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def grow(count: int, *, path=None) -> dict:
    """`count` rows of every admin-managed model, each with related rows, so that changelists
    show counts and related names (what could make their queries grow per row)."""
    path = path or factories.PathFactory(slug="ai-developer", name="AI Developer")
    for level in range(5):
        ScaleLevelFactory(level=level)
    made: dict = {"path": path}
    Group.objects.get_or_create(name="Editors")
    for _ in range(count):
        other_path = factories.PathFactory()
        PathTraitFactory(path=other_path)
        competency = factories.CompetencyFactory()
        factories.PathCompetencyFactory(path=path, competency=competency)
        factories.PathCompetencyFactory(path=other_path, competency=competency)
        factories.LevelDescriptorFactory(competency=competency, level=1)
        project = factories.ProjectFactory(path=path)
        factories.ProjectCompetencyFactory(project=project, competency=competency)
        factories.ProjectCheckpointFactory(project=project)
        factories.ResourceFactory(competency=competency)
        factories.ResourceFactory(competency=None, project=project)
        if "project" in made:
            project.prerequisites.add(made["project"])
        mentor = factories.MentorFactory()
        learner = factories.LearnerFactory(target_path=path)
        cohort = factories.CohortFactory(path=path)
        cohort.mentors.add(mentor)
        factories.CohortMembershipFactory(cohort=cohort, learner=learner)
        rating = factories.RatingFactory(learner=learner, competency=competency)
        plan = PlanFactory(learner=learner, path=path)
        item = PlanItemFactory(plan=plan, project=project)
        LoggedHours.objects.create(
            learner=learner, item=item, day=timezone.now().date(), hours=2, token=uuid.uuid4()
        )
        Celebration.objects.create(
            learner=learner,
            path=path,
            kind=Celebration.Kind.PROJECT_DONE,
            subject_id=project.pk,
            name=project.name,
            achieved_at=timezone.now(),
        )
        FeedbackFactory(learner=learner, author=mentor, competency=competency)
        RatingVerificationFactory(rating=rating, mentor=mentor)
        CheckpointSignOffFactory(
            learner=learner, mentor=mentor, checkpoint=project.checkpoints.first()
        )
        CohortInviteFactory(cohort=cohort, created_by=mentor)
        ReminderPreferenceFactory(user=learner)
        DeliveryFactory(recipient=learner)
        NotificationFactory(user=learner)
        StudiedResource.objects.create(learner=learner, resource=competency.resources.first())
        Credential.objects.create(
            learner=learner,
            project=project,
            jwt="header.payload.signature",
            kid="test",
            issued_at=timezone.now(),
        )
        PersonalToken.objects.create(
            user=learner, name="ci", token_hash=f"{learner.pk:064d}", prefix="gm_0000"
        )
        PathSelectionFactory(learner=learner, path=path)
        CareerGoalFactory(recommended_path=other_path)
        made.update(competency=competency, project=project, learner=learner, cohort=cohort)
    return made

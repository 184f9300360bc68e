"""What a learner studies: the curriculum's resources for the steps in front of them (filtered
to free ones when they asked), and the "studied" marks, which count as activity."""

from django.db import IntegrityError, transaction

from accounts.models import User
from curriculum.models import Resource
from roadmap.models import StudiedResource
from roadmap.services.assessment import activity_touch


def _visible(learner: User):
    resources = Resource.objects.all()
    return resources.free() if learner.free_resources_only else resources


def resources_for_steps(*, learner: User, steps) -> dict[tuple[int, int], list[Resource]]:
    """{(competency_id, level): [resources]} for each step, best first: one query."""
    return _visible(learner).for_competency_levels(steps)


def resources_for_project(*, learner: User, project_id: int) -> list[Resource]:
    return list(_visible(learner).filter(project_id=project_id).order_by("position", "id"))


def resources_for_path_projects(*, free_only: bool, path_id: int) -> dict[int, list[Resource]]:
    """{project id: [resources], best first} of the path's projects, one query. Takes the
    learner's free-only preference rather than the learner, so the plan page can keep the
    result per curriculum version and preference."""
    resources = Resource.objects.filter(project__path_id=path_id)
    if free_only:
        resources = resources.free()
    by_project: dict[int, list[Resource]] = {}
    for resource in resources.order_by("project_id", "position", "id"):
        by_project.setdefault(resource.project_id, []).append(resource)
    return by_project


def studied_ids(*, learner: User, resource_ids) -> set[int]:
    """Which of these resources the learner has marked as studied: one query."""
    return set(
        StudiedResource.objects.filter(
            learner=learner, resource_id__in=list(resource_ids)
        ).values_list("resource_id", flat=True)
    )


def resource_studied_set(*, learner: User, resource: Resource, studied: bool) -> bool:
    """Mark (or unmark) a resource as studied; idempotent. Marking counts as activity. Returns
    whether it is now marked."""
    if not studied:
        StudiedResource.objects.filter(learner=learner, resource=resource).delete()
        return False
    try:
        with transaction.atomic():
            _, created = StudiedResource.objects.get_or_create(learner=learner, resource=resource)
    except IntegrityError:  # a parallel identical request won the insert: same outcome
        created = False
    if created:
        activity_touch(learner=learner)
    return True

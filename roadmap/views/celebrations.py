"""Celebrations on the dashboard: closing one (each is shown once anyway)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from roadmap.models import Celebration
from roadmap.services.celebrations import celebration_dismiss

# A reassessment can meet many targets at once: the message names this many and counts the rest.
NAMED_TARGETS = 3


def celebration_message(celebrations: list[Celebration]) -> dict | None:
    """What the dashboard says of the celebrations it just stored (one batch): the projects
    finished and the targets met, by name, as one message with one close button."""
    if not celebrations:
        return None
    projects = [c.name for c in celebrations if c.kind == Celebration.Kind.PROJECT_DONE]
    targets = sorted(c.name for c in celebrations if c.kind == Celebration.Kind.TARGET_MET)
    return {
        "id": celebrations[0].pk,
        "projects": projects,
        "targets": targets[:NAMED_TARGETS],
        "more_targets": len(targets[NAMED_TARGETS:]),
    }


def _get_celebration_for_user(user, celebration_id) -> Celebration:
    return get_object_or_404(Celebration.objects.filter(learner=user), pk=celebration_id)


@login_required
@require_POST
def celebration_dismiss_view(request, celebration_id):
    celebration = _get_celebration_for_user(request.user, celebration_id)
    celebration_dismiss(celebration=celebration)  # and the rest of the message it was shown in
    if request.htmx:
        return render(request, "roadmap/progress/celebrations.html#closed", {})
    return redirect("roadmap:dashboard")

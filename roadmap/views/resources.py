"""Marking a learning resource as studied, from wherever resources are listed (gaps, project
pages). A plain POST redirects back; with htmx it answers the resource's button only."""

from urllib.parse import urlsplit

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from curriculum.models import Resource
from roadmap.services.resources import resource_studied_set

# Where a plain POST may send the learner back to (paths only, never another site).
_BACK_PREFIXES = ("/gaps/", "/curriculum/projects/", "/plan/", "/assess/")


def _safe_next(request) -> str:
    candidate = request.POST.get("next", "")
    parts = urlsplit(candidate)
    if parts.scheme or parts.netloc or not parts.path.startswith(_BACK_PREFIXES):
        return reverse("roadmap:gaps")
    return parts.path + (f"#{parts.fragment}" if parts.fragment else "")


@require_POST
def resource_studied(request, resource_id):
    # Resources are curriculum data every signed-in user may read; the mark is the user's own.
    resource = get_object_or_404(Resource, pk=resource_id)
    studied = resource_studied_set(
        learner=request.user, resource=resource, studied=request.POST.get("studied") != "0"
    )
    if request.htmx:
        return render(
            request,
            "roadmap/resources/list.html#studied_form",
            {"resource": resource, "studied": studied, "next": _safe_next(request)},
        )
    return redirect(_safe_next(request))

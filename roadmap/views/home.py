from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from accounts.access import mentor_required, public


@public
@require_GET
def home(request):
    """Send each role where it works; anonymous visitors get the landing page."""
    user = request.user
    if not user.is_authenticated:
        return render(request, "roadmap/landing.html")
    if user.is_staff:
        return redirect("admin:index")
    if user.is_mentor:
        return redirect("roadmap:mentor_home")
    return redirect("roadmap:dashboard")


@mentor_required
@require_GET
def mentor_home(request):
    from roadmap.services.cohorts import cohort_summaries

    summaries = cohort_summaries(request.user)
    return render(request, "roadmap/mentor_home.html", {"summaries": summaries})

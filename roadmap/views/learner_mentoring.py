"""The learner's side of mentoring: their cohorts, joining with an invite code, leaving, the
feedback, verifications and sign-offs they received, and their calibration against mentors.

Access: a learner reaches a cohort only through _get_membership_for_learner (their own ACTIVE
membership); anything else is 404."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import CohortInvite, CohortMembership
from roadmap import cohorts
from roadmap.forms_mentoring import JoinForm
from roadmap.models import CheckpointSignOff, Feedback, Rating, RatingVerification
from roadmap.services import mentoring as svc


@require_GET
def my_cohorts(request):
    memberships = (
        CohortMembership.objects.active()
        .filter(learner=request.user)
        .select_related("cohort__path")
        .prefetch_related("cohort__mentors")
    )
    return render(
        request,
        "roadmap/mentoring/my_cohorts.html",
        {"memberships": memberships, "form": JoinForm()},
    )


def _get_membership_for_learner(user, cohort_id) -> CohortMembership:
    return get_object_or_404(
        CohortMembership.objects.active().select_related("cohort"),
        learner=user,
        cohort_id=cohort_id,
    )


@require_http_methods(["GET", "POST"])
def cohort_leave(request, cohort_id):
    membership = _get_membership_for_learner(request.user, cohort_id)
    if request.method == "POST":
        membership.leave()
        messages.success(request, f"You left “{membership.cohort.name}”.")
        return redirect("roadmap:my_cohorts")
    return render(request, "roadmap/mentoring/cohort_leave.html", {"membership": membership})


@require_http_methods(["GET", "POST"])
def join(request, code=None):
    """Join a cohort with an invite code. GET shows the code's cohort and a button (link
    scanners must not join anyone); POST joins."""
    form = JoinForm(request.POST or None, initial={"code": code})
    invite = None
    if code:
        invite = CohortInvite.objects.select_related("cohort__path").filter(code=code).first()
        if invite is None or invite.status(timezone.now()) != "active":
            state = "not known" if invite is None else invite.status(timezone.now())
            messages.error(request, f"That invite is {state}. Ask your mentor for a new one.")
            invite = None
    if request.method == "POST" and form.is_valid():
        try:
            membership = svc.cohort_join(learner=request.user, code=form.cleaned_data["code"])
        except svc.JoinError as error:
            form.add_error("code", str(error))
        else:
            messages.success(request, f"You are in “{membership.cohort.name}”.")
            return redirect("roadmap:my_cohorts")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "roadmap/mentoring/join.html", {"form": form, "invite": invite}, status=status
    )


@require_GET
def my_feedback(request):
    user = request.user
    context = {
        "feedback": list(
            Feedback.objects.filter(learner=user).select_related("author", "competency", "project")[
                :100
            ]
        ),
        "verifications": list(
            RatingVerification.objects.filter(rating__learner=user).select_related(
                "rating__competency", "mentor"
            )[:100]
        ),
        "sign_offs": list(
            CheckpointSignOff.objects.filter(learner=user).select_related(
                "checkpoint__project", "mentor"
            )[:100]
        ),
    }
    # Shown now: the unread markers above were computed first, then everything counts as read.
    svc.mentoring_mark_read(user)
    return render(request, "roadmap/mentoring/my_feedback.html", context)


@require_GET
def calibration(request):
    ratings = Rating.objects.filter(learner=request.user).select_related("competency", "rated_by")
    return render(
        request,
        "roadmap/mentoring/calibration.html",
        {"calibration": cohorts.calibration_rows(ratings)},
    )

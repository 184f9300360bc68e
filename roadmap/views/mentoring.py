"""Mentoring views: a learner's review page for mentors, feedback, verification and sign-off;
for learners, the feedback, verifications and sign-offs they received and their calibration
against mentors. Cohorts themselves are in `cohorts`.

Access (RELIABILITY 14): learners come only through _get_member_for_mentor (an ACTIVE member of
a cohort the user mentors, or staff); anything else is 404."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.access import mentor_required
from accounts.models import Cohort, User
from curriculum.models import Competency, Project, ProjectCheckpoint
from roadmap.forms.mentoring import CommentForm, FeedbackForm, MentorRatingForm
from roadmap.lib import cohorts
from roadmap.lib.gaps import readiness, readiness_display
from roadmap.models import (
    CheckpointSignOff,
    CurrentRating,
    Feedback,
    Rating,
    RatingVerification,
)
from roadmap.services import mentoring as svc
from roadmap.services.assessment import rating_record
from roadmap.views.cohorts import get_cohort_for_user

HISTORY_LIMIT = 40


# --- access helpers -------------------------------------------------------------------------------
def _get_member_for_mentor(user, cohort_id, learner_id) -> tuple[Cohort, User]:
    cohort = get_cohort_for_user(user, cohort_id)
    learner = get_object_or_404(
        User.objects.filter(memberships__cohort=cohort, memberships__left_at__isnull=True),
        pk=learner_id,
    )
    return cohort, learner


# --- one learner, for a mentor --------------------------------------------------------------------
def _current_ratings(learner, comp_ids):
    """({competency: latest self Rating}, {competency: latest mentor Rating}), the self-ratings
    with their verifications and mentors: three queries whatever the history."""
    latest = (
        Rating.objects.filter(
            pk__in=CurrentRating.objects.filter(learner=learner, competency__in=comp_ids).values(
                "rating_id"
            )
        )
        .select_related("rated_by")
        .prefetch_related("verifications__mentor")
    )
    own, mentors = {}, {}
    for rating in latest:
        (own if rating.source == Rating.Source.SELF else mentors)[rating.competency_id] = rating
    return own, mentors


def _learner_context(request, cohort, learner, **forms):
    pcs = list(
        cohort.path.path_competencies.current()
        .select_related("competency")
        .order_by("position", "id")
    )
    comp_ids = [pc.competency_id for pc in pcs]
    competencies = Competency.objects.filter(pk__in=comp_ids)
    projects_qs = Project.objects.filter(path=cohort.path, is_active=True)
    own, mentors = _current_ratings(learner, comp_ids)
    for rating in own.values():
        rating.verified_by_me = any(
            v.mentor_id == request.user.pk for v in rating.verifications.all()
        )
    self_levels = {cid: r.level for cid, r in own.items()}
    history = list(
        Rating.objects.filter(learner=learner)
        .select_related("competency", "rated_by")
        .prefetch_related("verifications__mentor")
        .order_by("-created_at", "-id")[:HISTORY_LIMIT]
    )
    requirements = [cohorts.Requirement(pc.competency_id, pc.target_level, pc.weight) for pc in pcs]
    projects = list(projects_qs.prefetch_related("checkpoints"))
    signed = {
        s.checkpoint_id: s
        for s in CheckpointSignOff.objects.filter(
            learner=learner, checkpoint__project__in=projects
        ).select_related("mentor")
    }
    verified = svc.projects_verified(learner, projects)
    started = svc.projects_started(learner, projects)
    project_rows = [
        (p, [(cp, signed.get(cp.pk)) for cp in p.checkpoints.all()], p.pk in verified)
        for p in projects
    ]
    calibration_ratings = Rating.objects.filter(learner=learner).select_related(
        "competency", "rated_by"
    )
    return {
        "cohort": cohort,
        "learner": learner,
        "readiness": readiness_display(readiness(requirements, self_levels)),
        "levels": [(pc, own.get(pc.competency_id), mentors.get(pc.competency_id)) for pc in pcs],
        "history": history,
        "history_limit": HISTORY_LIMIT,
        "feedback": Feedback.objects.filter(learner=learner).select_related(
            "author", "competency", "project"
        )[:30],
        # Sign-off is offered on the projects the learner has started or finished; the rest are
        # listed, collapsed, with what was signed off before.
        "projects": [row for row in project_rows if row[0].pk in started],
        "projects_waiting": [row for row in project_rows if row[0].pk not in started],
        "plan": svc.plan_summary(learner),
        "calibration": cohorts.calibration_rows(calibration_ratings),
        "feedback_form": forms.get("feedback_form")
        or FeedbackForm(competencies=competencies, projects=projects_qs),
        "rating_form": forms.get("rating_form") or MentorRatingForm(competencies=competencies),
    }


@mentor_required
@require_GET
def mentor_learner(request, cohort_id, learner_id):
    cohort, learner = _get_member_for_mentor(request.user, cohort_id, learner_id)
    return render(
        request, "roadmap/mentoring/mentor_learner.html", _learner_context(request, cohort, learner)
    )


def _back_to_learner(cohort, learner, anchor=""):
    response = redirect("roadmap:mentor_learner", cohort.pk, learner.pk)
    response["Location"] += anchor
    return response


@mentor_required
@require_POST
def mentor_feedback(request, cohort_id, learner_id):
    cohort, learner = _get_member_for_mentor(request.user, cohort_id, learner_id)
    competencies = Competency.objects.filter(
        path_competencies__path=cohort.path, path_competencies__retired_at__isnull=True
    )
    form = FeedbackForm(
        request.POST,
        competencies=competencies,
        projects=Project.objects.filter(path=cohort.path, is_active=True),
    )
    if not form.is_valid():
        context = _learner_context(request, cohort, learner, feedback_form=form)
        return render(request, "roadmap/mentoring/mentor_learner.html", context, status=400)
    svc.feedback_give(mentor=request.user, learner=learner, **form.cleaned_data)
    messages.success(request, "Feedback sent.")
    return _back_to_learner(cohort, learner, "#feedback")


@mentor_required
@require_POST
def mentor_rating_record(request, cohort_id, learner_id):
    cohort, learner = _get_member_for_mentor(request.user, cohort_id, learner_id)
    competencies = Competency.objects.filter(
        path_competencies__path=cohort.path, path_competencies__retired_at__isnull=True
    )
    form = MentorRatingForm(request.POST, competencies=competencies)
    if not form.is_valid():
        context = _learner_context(request, cohort, learner, rating_form=form)
        return render(request, "roadmap/mentoring/mentor_learner.html", context, status=400)
    rating_record(
        learner=learner,
        competency=form.cleaned_data["competency"],
        level=form.cleaned_data["level"],
        note=form.cleaned_data["note"],
        source=Rating.Source.MENTOR,
        rated_by=request.user,
    )
    messages.success(request, "Your rating is recorded.")
    return _back_to_learner(cohort, learner, "#levels")


@mentor_required
@require_POST
def mentor_rating_verify(request, cohort_id, learner_id, rating_id):
    cohort, learner = _get_member_for_mentor(request.user, cohort_id, learner_id)
    rating = get_object_or_404(Rating, pk=rating_id, learner=learner, source=Rating.Source.SELF)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.error_text())
        return _back_to_learner(cohort, learner, "#levels")
    # Verification vouches for the learner's current level, so only their latest self-rating.
    if not CurrentRating.objects.filter(rating=rating).exists():
        messages.error(
            request,
            f"{learner.display_name} has rated {rating.competency} again since; "
            "verify their latest rating instead.",
        )
        return _back_to_learner(cohort, learner, "#levels")
    svc.rating_verify(mentor=request.user, rating=rating, comment=form.cleaned_data["comment"])
    messages.success(request, f"{rating.competency} at level {rating.level} verified.")
    return _back_to_learner(cohort, learner, "#levels")


@mentor_required
@require_POST
def mentor_checkpoint_signoff(request, cohort_id, learner_id, checkpoint_id):
    cohort, learner = _get_member_for_mentor(request.user, cohort_id, learner_id)
    checkpoint = get_object_or_404(
        ProjectCheckpoint.objects.select_related("project"),
        pk=checkpoint_id,
        project__path=cohort.path,
    )
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.error_text())
        return _back_to_learner(cohort, learner, "#projects")
    if not svc.projects_started(learner, [checkpoint.project_id]):
        messages.error(
            request,
            f"{learner.display_name} has not started “{checkpoint.project.name}” yet; "
            "sign off its checkpoints once they have.",
        )
        return _back_to_learner(cohort, learner, "#projects")
    svc.checkpoint_sign_off(
        mentor=request.user,
        learner=learner,
        checkpoint=checkpoint,
        comment=form.cleaned_data["comment"],
    )
    messages.success(request, f"“{checkpoint.title}” signed off.")
    return _back_to_learner(cohort, learner, "#projects")


# --- the learner's side ---------------------------------------------------------------------------
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

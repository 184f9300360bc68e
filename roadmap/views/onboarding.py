"""Onboarding: choose a target path (from the path cards or the "which path fits me?"
questionnaire) and weekly hours. Also where "change path" leads; each change is kept. And the
profile, where the learner changes path, pace, target date and time zone later."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.forms import ProfileForm
from curriculum.models import CareerGoal, Path
from roadmap.forms.onboarding import PathChoiceForm, QuestionnaireForm
from roadmap.lib.onboarding import Goal, recommend_path
from roadmap.services.assessment import path_select
from roadmap.services.onboarding import onboarding_complete
from roadmap.services.reminders import reminders_reschedule
from roadmap.views.api import profile_tokens


def _recommendation(questionnaire: QuestionnaireForm, goals, paths):
    """The questionnaire's recommendation as (Path, reason), or None when nothing is answered."""
    if not questionnaire.answered():
        return None
    answers = questionnaire.cleaned_data
    goal_row = next((g for g in goals if g.slug == answers.get("goal")), None)
    goal = (
        Goal(goal_row.slug, goal_row.label, goal_row.recommended_path.slug, goal_row.reason)
        if goal_row
        else None
    )
    result = recommend_path(goal=goal, answers=answers, available=[p.slug for p in paths])
    if result is None:
        return None
    path = next(p for p in paths if p.slug == result.path_slug)
    return path, result.reason


@require_http_methods(["GET", "POST"])
def onboarding(request):
    user = request.user
    paths = list(Path.objects.active())
    goals = list(
        CareerGoal.objects.filter(recommended_path__is_active=True).select_related(
            "recommended_path"
        )
    )
    # The answers travel in the query string, on GET and on the confirming POST alike, so the
    # recommendation (and the reason stored with the choice) is recomputed, never trusted.
    questionnaire = QuestionnaireForm(request.GET or None, goals=goals)
    recommended = _recommendation(questionnaire, goals, paths)

    if request.method == "POST":
        form = PathChoiceForm(request.POST)
        if form.is_valid():
            path = form.cleaned_data["path"]
            if recommended and recommended[0] == path:
                reason = f"Questionnaire: {recommended[1]}"
            else:
                reason = "Chosen from the path cards"
            changed = onboarding_complete(
                learner=user,
                path=path,
                weekly_hours=form.cleaned_data["weekly_hours"],
                reason=reason,
            )
            if changed:
                messages.success(request, f"Your target path is now {path.name}. Rate yourself.")
            else:
                messages.success(request, f"Saved. You are still aiming for {path.name}.")
            return redirect("roadmap:assess")
        status = 400
    else:
        initial_path = (
            recommended[0].slug if recommended else getattr(user.target_path, "slug", None)
        )
        form = PathChoiceForm(initial={"path": initial_path, "weekly_hours": user.weekly_hours})
        status = 200

    selected = form.data.get("path") if form.is_bound else form.initial.get("path")
    context = {
        "paths": paths,
        "form": form,
        "selected": selected,
        "questionnaire": questionnaire,
        "recommended": recommended,
        "query": request.GET.urlencode(),
    }
    return render(request, "roadmap/assessment/onboarding.html", context, status=status)


# --- the learner's profile: path, pace, target date, time zone ------------------------------------
@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    user = request.user
    # Read before binding: a ModelForm writes the posted values onto the instance as it validates.
    previous_path_id = user.target_path_id
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST":
        if form.is_valid():
            user = form.save()
            if user.target_path_id and user.target_path_id != previous_path_id:
                path_select(learner=user, path=user.target_path, reason="Chosen in the profile")
            if "timezone" in form.changed_data:
                reminders_reschedule(user=user)
            messages.success(request, "Profile saved.")
            return redirect("roadmap:profile")
        messages.error(request, "Some fields need your attention; see the messages below them.")
    return render(
        request,
        "accounts/profile.html",
        {"form": form, "now": timezone.now(), **profile_tokens(user)},
    )

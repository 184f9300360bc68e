"""Mentoring views: cohorts, invites, the cohort dashboard, a learner's review page for mentors,
feedback, verification, sign-off and calibration. The learner's side (joining, leaving, their
feedback and calibration) is in learner_mentoring.

Access (RELIABILITY 14): cohorts come only through _get_cohort_for_user (mentored by the user,
or staff), learners only through _get_member_for_mentor (an ACTIVE member of that cohort);
anything else is 404."""

import csv

from django.contrib import messages
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import mentor_required, staff_required
from accounts.models import Cohort, CohortInvite, User
from curriculum.models import Competency, Project, ProjectCheckpoint
from roadmap import cohorts
from roadmap.forms_mentoring import (
    CohortForm,
    CommentForm,
    FeedbackForm,
    InviteForm,
    MentorRatingForm,
)
from roadmap.gaps import readiness, readiness_display
from roadmap.models import CheckpointSignOff, Feedback, Rating
from roadmap.services import cohort_reads
from roadmap.services import mentoring as svc
from roadmap.services.assessments import rating_record

HISTORY_LIMIT = 40


# --- access helpers -------------------------------------------------------------------------------
def _get_cohort_for_user(user, cohort_id) -> Cohort:
    return get_object_or_404(Cohort.objects.mentored_by(user).select_related("path"), pk=cohort_id)


def _get_member_for_mentor(user, cohort_id, learner_id) -> tuple[Cohort, User]:
    cohort = _get_cohort_for_user(user, cohort_id)
    learner = get_object_or_404(
        User.objects.filter(memberships__cohort=cohort, memberships__left_at__isnull=True),
        pk=learner_id,
    )
    return cohort, learner


# --- cohorts (mentor and staff) -------------------------------------------------------------------
@staff_required
@require_http_methods(["GET", "POST"])
def cohort_create(request):
    form = CohortForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        cohort = svc.cohort_create(
            name=form.cleaned_data["name"],
            path=form.cleaned_data["path"],
            start_date=form.cleaned_data["start_date"],
            mentors=form.cleaned_data["mentors"],
        )
        messages.success(request, f"Cohort “{cohort.name}” created.")
        return redirect("roadmap:cohort_detail", cohort.pk)
    return render(request, "roadmap/mentoring/cohort_form.html", {"form": form})


PAGE_SIZE = 50  # heatmap rows per page; the summary cards still cover the whole cohort

SORT_LABELS = {"name": "name", "readiness": "readiness (lowest first)"}


def _heatmap_params(request, data):
    comp_ids = {pc.competency_id for pc in data.path_competencies}
    sort = request.GET.get("sort", "name")
    by_competency = sort.startswith("c") and sort[1:].isdigit() and int(sort[1:]) in comp_ids
    if not (sort in SORT_LABELS or by_competency):
        sort = "name"
    status = request.GET.get("status", "all")
    if status not in cohorts.STATUSES:
        status = "all"
    lacking = request.GET.get("lacking", "")
    lacking = int(lacking) if lacking.isdigit() and int(lacking) in comp_ids else None
    return sort, status, lacking


def _chart(weekly):
    points = cohorts.chart_points([value for _, value in weekly])
    return {
        "points": points,
        "polyline": " ".join(f"{x},{y}" for x, y, _ in points),
        "labels": [
            (x, day)
            for (x, _, _), (day, _) in zip(
                cohorts.chart_points([0] * len(weekly)), weekly, strict=True
            )
        ],
        "rows": weekly,
    }


@mentor_required
@require_GET
def cohort_detail(request, cohort_id):
    cohort = _get_cohort_for_user(request.user, cohort_id)
    data = cohort_reads.cohort_data(cohort)
    sort, status, lacking = _heatmap_params(request, data)
    # Sorting by a competency and the "lacking" filter need that one column for everyone; the
    # full rows only for the page shown.
    columns = {lacking} if lacking is not None else set()
    if sort.startswith("c"):
        columns.add(int(sort[1:]))
    if columns:
        cohort_reads.cohort_cells(data, data.rows, competency_ids=columns)
    matching = cohorts.sort_rows(
        cohorts.filter_rows(data.rows, status=status, lacking=lacking), sort
    )
    pages = max(1, -(-len(matching) // PAGE_SIZE))
    page = request.GET.get("page", "1")
    page = min(int(page), pages) if page.isdigit() and int(page) > 0 else 1
    first = (page - 1) * PAGE_SIZE
    rows = matching[first : first + PAGE_SIZE]
    cohort_reads.cohort_cells(data, rows)
    names = {pc.competency_id: pc.competency.name for pc in data.path_competencies}
    sort_label = SORT_LABELS.get(sort) or f"{names[int(sort[1:])]} level (lowest first)"
    context = {
        "cohort": cohort,
        "data": data,
        "rows": rows,
        "matching": len(matching),
        "page": page,
        "pages": pages,
        "page_size": PAGE_SIZE,
        "first": first + 1,
        "last": first + len(rows),
        "sort": sort,
        "columns": [(pc, f"c{pc.competency_id}") for pc in data.path_competencies],
        "sort_label": sort_label,
        "status": status,
        "lacking": lacking,
        "statuses": [("all", "All"), ("attention", "Needs attention"), ("on_track", "On track")],
        "attention": [r for r in data.rows if r.needs_attention],
        "top_gaps": [(g, names[g.competency_id]) for g in data.top_gaps],
        "bias": sorted(
            ((names[cid], mean, n) for cid, (mean, n) in data.bias.items()),
            key=lambda item: -abs(item[1]),
        ),
        "chart": _chart(data.weekly),
        "median_now": cohorts.median([r.readiness for r in data.rows]),
    }
    if request.htmx:
        return render(request, "roadmap/mentoring/cohort_detail.html#heatmap", context)
    return render(request, "roadmap/mentoring/cohort_detail.html", context)


@mentor_required
@require_GET
def cohort_csv(request, cohort_id):
    cohort = _get_cohort_for_user(request.user, cohort_id)
    data = cohort_reads.cohort_data(cohort, with_history=False)
    response = StreamingHttpResponse(_csv_lines(data), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cohort-{cohort.pk}.csv"'
    return response


CSV_CHUNK = 200  # learners whose cells are read (one query) and written at a time


class _Line:
    """A file-like object for csv.writer that hands back each line instead of storing it."""

    def write(self, line: str) -> str:
        return line


def _csv_lines(data):
    writer = csv.writer(_Line())
    yield writer.writerow(
        [
            "learner",
            *[pc.competency.name for pc in data.path_competencies],
            "readiness",
            "last activity",
        ]
    )
    # Plain levels, not the heatmap's cells: 20,000 of them at 500 learners x 40.
    comp_ids = [r.competency_id for r in data.requirements]
    ready = cohorts.readiness_of(data.requirements)
    rows = cohorts.sort_rows(data.rows, "name")
    for start in range(0, len(rows), CSV_CHUNK):
        chunk = rows[start : start + CSV_CHUNK]
        levels = cohort_reads.cohort_levels([row.learner_id for row in chunk], comp_ids)
        lines = []
        for row in chunk:
            mine = levels.get(row.learner_id, {})
            lines.append(
                writer.writerow(
                    [
                        _csv_safe(row.name),
                        *[mine.get(cid, 0) for cid in comp_ids],
                        readiness_display(ready(mine)),
                        row.last_active.isoformat() if row.last_active else "",
                    ]
                )
            )
        yield "".join(lines)


def _csv_safe(text: str) -> str:
    # A name starting with = + - @ would run as a formula in a spreadsheet.
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


@mentor_required
@require_http_methods(["GET", "POST"])
def cohort_invites(request, cohort_id):
    cohort = _get_cohort_for_user(request.user, cohort_id)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        invite = svc.cohort_invite_create(
            cohort=cohort,
            created_by=request.user,
            days=form.cleaned_data["days"],
            max_uses=form.cleaned_data["max_uses"],
        )
        messages.success(request, f"New invite code: {invite.code}")
        return redirect("roadmap:cohort_invites", cohort.pk)
    now = timezone.now()
    invites = [(invite, invite.status(now)) for invite in cohort.invites.all()]
    return render(
        request,
        "roadmap/mentoring/cohort_invites.html",
        {"cohort": cohort, "form": form, "invites": invites},
    )


@mentor_required
@require_POST
def cohort_invite_revoke(request, cohort_id, invite_id):
    cohort = _get_cohort_for_user(request.user, cohort_id)
    invite = get_object_or_404(CohortInvite, cohort=cohort, pk=invite_id)
    invite.revoke()
    messages.success(request, f"Invite {invite.code} revoked.")
    return redirect("roadmap:cohort_invites", cohort.pk)


# --- one learner, for a mentor --------------------------------------------------------------------
def _learner_context(request, cohort, learner, **forms):
    pcs = list(
        cohort.path.path_competencies.current()
        .select_related("competency")
        .order_by("position", "id")
    )
    comp_ids = [pc.competency_id for pc in pcs]
    competencies = Competency.objects.filter(pk__in=comp_ids)
    projects_qs = Project.objects.filter(path=cohort.path, is_active=True)
    self_levels = Rating.objects.latest_levels(learner)
    mentor_latest = {
        r.competency_id: r
        for r in Rating.objects.filter(
            learner=learner, source=Rating.Source.MENTOR
        ).latest_per_competency()
    }
    history = list(
        Rating.objects.filter(learner=learner)
        .select_related("competency", "rated_by")
        .prefetch_related("verifications__mentor")
        .order_by("-created_at", "-id")[:HISTORY_LIMIT]
    )
    for rating in history:
        rating.verified_by_me = any(
            v.mentor_id == request.user.pk for v in rating.verifications.all()
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
    calibration_ratings = Rating.objects.filter(learner=learner).select_related("competency")
    return {
        "cohort": cohort,
        "learner": learner,
        "readiness": readiness_display(readiness(requirements, self_levels)),
        "levels": [
            (pc, self_levels.get(pc.competency_id, 0), mentor_latest.get(pc.competency_id))
            for pc in pcs
        ],
        "history": history,
        "feedback": Feedback.objects.filter(learner=learner).select_related(
            "author", "competency", "project"
        )[:30],
        "projects": [
            (p, [(cp, signed.get(cp.pk)) for cp in p.checkpoints.all()], p.pk in verified)
            for p in projects
        ],
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
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    svc.rating_verify(mentor=request.user, rating=rating, comment=comment)
    messages.success(request, f"{rating.competency} at level {rating.level} verified.")
    return _back_to_learner(cohort, learner, "#history")


@mentor_required
@require_POST
def mentor_checkpoint_signoff(request, cohort_id, learner_id, checkpoint_id):
    cohort, learner = _get_member_for_mentor(request.user, cohort_id, learner_id)
    checkpoint = get_object_or_404(ProjectCheckpoint, pk=checkpoint_id, project__path=cohort.path)
    form = CommentForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    svc.checkpoint_sign_off(
        mentor=request.user, learner=learner, checkpoint=checkpoint, comment=comment
    )
    messages.success(request, f"“{checkpoint.title}” signed off.")
    return _back_to_learner(cohort, learner, "#projects")

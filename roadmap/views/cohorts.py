"""Cohort views: creating a cohort, its dashboard (heatmap, figures, chart), the CSV export and
invites for mentors and staff; joining with an invite code, the learner's cohorts and leaving
one for learners.

Access (RELIABILITY 14): a mentor reaches a cohort only through get_cohort_for_user (mentored by
the user, or staff); a learner only through _get_membership_for_learner (their own ACTIVE
membership); anything else is 404."""

from dataclasses import dataclass

from django.contrib import messages
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.access import mentor_required
from accounts.models import Cohort, CohortInvite, CohortMembership
from roadmap.forms.cohorts import CohortForm, CoMentorForm, InviteForm, JoinForm
from roadmap.lib import charts, cohorts
from roadmap.lib.csv_export import csv_lines
from roadmap.lib.gaps import readiness_display
from roadmap.services import cohorts as cohort_services


# --- access helpers -------------------------------------------------------------------------------
def get_cohort_for_user(user, cohort_id) -> Cohort:
    return get_object_or_404(Cohort.objects.mentored_by(user).select_related("path"), pk=cohort_id)


# --- cohorts (mentor and staff) -------------------------------------------------------------------
def _cohort_fields(form) -> dict:
    return {name: form.cleaned_data[name] for name in form.fields if name != "mentors"}


@mentor_required
@require_http_methods(["GET", "POST"])
def cohort_create(request):
    """Staff create any cohort and choose its mentors; a mentor creates one they mentor."""
    staff = request.user.is_staff
    form = CohortForm(request.POST or None, with_mentors=staff)
    if request.method == "POST" and form.is_valid():
        cohort = cohort_services.cohort_create(
            mentors=form.cleaned_data["mentors"] if staff else [request.user],
            **_cohort_fields(form),
        )
        messages.success(request, f"Cohort “{cohort.name}” created.")
        return redirect("roadmap:cohort_detail", cohort.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "roadmap/mentoring/cohort_form.html", {"form": form}, status=status)


def _edit_page(request, cohort, form, mentor_form, status=200):
    context = {
        "cohort": cohort,
        "form": form,
        "mentor_form": mentor_form,
        "mentors": sorted(cohort.mentors.all(), key=lambda m: m.display_name.casefold()),
    }
    if request.htmx and request.method == "POST" and "email" in request.POST:
        return render(
            request, "roadmap/mentoring/cohort_form.html#co-mentors", context, status=status
        )
    return render(request, "roadmap/mentoring/cohort_form.html", context, status=status)


@mentor_required
@require_http_methods(["GET", "POST"])
def cohort_edit(request, cohort_id):
    """A cohort's settings (name, path, start, check-in day, attention rules), for its mentors
    and staff; staff also choose its mentors."""
    cohort = get_cohort_for_user(request.user, cohort_id)
    staff = request.user.is_staff
    form = CohortForm(request.POST or None, instance=cohort, with_mentors=staff)
    if request.method == "POST" and form.is_valid():
        # is_valid() wrote the values onto the instance already: save through the service
        cohort_services.cohort_update(
            cohort=cohort,
            mentors=form.cleaned_data["mentors"] if staff else None,
            **_cohort_fields(form),
        )
        messages.success(request, f"Cohort “{cohort.name}” saved.")
        return redirect("roadmap:cohort_detail", cohort.pk)
    status = 400 if request.method == "POST" else 200
    return _edit_page(request, cohort, form, CoMentorForm(), status)


@mentor_required
@require_POST
def cohort_mentor_add(request, cohort_id):
    cohort = get_cohort_for_user(request.user, cohort_id)
    mentor_form = CoMentorForm(request.POST)
    if not mentor_form.is_valid():
        form = CohortForm(instance=cohort, with_mentors=request.user.is_staff)
        return _edit_page(request, cohort, form, mentor_form, status=400)
    mentor = mentor_form.cleaned_data["mentor"]
    if cohort_services.cohort_mentor_add(cohort=cohort, mentor=mentor):
        messages.success(request, f"{mentor.display_name} now mentors “{cohort.name}” too.")
    else:
        messages.info(request, f"{mentor.display_name} already mentors “{cohort.name}”.")
    if request.htmx:
        form = CohortForm(instance=cohort, with_mentors=request.user.is_staff)
        return _edit_page(request, cohort, form, CoMentorForm())
    return redirect("roadmap:cohort_edit", cohort.pk)


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
    """The median readiness per week, drawn like every chart (roadmap/lib/charts.py)."""
    return {
        "line": charts.line_chart(
            [value for _, value in weekly],
            [f"{day.day} {day:%b}" for day, _ in weekly],
            width=560,
            height=180,
            y_ticks=(0, 50, 100),
        ),
        "rows": weekly,
    }


@dataclass(frozen=True)
class Column:
    competency_id: int
    key: str  # the sort parameter: c<competency id>
    name: str
    short: str  # the heading; the full name is in its title and in visually hidden text
    target: int


def _columns(path_competencies) -> list[Column]:
    names = [pc.competency.name for pc in path_competencies]
    return [
        Column(pc.competency_id, f"c{pc.competency_id}", name, short, pc.target_level)
        for pc, name, short in zip(
            path_competencies, names, cohorts.short_labels(names), strict=True
        )
    ]


@mentor_required
@require_GET
def cohort_detail(request, cohort_id):
    cohort = get_cohort_for_user(request.user, cohort_id)
    data = cohort_services.cohort_data(cohort)
    sort, status, lacking = _heatmap_params(request, data)
    # Sorting by a competency and the "lacking" filter need that one column for everyone; the
    # full rows only for the page shown.
    columns = {lacking} if lacking is not None else set()
    if sort.startswith("c"):
        columns.add(int(sort[1:]))
    if columns:
        cohort_services.cohort_cells(data, data.rows, competency_ids=columns)
    matching = cohorts.sort_rows(
        cohorts.filter_rows(data.rows, status=status, lacking=lacking), sort
    )
    pages = max(1, -(-len(matching) // PAGE_SIZE))
    page = request.GET.get("page", "1")
    page = min(int(page), pages) if page.isdigit() and int(page) > 0 else 1
    first = (page - 1) * PAGE_SIZE
    rows = matching[first : first + PAGE_SIZE]
    cohort_services.cohort_cells(data, rows)
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
        "columns": _columns(data.path_competencies),
        "sort_label": sort_label,
        "status": status,
        "lacking": lacking,
        "statuses": [("all", "All"), ("attention", "Needs attention"), ("on_track", "On track")],
        "attention": cohorts.attention_order(data.rows),
        "rules": cohort_services.cohort_rules(cohort),
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
    cohort = get_cohort_for_user(request.user, cohort_id)
    data = cohort_services.cohort_data(cohort, with_history=False)
    header = [
        "learner",
        *[pc.competency.name for pc in data.path_competencies],
        "readiness",
        "last activity",
    ]
    response = StreamingHttpResponse(
        csv_lines(header, _csv_rows(data), batch=CSV_CHUNK),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="cohort-{cohort.pk}.csv"'
    return response


CSV_CHUNK = 200  # learners whose levels are read (one query) and written at a time


def _csv_rows(data):
    """One row per learner, by name; read CSV_CHUNK learners at a time."""
    # Plain levels, not the heatmap's cells: 20,000 of them at 500 learners x 40.
    comp_ids = [r.competency_id for r in data.requirements]
    ready = cohorts.readiness_of(data.requirements)
    rows = cohorts.sort_rows(data.rows, "name")
    for start in range(0, len(rows), CSV_CHUNK):
        chunk = rows[start : start + CSV_CHUNK]
        levels = cohort_services.cohort_levels([row.learner_id for row in chunk], comp_ids)
        for row in chunk:
            mine = levels.get(row.learner_id, {})
            yield [
                row.name,
                *[mine.get(cid, 0) for cid in comp_ids],
                readiness_display(ready(mine)),
                row.last_active.isoformat() if row.last_active else "",
            ]


@mentor_required
@require_http_methods(["GET", "POST"])
def cohort_invites(request, cohort_id):
    cohort = get_cohort_for_user(request.user, cohort_id)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        invite = cohort_services.cohort_invite_create(
            cohort=cohort,
            created_by=request.user,
            days=form.cleaned_data["days"],
            max_uses=form.cleaned_data["max_uses"],
        )
        messages.success(request, f"New invite code: {invite.display_code}")
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
    cohort = get_cohort_for_user(request.user, cohort_id)
    invite = get_object_or_404(CohortInvite, cohort=cohort, pk=invite_id)
    invite.revoke()
    messages.success(request, f"Invite {invite.display_code} revoked.")
    return redirect("roadmap:cohort_invites", cohort.pk)


# --- the learner's side ---------------------------------------------------------------------------
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
    """Join a cohort with an invite code, typed in any case, with or without spaces and dashes.
    GET (the link, or the code typed in the form, which GETs) names the cohort, its path and its
    mentors with a Join button; only POST joins (link scanners must not join anyone)."""
    data = request.POST if request.method == "POST" else request.GET
    code = data.get("code", code)
    form = JoinForm({"code": code} if code is not None else None)
    invite = None
    if request.method == "GET" and code is not None and form.is_valid():
        invite = cohort_services.invite_find(code=form.cleaned_data["code"])
        state = "not known" if invite is None else invite.status(timezone.now())
        if state != "active":
            form.add_error("code", f"That invite is {state}. Check it with your mentor.")
            invite = None
    if request.method == "POST" and form.is_valid():
        try:
            membership = cohort_services.cohort_join(
                learner=request.user, code=form.cleaned_data["code"]
            )
        except cohort_services.JoinError as error:
            form.add_error("code", str(error))
        else:
            messages.success(request, f"You are in “{membership.cohort.name}”.")
            return redirect("roadmap:my_cohorts")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "invite": invite}
    if invite is not None:
        context["mentors"] = sorted(invite.cohort.mentors.all(), key=lambda m: m.display_name)
    return render(request, "roadmap/mentoring/join.html", context, status=status)

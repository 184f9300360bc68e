"""The plan page and its item actions. Every action is a plain POST that redirects back, and
with htmx it answers the re-rendered plan body (dates of later items move with each change)."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import dateformat
from django.utils.dates import MONTHS, MONTHS_3
from django.utils.timezone import template_localtime
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from curriculum.models import Project
from roadmap.forms.plans import CompleteItemForm, MoveItemForm
from roadmap.lib import gaps, planner
from roadmap.models import Plan, PlanItem, PlanItemError, Rating
from roadmap.services import plans as plan_services
from roadmap.services.resources import resources_for_project, studied_ids


def _get_plan_for_user(user):
    """The signed-in learner's plan for their target path, or None."""
    if user.target_path_id is None:
        return None
    return Plan.objects.filter(learner=user, path_id=user.target_path_id).first()


def _get_item_for_user(user, item_id) -> PlanItem:
    return get_object_or_404(
        PlanItem.objects.for_learner(user).select_related("plan__learner", "plan__path", "project"),
        pk=item_id,
    )


def _assess_url():
    try:
        return reverse("roadmap:assess")
    except NoReverseMatch:
        return None


_ID = 987654321  # reversed once per action, then replaced by each item's id
_SLUG = "slug-placeholder-0"
_ITEM_ACTIONS = ("start", "skip", "restore", "move", "complete")


def _item_url_makers():
    """Reversing 6-8 URLs per item in the template dominated the page's time with many items:
    reverse each action once and substitute the id."""
    patterns = {a: reverse(f"roadmap:plan_item_{a}", args=[_ID]) for a in _ITEM_ACTIONS}
    project = reverse("roadmap:project_detail", args=[_SLUG])
    return patterns, project


_STATUS_LABEL = dict(PlanItem.Status.choices)
_BADGE = {"done": "badge ok", "skipped": "badge bad", "started": "badge warn"}


class _Days:
    """A date as the template's |date filter prints it (datetimes in the learner's zone),
    remembered per page: consecutive items share most of their dates. Plain dates ("j M",
    "j M Y", "j F Y") are written from the month names looked up once: dateformat per date was
    a good part of the page's time with 150 items (the same text, tested against |date)."""

    def __init__(self):
        self.seen = {}
        self.short = {m: str(MONTHS_3[m]).title() for m in range(1, 13)}
        self.long = {m: str(MONTHS[m]) for m in range(1, 13)}

    def __call__(self, value, fmt: str) -> str:
        if not value:
            return ""
        key = (value, fmt)
        if key not in self.seen:
            if isinstance(value, datetime.datetime) or fmt not in _FAST_FORMATS:
                text = dateformat.format(template_localtime(value), fmt)
            elif fmt == "j M":
                text = f"{value.day} {self.short[value.month]}"
            elif fmt == "j M Y":
                text = f"{value.day} {self.short[value.month]} {value.year}"
            else:
                text = f"{value.day} {self.long[value.month]} {value.year}"
            self.seen[key] = text
        return self.seen[key]


_FAST_FORMATS = ("j M", "j M Y", "j F Y")


def _item_row(item, *, today, error, complete_form, signed_off, checkpoints, urls, day) -> dict:
    """What plan.html shows of one item, as a plain dict: the template reads a dict's keys
    much faster than a model's attributes, and every key is present (a failed lookup is slow).
    Text stays text: the template escapes it."""
    status = item.status
    is_open = item.is_open
    return {
        # Numbers as text: the template localizes every number it prints, which was a good
        # part of the page's time with ids in eight places per item.
        "pk": str(item.pk),
        "status": status,
        "status_label": _STATUS_LABEL.get(status, status),
        "badge": _BADGE.get(status, "badge"),
        "name": item.project.name,
        "behind": item.behind_weeks(today),
        "verified": item.verified_at is not None,
        "done_on": day(item.completed_at, "j M Y") if status == "done" else "",
        "dates": f"{day(item.planned_start, 'j M Y')} – {day(item.planned_end, 'j M Y')}, "
        f"about {item.project.estimated_hours} h",
        "explanation": item.explanation,
        "error": error,
        # (day, title, signed off by a mentor, its day passed) per milestone of an open item
        "milestones": [
            (day(m.due, "j M Y"), m.checkpoint.title, m.checkpoint.id in signed_off, m.due < today)
            for m in plan_services.item_milestones(item, checkpoints)
        ]
        if is_open
        else (),
        "evidence_url": item.evidence_url,
        "reflection": item.reflection,
        "is_open": is_open,
        **urls,
        "can_move_up": False,
        "can_move_down": False,
        # The completion form: bound with its errors after a refused completion, blank for a
        # started item or the one the learner asked to complete; a planned item links to that.
        "form": complete_form,
        "form_has_errors": bool(complete_form is not None and complete_form.errors),
        "form_requested": complete_form is not None
        and not complete_form.is_bound
        and status == "planned",
    }


def _requested_item_id(request) -> int | None:
    """?complete=<item id>: the planned item whose completion form the learner opened (the
    plan shows a planned item's form only on request; anything else is ignored)."""
    value = request.GET.get("complete", "")
    return int(value) if value.isdigit() and len(value) < 12 else None


def _plan_context(
    request,
    *,
    error_item_id=None,
    error=None,
    complete_form=None,
    focus_item_id=None,
    pace_bound=None,
    pace_notice="",
):
    user = request.user
    path = user.target_path
    ctx = {"path": path, "plan": None, "assess_url": _assess_url()}
    if path is None:
        ctx["empty"] = "no_path"
        return ctx
    requirements = plan_services.path_requirements(path)
    levels = Rating.objects.latest_levels(user)
    ctx["readiness"] = gaps.readiness_display(gaps.readiness(requirements, levels))
    ctx["open_gaps"] = sum(1 for g in gaps.gap_list(requirements, levels) if not g.is_met)
    plan = _get_plan_for_user(user)
    ctx["plan"] = plan
    if plan is None:
        if not levels:
            ctx["empty"] = "no_ratings"
        elif ctx["open_gaps"] == 0:
            ctx["empty"] = "no_gaps"
        else:
            ctx["empty"] = "no_plan"
        return ctx
    today = plan_services.learner_today(user)
    items = list(plan.items.select_related("project").order_by("position", "id"))
    checkpoints = plan_services.path_checkpoints(plan.path_id)
    # Checkpoints a mentor signed off for this learner: their milestones say so.
    signed_off = set(user.checkpoint_sign_offs.values_list("checkpoint_id", flat=True))
    open_items = [i for i in items if i.is_open]
    patterns, project_url = _item_url_makers()
    day = _Days()
    rows = []
    requested = _requested_item_id(request) if request.method == "GET" else None
    for item in items:
        mine = item.pk == error_item_id
        form = complete_form if mine else None
        if form is None and item.is_open and (item.status == "started" or item.pk == requested):
            # Rendering a form is slow: only started items and the requested one get one; a
            # planned item (150 in a long plan) links to ?complete=<id> instead.
            form = CompleteItemForm(auto_id=f"item{item.pk}_%s")
        urls = {f"{a}_url": url.replace(str(_ID), str(item.pk)) for a, url in patterns.items()}
        urls["project_url"] = project_url.replace(_SLUG, item.project.slug)
        rows.append(
            _item_row(
                item,
                today=today,
                error=error if mine else None,
                complete_form=form if item.is_open else None,
                signed_off=signed_off,
                checkpoints=checkpoints,
                urls=urls,
                day=day,
            )
        )
    open_rows = [row for row in rows if row["is_open"]]
    for row in rows:
        # After an htmx action keyboard focus returns to the item acted on (gapmap.js).
        row["focus"] = row["pk"] == str(focus_item_id)
    for index, row in enumerate(open_rows):
        row["can_move_up"] = index > 0
        row["can_move_down"] = index < len(open_rows) - 1
    # Logged hours: the week's total, the pace notice and each started item's quick add.
    from roadmap.views.pace import plan_pace_context  # that module builds on this one

    ctx.update(plan_pace_context(user, today=today, rows=rows, items=items, bound=pace_bound))
    ctx["pace_notice"] = pace_notice
    end = max((i.planned_end for i in open_items), default=None)
    # Open work dated a week or more ahead: earlier projects were finished or skipped early.
    next_start = min((i.planned_start for i in open_items), default=None)
    ahead = (next_start - today).days // 7 if next_start and next_start > today else 0
    ctx.update(
        # One plain string for the page's many forms: the context processor's lazy token
        # costs more per use.
        csrf=get_token(request),
        items=rows,
        today=today,
        behind=max((row["behind"] for row in rows), default=0),
        ahead=ahead,
        next_start=next_start,
        plan_end=end,
        target_warning=planner.target_warning(
            end=end,
            target=user.target_date,
            start=today,
            total_hours=sum(i.project.estimated_hours for i in open_items),
            weekly_hours=user.weekly_hours,
        ),
        all_met=ctx["open_gaps"] == 0,
    )
    return ctx


def _render_plan(request, status=200, **kwargs):
    ctx = _plan_context(request, **kwargs)
    template = "roadmap/plan.html#body" if request.htmx else "roadmap/plan.html"
    return render(request, template, ctx, status=status)


@login_required
@require_GET
def plan_page(request):
    return _render_plan(request)


@login_required
@require_POST
def plan_generate(request):
    """Generate the plan, or regenerate it keeping started and done items."""
    if request.user.target_path_id is None:
        raise Http404("Choose a target path first.")
    plan = plan_services.plan_generate(learner=request.user, path=request.user.target_path)
    messages.success(
        request,
        "Your plan is re-planned from today; started and finished projects stay as they were."
        if plan.regenerated_at is not None
        else "Your plan is ready: the projects below close your largest gaps first.",
    )
    return redirect("roadmap:plan")


@login_required
@require_POST
def plan_reflow(request):
    plan = _get_plan_for_user(request.user)
    if plan is None:
        raise Http404("No plan yet.")
    plan_services.plan_reflow(plan=plan)
    if request.htmx:
        return _render_plan(request)
    messages.success(request, "Your open projects are re-dated from today.")
    return redirect("roadmap:plan")


def _item_action(request, item, action, success):
    try:
        action(item=item)
    except PlanItemError as exc:
        if request.htmx:
            return _render_plan(request, error_item_id=item.pk, error=exc.message)
        messages.error(request, exc.message)
        return redirect("roadmap:plan")
    if request.htmx:
        return _render_plan(request, focus_item_id=item.pk)
    messages.success(request, success)
    return redirect("roadmap:plan")


@login_required
@require_POST
def plan_item_start(request, item_id):
    item = _get_item_for_user(request.user, item_id)
    return _item_action(request, item, plan_services.plan_item_start, f"Started {item.project}.")


@login_required
@require_POST
def plan_item_skip(request, item_id):
    item = _get_item_for_user(request.user, item_id)
    return _item_action(request, item, plan_services.plan_item_skip, f"Skipped {item.project}.")


@login_required
@require_POST
def plan_item_restore(request, item_id):
    item = _get_item_for_user(request.user, item_id)
    return _item_action(
        request, item, plan_services.plan_item_restore, f"Restored {item.project} to your plan."
    )


@login_required
@require_POST
def plan_item_move(request, item_id):
    item = _get_item_for_user(request.user, item_id)
    form = MoveItemForm(request.POST)
    if not form.is_valid():
        return _item_action(request, item, _refuse("Move a project up or down."), "")
    direction = form.cleaned_data["direction"]

    def move(*, item):
        plan_services.plan_item_reorder(item=item, direction=direction)

    return _item_action(request, item, move, f"Moved {item.project} {direction}.")


def _refuse(message):
    def action(*, item):
        raise PlanItemError(message)

    return action


@login_required
@require_POST
def plan_item_complete(request, item_id):
    """Record the evidence, then send the learner to reassess what the project builds."""
    item = _get_item_for_user(request.user, item_id)
    form = CompleteItemForm(request.POST, auto_id=f"item{item.pk}_%s")
    if not form.is_valid():
        # htmx only swaps 2xx answers; a plain POST gets 400 with the same page and errors.
        return _render_plan(
            request,
            status=200 if request.htmx else 400,
            error_item_id=item.pk,
            complete_form=form,
        )
    try:
        plan_services.plan_item_complete(item=item, **form.cleaned_data)
    except PlanItemError as exc:
        if request.htmx:
            return _render_plan(request, error_item_id=item.pk, error=exc.message)
        messages.error(request, exc.message)
        return redirect("roadmap:plan")
    messages.success(
        request, f"Well done: {item.project} is in your portfolio. Now update your levels."
    )
    target = plan_services.reassess_url(item)
    if request.htmx:
        return HttpResponseClientRedirect(target)
    return redirect(target)


# --- a project of the curriculum, as the learner reading it sees it -------------------------------
@login_required
@require_GET
def project_detail(request, slug):
    project = get_object_or_404(
        Project.objects.filter(is_active=True)
        .select_related("path")
        .prefetch_related("checkpoints", "prerequisites", "builds__competency"),
        slug=slug,
    )
    resources = resources_for_project(learner=request.user, project_id=project.pk)
    return render(
        request,
        "roadmap/project_detail.html",
        {
            "project": project,
            "why": _why_for_learner(request.user, project),
            "resources": resources,
            "studied_ids": studied_ids(
                learner=request.user, resource_ids=[r.pk for r in resources]
            ),
            "next": request.path,
        },
    )


def _why_for_learner(user, project):
    """What the project would close for this learner on its path, in words (or None)."""
    requirements = plan_services.path_requirements(project.path)
    levels = Rating.objects.latest_levels(user)
    names = {b.competency_id: b.competency.name for b in project.builds.all()}
    specs = [plan_services.project_spec(project)]
    [recommendation] = planner.recommend(specs, requirements, levels, names) or [None]
    return {"recommendation": recommendation, "rated": bool(levels)}

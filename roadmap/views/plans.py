"""The plan page and its item actions. Every action is a plain POST that redirects back, and
with htmx it answers the re-rendered plan body (dates of later items move with each change)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import dateformat
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
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


_BADGE = {"done": " ok", "skipped": " bad", "started": " warn"}
_STATUS_LABEL = dict(PlanItem.Status.choices)


class _Days:
    """What the template's |date filter prints (datetimes in the learner's zone), remembered
    per page: consecutive items share most of their dates."""

    def __init__(self):
        self.seen = {}

    def __call__(self, value, fmt: str) -> str:
        if not value:
            return ""
        key = (value, fmt)
        if key not in self.seen:
            self.seen[key] = escape(dateformat.format(template_localtime(value), fmt))
        return self.seen[key]


def _action_form(url: str, csrf_field: str, body: str) -> str:
    return (
        f'        <form method="post" action="{url}" hx-post="{url}" hx-target="#plan-body" '
        f'hx-swap="outerHTML" class="inline">\n          {csrf_field}{body}\n        </form>\n'
    )


def _milestone_html(row, day) -> str:
    """One milestone of an open item: its day and title, marked when a mentor signed its
    checkpoint off, or muted once its day has passed."""
    due, title, signed_off, past = row
    text = f"{day(due, 'j M')}: {escape(title)}"
    if signed_off:
        return f'<li>{text} <span class="badge ok">signed off</span></li>'
    if past:
        return f'<li class="muted">{text} <span class="small">(date passed)</span></li>'
    return f"<li>{text}</li>"


def _item_html(item, *, focus_item_id, csrf_field, day) -> str:
    """One plan item's <li>, built here rather than in the template: 6-8 forms per item made
    the loop over a 150-project plan most of the page's time. Every value that is not a
    literal of this function goes through escape() (as the template's autoescape did), except
    csrf_field and complete_fields, which are already safe HTML."""
    status = item.status
    name = escape(item.project.name)
    focus = " data-focus-after-swap" if item.pk == focus_item_id else ""
    parts = [
        f'<li class="card plan-item status-{escape(status)}" id="item-{item.pk}">\n'
        '      <div class="spread">\n'
        f'        <h2 class="plan-item-title"{focus}><a href="{escape(item.project_url)}">'
        f"{name}</a></h2>\n"
        '        <span class="row">\n'
        f'          <span class="badge{_BADGE.get(status, "")}">'
        f"{escape(_STATUS_LABEL.get(status, status))}</span>\n"
    ]
    if item.behind:
        weeks = "week" if item.behind == 1 else "weeks"
        parts.append(f'          <span class="badge bad">behind by {item.behind} {weeks}</span>\n')
    if item.verified_at:
        parts.append('          <span class="badge ok">verified</span>\n')
    parts.append("        </span>\n      </div>\n")
    if status == "done":
        parts.append(f'      <p class="small muted">Done {day(item.completed_at, "j F Y")}</p>\n')
    elif status != "skipped":
        parts.append(
            f'      <p class="small muted">{day(item.planned_start, "j M")} – '
            f"{day(item.planned_end, 'j M Y')}, about {item.project.estimated_hours} h</p>\n"
        )
    if item.explanation:
        parts.append(f'      <p class="small">Why: {escape(item.explanation)}</p>\n')
    if item.error:
        parts.append(
            '      <p class="alert bad" role="alert" data-focus-after-swap>'
            f"{escape(item.error)}</p>\n"
        )
    if item.is_open and item.milestone_rows:
        parts.append('      <ul class="small milestones">\n        ')
        parts.extend(_milestone_html(row, day) for row in item.milestone_rows)
        parts.append("\n      </ul>\n")
    if status == "done":
        if item.evidence_url:
            url = escape(item.evidence_url)
            parts.append(
                f'      <p class="small">Evidence: <a href="{url}" rel="nofollow noopener">'
                f"{url}</a></p>\n"
            )
        if item.reflection:
            parts.append(f'      <p class="small">{escape(item.reflection)}</p>\n')
    if status == "skipped":
        parts.append('      <div class="row plan-actions">\n')
        parts.append(
            _action_form(
                escape(item.urls["restore"]),
                csrf_field,
                '<button type="submit" class="small secondary">Restore<span '
                f'class="visually-hidden"> {name}</span></button>',
            )
        )
        parts.append("      </div>\n")
    if item.is_open:
        urls = {action: escape(url) for action, url in item.urls.items()}
        parts.append('      <div class="row plan-actions">\n')
        if status == "planned":
            parts.append(
                _action_form(
                    urls["start"], csrf_field, '<button type="submit" class="small">Start</button>'
                )
            )
        parts.append(
            _action_form(
                urls["skip"],
                csrf_field,
                '<button type="submit" class="small secondary">Skip</button>',
            )
        )
        for show, direction, label in (
            (item.can_move_up, "up", "Move up"),
            (item.can_move_down, "down", "Move down"),
        ):
            if show:
                parts.append(
                    _action_form(
                        urls["move"],
                        csrf_field,
                        f'<input type="hidden" name="direction" value="{direction}"><button '
                        f'type="submit" class="small secondary">{label}<span '
                        f'class="visually-hidden"> {name}</span></button>',
                    )
                )
        opened = " open" if item.form_has_errors else ""
        fix = (
            '          <p class="error" role="alert" data-focus-after-swap>Please fix the '
            "evidence below.</p>\n"
            if item.form_has_errors
            else ""
        )
        parts.append(
            f"      </div>\n      <details{opened}>\n        <summary>Mark as done</summary>\n"
            f'        <form method="post" action="{urls["complete"]}" '
            f'hx-post="{urls["complete"]}" hx-target="#plan-body" hx-swap="outerHTML" '
            f'class="complete-form" novalidate>\n          {csrf_field}\n{fix}'
            f"{item.complete_fields}\n"
            f'          <button type="submit">Complete {name}</button>\n        </form>\n'
            "      </details>\n"
        )
    parts.append("    </li>\n")
    return mark_safe("".join(parts))  # escaped piece by piece above


def _plan_context(
    request, *, error_item_id=None, error=None, complete_form=None, focus_item_id=None
):
    user = request.user
    path = user.target_path
    # After an htmx action keyboard focus returns to the item acted on (gapmap.js).
    ctx = {"path": path, "plan": None, "assess_url": _assess_url(), "focus_item_id": focus_item_id}
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
    blank_fields = ""
    for item in items:
        # Every attribute the template reads is set on every item: a failed lookup is slow.
        item.behind = item.behind_weeks(today)
        item.error = error if item.pk == error_item_id else None
        item.project_url = project_url.replace(_SLUG, item.project.slug)
        item.urls = {a: url.replace(str(_ID), str(item.pk)) for a, url in patterns.items()}
        item.milestone_rows = (
            [
                (m.due, m.checkpoint.title, m.checkpoint.id in signed_off, m.due < today)
                for m in plan_services.item_milestones(item, checkpoints)
            ]
            if item.is_open
            else ()
        )
        item.can_move_up = item.can_move_down = False
        item.form_has_errors = False
        item.complete_fields = ""
        if item.is_open:
            if item.pk == error_item_id and complete_form is not None:
                item.form_has_errors = bool(complete_form.errors)
                item.complete_fields = render_to_string(
                    "includes/form_fields.html", {"form": complete_form}
                )
            else:
                # Blank forms differ only in their ids: render one, substitute the id.
                blank_fields = blank_fields or render_to_string(
                    "includes/form_fields.html",
                    {"form": CompleteItemForm(auto_id=f"item{_ID}_%s")},
                )
                # ids only: the rest is the blank form's own (escaped) rendering
                item.complete_fields = mark_safe(blank_fields.replace(str(_ID), str(item.pk)))
    for index, item in enumerate(open_items):
        item.can_move_up = index > 0
        item.can_move_down = index < len(open_items) - 1
    # one hidden CSRF field for every form of the page instead of a tag per form
    csrf_field = format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request)
    )
    day = _Days()
    for item in items:
        item.html = _item_html(item, focus_item_id=focus_item_id, csrf_field=csrf_field, day=day)
    end = max((i.planned_end for i in open_items), default=None)
    # Open work dated a week or more ahead: earlier projects were finished or skipped early.
    next_start = min((i.planned_start for i in open_items), default=None)
    ahead = (next_start - today).days // 7 if next_start and next_start > today else 0
    ctx.update(
        items=items,
        today=today,
        behind=max((i.behind for i in items), default=0),
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

"""Logged hours and real pace: the quick add on the plan and the dashboard, the week's total
against the profile's weekly hours, replanning at the logged pace, and the dashboard's "ready
by" projection. Every form is a plain POST that redirects; with htmx it answers the region it
came from (the plan body, or the dashboard's hours card)."""

import math
from dataclasses import dataclass
from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from roadmap.forms.pace import LogHoursForm, blank_log_form
from roadmap.lib import charts, pace
from roadmap.lib.csv_export import csv_lines
from roadmap.lib.gaps import Requirement, readiness_display
from roadmap.models import PlanItemError
from roadmap.services import pace as pace_services
from roadmap.services.plans import learner_today, planner_inputs
from roadmap.views.plans import _get_item_for_user, _get_plan_for_user, _render_plan

# The dashboard offers the quick add on this many started items; the plan has them all.
DASHBOARD_ITEMS = 3


@dataclass
class BoundLog:
    """The quick add of one item after a POST: its bound form (with errors) or the message."""

    item_id: int
    form: LogHoursForm | None = None
    error: str = ""
    message: str = ""


def _log_row(item_id, name, *, today, url, return_to, logged, estimate, bound: BoundLog | None):
    mine = bound is not None and bound.item_id == item_id
    form = bound.form if mine and bound.form is not None else None
    if form is None:
        form = blank_log_form(
            today=today, token=pace_services.new_form_token(), auto_id=f"hours{item_id}_%s"
        )
    return {
        "item_id": item_id,
        "name": name,
        "url": url,
        "return_to": return_to,
        "form": form,
        "error": bound.error if mine else "",
        "message": bound.message if mine else "",
        "logged": pace_services.hours_text(logged or 0),
        "estimate": estimate,
    }


def _hours_url(item_id) -> str:
    return reverse("roadmap:plan_item_hours", args=[item_id])


def plan_pace_context(user, *, today, rows, items, bound: BoundLog | None = None) -> dict:
    """The plan page's pace figures, and each started item's quick add (row["hours"]) and every
    item's logged total (row["hours_logged"]); one query."""
    entries = pace_services.learner_entries(learner=user)
    figures = pace_services.pace_figures(learner=user, entries=entries, today=today)
    estimates = {str(item.pk): item.project.estimated_hours for item in items}
    for row in rows:
        logged = figures.per_item.get(int(row["pk"]))
        row["hours_logged"] = pace_services.hours_text(logged) if logged else ""
        row["hours"] = (
            _log_row(
                int(row["pk"]),
                row["name"],
                today=today,
                url=_hours_url(row["pk"]),
                return_to="plan",
                logged=logged,
                estimate=estimates[row["pk"]],
                bound=bound,
            )
            if row["status"] == "started"
            else None
        )
    return {"pace": figures, "pace_target": "#plan-body"}


def dashboard_pace_context(user, *, today, bound: BoundLog | None = None) -> dict:
    """The dashboard's hours card and what the readiness projection needs: two queries."""
    items = pace_services.open_items(learner=user)
    entries = pace_services.learner_entries(learner=user)
    figures = pace_services.pace_figures(learner=user, entries=entries, today=today)
    started = [row for row in items if row[1] == "started"]
    logs = [
        _log_row(
            item_id,
            name,
            today=today,
            url=_hours_url(item_id),
            return_to="dashboard",
            logged=figures.per_item.get(item_id),
            estimate=estimate,
            bound=bound,
        )
        for item_id, _status, name, _project, estimate in started[:DASHBOARD_ITEMS]
    ]
    remaining = [
        (project_id, pace_services.remaining_hours(estimate, figures.per_item.get(item_id)))
        for item_id, _status, _name, project_id, estimate in items
    ]
    return {
        "pace": figures,
        "pace_logs": logs,
        "pace_more": max(len(started) - DASHBOARD_ITEMS, 0),
        "pace_has_open": bool(items),
        "pace_target": "#pace-card",
        "pace_remaining": remaining,
    }


def ready_by(*, series, requirements, levels, builds, remaining, figures, today):
    """The "ready by" projection of the dashboard's readiness chart: the plan's remaining
    projects (`remaining`: (project id, hours left) in order; `builds`: project id -> {competency
    id: level}) at the logged pace, or the planned one before a finished week was logged.
    Returns (projection or None, pace used, whether it is the logged pace)."""
    logged = figures.logged_pace
    weekly = logged if logged is not None else figures.weekly_hours
    after = pace.readiness_after_each(
        requirements, levels, [builds.get(project_id, {}) for project_id, _ in remaining]
    )
    steps = [(hours, value) for (_, hours), value in zip(remaining, after, strict=True)]
    projection = pace.project_ready(series, steps, weekly, today)
    return projection, weekly, logged is not None


def _card(request, user, *, today, bound=None):
    ctx = dashboard_pace_context(user, today=today, bound=bound)
    if bound is not None and not any(log["item_id"] == bound.item_id for log in ctx["pace_logs"]):
        # An item the card has no quick add for (planned, skipped, or one of many): say it here.
        if bound.message:
            ctx["pace_card_message"] = bound.message
        else:
            ctx["pace_card_error"] = bound.error or "Please log these hours from your plan."
    return render(request, "roadmap/pace/dashboard_card.html", ctx)


@login_required
@require_http_methods(["GET", "POST"])
def plan_item_hours(request, item_id):
    """Log hours on a started (or done) item. GET shows the form on a page of its own, where a
    plain POST with errors also lands (400); with htmx the plan body or the dashboard's hours
    card comes back, with the errors in place or the entry counted."""
    user = request.user
    item = _get_item_for_user(user, item_id)
    today = learner_today(user)
    if request.method == "GET":
        form = blank_log_form(
            today=today, token=pace_services.new_form_token(), auto_id=f"hours{item.pk}_%s"
        )
        return render(request, "roadmap/pace/log_hours.html", {"item": item, "form": form})
    return_to = "dashboard" if request.POST.get("return_to") == "dashboard" else "plan"
    form = LogHoursForm(request.POST, today=today, auto_id=f"hours{item.pk}_%s")
    error = ""
    if form.is_valid():
        data = form.cleaned_data
        try:
            entry, created = pace_services.hours_log(
                learner=user,
                item=item,
                hours=data["hours"],
                day=data["day"],
                note=data["note"],
                token=data["token"],
            )
        except PlanItemError as exc:
            error = exc.message
        else:
            text = (
                f"Logged {pace_services.hours_text(entry.hours)} h on {item.project.name}."
                if created
                else f"Already logged: {pace_services.hours_text(entry.hours)} h on "
                f"{item.project.name} (this form was sent twice)."
            )
            if request.htmx:
                bound = BoundLog(item.pk, message=text)
                if return_to == "dashboard":
                    return _card(request, user, today=today, bound=bound)
                return _render_plan(request, focus_item_id=item.pk, pace_bound=bound)
            messages.success(request, text)
            if return_to == "dashboard":
                return redirect(reverse("roadmap:dashboard") + "#pace-card")
            return redirect(reverse("roadmap:plan") + f"#item-{item.pk}")
    bound = BoundLog(item.pk, form=form, error=error)
    if request.htmx:
        # htmx swaps only 2xx answers: the errors come back in place with 200.
        if return_to == "dashboard":
            return _card(request, user, today=today, bound=bound)
        if item.status != "started":
            # Only a started item has the quick add on the plan: the refusal goes on the item.
            return _render_plan(request, error_item_id=item.pk, error=error)
        return _render_plan(request, pace_bound=bound)
    return render(
        request,
        "roadmap/pace/log_hours.html",
        {"item": item, "form": form, "error": error, "return_to": return_to},
        status=400,
    )


@login_required
@require_POST
def plan_replan_pace(request):
    """Re-date the plan at the pace the learner logged lately (their weekly hours become it)."""
    plan = _get_plan_for_user(request.user)
    if plan is None:
        raise Http404("No plan yet.")
    gap = pace_services.plan_replan_at_pace(plan=plan)
    if gap is not None:
        request.user.weekly_hours = gap.suggested  # the page below is dated with it
    if gap is None:
        text = "Your logged hours match your weekly hours: the plan stays as it is."
    else:
        text = (
            f"Your plan is re-dated at {gap.suggested} h a week, the pace you logged; "
            "started, done and skipped projects keep their state."
        )
    if request.htmx:
        return _render_plan(request, pace_notice=text)
    messages.success(request, text)
    return redirect("roadmap:plan")


# --- the dashboard: hours card and the readiness chart with its "ready by" ----------------------

CHART_WIDTH, CHART_HEIGHT, CHART_LEFT = 640, 220, 48


def _week_label(day) -> str:
    return f"{day.day} {day:%b}"


def _day_text(day, today) -> str:
    """ "14 March", with the year when it is not this year's."""
    return f"{day.day} {day:%B}" + (f" {day.year}" if day.year != today.year else "")


def _readiness_chart(series, projection, today):
    """The readiness chart's geometry: the weeks so far, then the weeks up to the projected
    day, with the projection's steps where readiness rises and a target line at 100%."""
    weeks = [week for week, _ in series]
    values: list = [percent for _, percent in series]
    labels = [_week_label(week) for week in weeks]
    ahead = []
    if projection is not None and projection.steps:
        last = projection.ready_on or projection.steps[-1][0]
        steps, previous = [], series[-1][1]
        for day, value in projection.steps:
            if day > last:
                break
            if value > previous + 1e-9 or day == last:
                steps.append((day, value))
                previous = max(previous, value)
        # Weeks on past the last known one, far enough for the last projected day's place.
        extra = math.ceil((last - weeks[-1]).days / 7)
        for index in range(1, extra + 1):
            week = weeks[-1] + timedelta(weeks=index)
            labels.append(_week_label(week))
            values.append(None)
        ahead = [
            ((day - weeks[0]).days / 7, readiness_display(value), _day_text(day, today))
            for day, value in steps
        ]
    return charts.line_chart(
        values,
        labels,
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        left=CHART_LEFT,
        # Four labels: on a phone the chart is drawn at half size with larger text.
        max_x_labels=4,
        target=100.0,
        projection=ahead,
    )


def _ready_by_state(*, series, has_plan, remaining, projection) -> str:
    if series and series[-1][1] >= 100:
        return "met"
    if not has_plan:
        return "no_plan"
    if not remaining:
        return "no_open"
    if len(series) < pace.MIN_POINTS:
        return "few_points"
    if projection is None:
        return "no_pace"
    return "reached" if projection.ready_on else "short"


def dashboard_context(user, *, today, figures, rows, path, hub, token) -> dict:
    """What the dashboard shows of logged hours and the readiness chart with its projection.
    The chart is rendered when its inputs changed and kept with `figures` (the caller stores
    them again when "figures_changed" says so), as the activity calendar is."""
    ctx: dict = {"pace_on": bool(hub["has_plan"]), "figures_changed": False}
    remaining = []
    if hub["has_plan"]:
        ctx.update(dashboard_pace_context(user, today=today))
        remaining = ctx.pop("pace_remaining")
    chart_inputs = figures["chart"]
    series = [tuple(point) for point in chart_inputs["series"]]
    if not series:
        ctx["readiness_chart_html"] = ""
        return ctx
    projection, weekly, is_logged = None, user.weekly_hours, False
    if remaining and len(series) >= pace.MIN_POINTS:
        specs = planner_inputs(path, token=token)[0]
        requirements = [
            Requirement(cid, target, weight)
            for cid, _, _, target, weight, retired, _ in rows
            if not retired
        ]
        projection, weekly, is_logged = ready_by(
            series=series,
            requirements=requirements,
            levels=figures["levels"],
            builds={pid: spec.builds for pid, spec in specs.items()},
            remaining=remaining,
            figures=ctx["pace"],
            today=today,
        )
    state = _ready_by_state(
        series=series, has_plan=hub["has_plan"], remaining=remaining, projection=projection
    )
    target = pace.against_target(projection.ready_on if projection else None, user.target_date)
    key = (today.isoformat(), state, projection, round(weekly, 2), is_logged, user.target_date)
    kept = figures.get("readiness_chart")
    if kept is None or kept[0] != key:
        chart = _readiness_chart(series, projection, today)
        html = render_to_string(
            "roadmap/progress/readiness_chart.html",
            {
                **chart_inputs,
                "series": series,
                "chart": chart,
                "target_label": f"Every target of {chart_inputs['path_name']} met",
                "ready": {
                    "state": state,
                    "day": _day_text(projection.ready_on, today)
                    if projection and projection.ready_on
                    else "",
                    "final": readiness_display(projection.final) if projection else 0,
                    "last_day": _day_text(projection.steps[-1][0], today)
                    if projection and projection.steps
                    else "",
                    "weekly": pace_services.hours_text(round(weekly, 1)),
                    "is_logged": is_logged,
                    "points": len(series),
                    "min_points": pace.MIN_POINTS,
                    # (after | before | on, weeks) against the profile's target date
                    "target": target,
                    "target_day": _day_text(user.target_date, today) if user.target_date else "",
                },
            },
        )
        kept = figures["readiness_chart"] = (key, html)
        ctx["figures_changed"] = True
    ctx["readiness_chart_html"] = kept[1]
    return ctx


@login_required
@require_GET
def export_hours_csv(request):
    """The learner's logged hours, one row per entry, streamed (the my-data page links it)."""
    rows = pace_services.hours_for_export(learner=request.user)
    response = StreamingHttpResponse(
        csv_lines(pace_services.HOURS_CSV_HEADER, rows), content_type="text/csv; charset=utf-8"
    )
    stamp = learner_today(request.user).isoformat()
    response["Content-Disposition"] = f'attachment; filename="gapmap-hours-{stamp}.csv"'
    return response

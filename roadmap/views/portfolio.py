"""The portfolio (the learner's own levels, readiness per path, done projects with evidence),
its private share link and Markdown export, and the plan's calendar (.ics download and private
feed)."""

import re
from datetime import UTC, datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_POST
from icalendar import Calendar, Event

from accounts.access import public
from roadmap.models import Credential, Plan, PlanItem
from roadmap.services import plans as plan_services
from roadmap.services.portfolio import portfolio_figures


def _portfolio_items(learner):
    return (
        PlanItem.objects.for_learner(learner)
        .done()
        .select_related("project", "plan__path", "verified_by")
        .prefetch_related(
            "project__builds__competency",
            Prefetch("credentials", queryset=Credential.objects.live(), to_attr="live_credentials"),
        )
        .order_by("-completed_at", "-id")
    )


def _portfolio_context(learner) -> dict:
    levels, readiness = portfolio_figures(learner=learner)
    return {
        "items": _portfolio_items(learner),
        "owner": learner,
        "levels": levels,
        "readiness": readiness,
    }


def _share_plan(user):
    """The plan holding the learner's private links: the target path's, else the newest."""
    plans = Plan.objects.filter(learner=user)
    return (
        plans.filter(path_id=user.target_path_id).first() if user.target_path_id else None
    ) or plans.order_by("-created_at").first()


@login_required
@require_GET
def portfolio(request):
    plan = _share_plan(request.user)
    share_url = (
        request.build_absolute_uri(redirect("roadmap:portfolio_public", token=plan.share_token).url)
        if plan and plan.share_token
        else None
    )
    return render(
        request,
        "roadmap/portfolio.html",
        {
            **_portfolio_context(request.user),
            "plan": plan,
            "share_url": share_url,
            "public": False,
        },
    )


@public
@require_GET
def portfolio_public(request, token):
    plan = get_object_or_404(Plan.objects.select_related("learner"), share_token=token)
    response = render(
        request,
        "roadmap/portfolio.html",
        {
            **_portfolio_context(plan.learner),
            "public": True,
            "page_url": request.build_absolute_uri(),
        },
    )
    # A private link: keep it out of search engines and shared caches.
    response["X-Robots-Tag"] = "noindex"
    response["Cache-Control"] = "private, no-store"
    return response


# What may not appear inside a CommonMark autolink `<...>`: ASCII controls, space, < and >.
_NOT_IN_AUTOLINK = re.compile(r"[\x00-\x20<>\x7f]")


def markdown_autolink(url: str) -> str:
    """`<url>` with what would end or break the autolink percent-encoded, so a URL containing
    `>`, `)` or spaces stays one link and cannot inject Markdown after it."""
    return "<" + _NOT_IN_AUTOLINK.sub(lambda m: f"%{ord(m.group()):02X}", url) + ">"


@login_required
@require_GET
def portfolio_markdown(request):
    items = list(_portfolio_items(request.user))
    for item in items:
        # Markdown quotes line by line.
        item.reflection_quoted = "\n".join(f"> {line}" for line in item.reflection.splitlines())
        item.evidence_link = markdown_autolink(item.evidence_url)
    text = render_to_string("roadmap/portfolio.md", {"items": items, "owner": request.user})
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="portfolio.md"'
    return response


@login_required
@require_POST
def portfolio_link(request):
    """Create a new private link (the old one stops working) or revoke it."""
    plan = _share_plan(request.user)
    if plan is None:
        raise Http404("Generate a plan first.")
    revoke = request.POST.get("action") == "revoke"
    plan_services.plan_share_token_set(plan=plan, revoke=revoke)
    messages.success(
        request, "The private link is revoked." if revoke else "Here is your new private link."
    )
    return redirect("roadmap:portfolio")


@login_required
@require_POST
def plan_calendar_link(request):
    plan = _share_plan(request.user)
    if plan is None:
        raise Http404("Generate a plan first.")
    revoke = request.POST.get("action") == "revoke"
    plan_services.plan_calendar_token_set(plan=plan, revoke=revoke)
    messages.success(
        request,
        "The calendar feed is turned off." if revoke else "Here is your new calendar feed link.",
    )
    return redirect("roadmap:plan")


def _ics_response(plan: Plan, *, download: bool) -> HttpResponse:
    calendar = Calendar()
    calendar.add("prodid", "-//Gapmap//Learning plan//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Gapmap: {plan.path.name}")
    stamp = datetime.now(UTC)
    items = (
        plan.items.exclude(status=PlanItem.Status.SKIPPED)
        .select_related("project")
        .order_by("position", "id")
    )
    checkpoints = plan_services.path_checkpoints(plan.path_id)
    for item in items:
        span = Event()
        span.add("uid", f"gapmap-item-{item.pk}@gapmap")
        span.add("dtstamp", stamp)
        span.add("summary", f"{item.project.name} ({item.get_status_display().lower()})")
        span.add("dtstart", item.planned_start)
        # All-day events end on the day after (RFC 5545: DTEND is exclusive).
        span.add("dtend", item.planned_end + timedelta(days=1))
        span.add("description", item.explanation)
        calendar.add_component(span)
        for milestone in plan_services.item_milestones(item, checkpoints):
            event = Event()
            # Stable while the item and its checkpoint exist: re-dating moves the event.
            event.add("uid", f"gapmap-milestone-{item.pk}-{milestone.checkpoint.id}@gapmap")
            event.add("dtstamp", stamp)
            event.add("summary", f"Milestone: {milestone.checkpoint.title} ({item.project.name})")
            event.add("dtstart", milestone.due)
            event.add("dtend", milestone.due + timedelta(days=1))
            calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    if download:
        response["Content-Disposition"] = 'attachment; filename="gapmap-plan.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def plan_ics(request):
    plan = _share_plan(request.user)
    if plan is None:
        raise Http404("No plan yet.")
    return _ics_response(plan, download=True)


@public
@require_GET
def plan_ics_feed(request, token):
    plan = get_object_or_404(Plan.objects.select_related("path"), calendar_token=token)
    return _ics_response(plan, download=False)

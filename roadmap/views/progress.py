"""The learner's dashboard (readiness over weeks, per-competency trends, since last week,
curriculum changes, activity) and their data: export and account deletion."""

import functools
import json
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.dates import MONTHS_3, WEEKDAYS_ABBR
from django.views.decorators.http import require_GET, require_http_methods

from curriculum.cache import cache_get, cache_set, from_curriculum
from curriculum.models import Level, Path, PathCompetency, Resource
from roadmap.forms.progress import DeleteAccountForm
from roadmap.lib import charts, progress
from roadmap.lib.csv_export import csv_lines
from roadmap.lib.gaps import Requirement, readiness_display
from roadmap.services.celebrations import celebrations_claim, celebrations_since
from roadmap.services.progress import (
    HISTORY_SECONDS,
    RATING_FIELDS,
    account_delete,
    activity_moments,
    curriculum_snapshot_record,
    dashboard_hub,
    history_cache_key,
    learner_export,
    ratings_for_export,
    self_ratings_dated,
)
from roadmap.views import pace as pace_views
from roadmap.views.celebrations import celebration_message

LEVEL_NAMES = dict(Level.choices)


def _url_or_none(name: str) -> str | None:
    """Links to pages another area may not have shipped yet."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


@dataclass
class CompetencyRow:
    competency_id: int
    name: str
    kind: str
    target: int
    weight: int
    retired: bool
    level: int | None
    spark: charts.Sparkline | None
    first_level: int | None

    @property
    def level_name(self) -> str:
        return LEVEL_NAMES[self.level] if self.level is not None else "Not rated"

    @property
    def met(self) -> bool:
        return self.level is not None and self.level >= self.target


def _week_label(day) -> str:
    return f"{day.day} {day:%b}"


def _day_labeller():
    """A function giving a date as the `date:"D j M Y"` filter would, with the translated names
    looked up once: the dashboard labels a few hundred days, and the filter per day was slow."""
    weekdays = [str(WEEKDAYS_ABBR[i]) for i in range(7)]
    months = {m: str(MONTHS_3[m]).title() for m in range(1, 13)}

    def label(day) -> str:
        return f"{weekdays[day.weekday()]} {day.day} {months[day.month]} {day.year}"

    return label


class _CalendarFrame(NamedTuple):
    days: tuple[date, ...]
    labels: tuple[str, ...]  # "D j M Y"
    places: tuple[tuple[int, int], ...]  # (x, y) of each day's square
    layout: charts.CalendarLayout  # the drawing's size, month and weekday labels
    weeks: int


@functools.lru_cache(maxsize=8)
def _calendar_frame(today: date) -> _CalendarFrame:
    """The activity calendar's days up to `today`, their labels and their squares' places: the
    same for every learner whose day it is, so built once a day (a few dates at a time, for
    learners in different zones) instead of 182 days on every visit. The labels are English day
    and month names (USE_I18N is off); with translations on, key on the language."""
    days = progress.activity_calendar({}, today)
    layout = charts.calendar_layout(days)
    day_label = _day_labeller()
    labels = [day_label(day.day) for day in days]
    return _CalendarFrame(
        days=tuple(day.day for day in days),
        labels=tuple(labels),
        places=tuple((cell.x, cell.y) for cell in layout.cells),
        layout=layout,
        weeks=days[-1].week_index + 1,
    )


def _dashboard_rows(path_id) -> tuple:
    """(competency_id, name, kind, target, weight, retired_at, resources) of every competency the
    path has had, current ones first, in one query; resources is how many learning resources the
    competency has (the curriculum-changes notice compares it)."""
    resources = (
        Resource.objects.filter(competency_id=OuterRef("competency_id"))
        .order_by()
        .values("competency_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return tuple(
        PathCompetency.objects.filter(path_id=path_id)
        .annotate(resource_total=Coalesce(Subquery(resources), 0))
        # Current competencies first (PostgreSQL would sort NULLs last), retired ones after.
        .order_by(F("retired_at").asc(nulls_first=True), "position", "id")
        .values_list(
            "competency_id",
            "competency__name",
            "competency__kind",
            "target_level",
            "weight",
            "retired_at",
            "resource_total",
        )
    )


def _rises(rose, names, targets) -> list:
    """(name, (before, now, target or None)) per competency that rose, by name; the target is
    given when the rise started at or past it, since readiness then stays (the page says so)."""
    rises = []
    for cid, (before, now) in rose.items():
        target = targets.get(cid)
        rises.append(
            (names[cid], (before, now, target if target is not None and before >= target else None))
        )
    return sorted(rises)


def _rating_figures(user, zone, today: date, rows, path_name: str) -> dict:
    """What the dashboard shows of the learner's self-ratings, from one query over all of them:
    the readiness now and per week (chart and table), since last week, each competency's trend,
    and the number of ratings per local day (for the activity calendar and streaks). Plain data
    (numbers, dates, strings, lists and dicts of them, and the fragments rendered from them), so
    it can be kept in the cache (roadmap.services.progress.history_cache_key says under what):

    - "page": the template's context entries, with the chart and the trends table rendered
      (their templates loop over every week and competency: rendering them once per change of
      the figures keeps the dashboard at its speed),
    - "diff": since last week's fields (progress.WeekDiff),
    - "rating_days": {local day: self-ratings of any competency that day},
    - "targets_met": [(competency id, name, when)] met by progress lately, to celebrate."""
    requirements = [Requirement(cid, t, w) for cid, _, _, t, w, retired, _ in rows if not retired]
    names = {cid: name for cid, name, *_ in rows}
    targets = {r.competency_id: r.target for r in requirements}

    # One query for every self-rating the learner made, each with its local day (for the weekly
    # series, since last week and the calendar); the math happens in Python.
    dated = self_ratings_dated(learner=user, zone=zone)
    events = [event for event in dated if event[0] in names]

    history = progress.history(events, requirements, today)
    # Whole percents per week, as the chart, its table and its description show them.
    series = [
        (week, readiness_display(value))
        for week, value in zip(history.weeks, history.readiness, strict=True)
    ]
    diff = history.diff

    competencies = []
    unrated = [None] * len(series)
    for cid, name, kind, target, weight, retired, _ in rows:
        # None until the week of the first rating, a level every week after it.
        levels = history.levels.get(cid, unrated)
        rated = cid in history.levels
        first_level = next((lv for lv in levels if lv is not None), None)
        spark = charts.sparkline(levels, target=None if retired else target) if rated else None
        competencies.append(
            CompetencyRow(
                competency_id=cid,
                name=name,
                kind=kind,
                target=target,
                weight=weight,
                retired=retired is not None,
                level=levels[-1] if rated else None,
                spark=spark,
                first_level=first_level,
            )
        )

    day_label = _day_labeller()
    series_rows = [(day_label(week), percent) for week, percent in series]

    def named(ids):
        return sorted((names[cid], value) for cid, value in ids.items())

    now, before = readiness_display(diff.readiness_now), readiness_display(diff.readiness_before)
    series_first_label = series_rows[0][0].split(" ", 1)[1] if series_rows else ""
    series_last_label = series_rows[-1][0].split(" ", 1)[1] if series_rows else ""
    page = {
        "has_ratings": bool(events),
        "readiness": now,
        "readiness_change": now - before,
        "readiness_change_abs": abs(now - before),
        "week_count": len(series),
        "rose": _rises(diff.rose, names, targets),
        "fell": named(diff.fell),
        "new": named(diff.new),
        "trends_html": render_to_string(
            "roadmap/progress/competency_trends.html", {"competencies": competencies}
        ),
    }
    return {
        "page": page,
        # The readiness chart is drawn in the dashboard view (with the plan's projection, which
        # these figures do not know): what it needs of the ratings.
        "chart": {
            "path_name": path_name,
            "series": series,
            # "D j M Y" labels: the numbers table, and the chart's first and last week
            "series_rows": series_rows,
            "series_first_label": series_first_label,
            "series_last_label": series_last_label,
            "week_count": len(series),
        },
        "levels": {cid: levels[-1] for cid, levels in history.levels.items()},
        "diff": {
            "rose": diff.rose,
            "fell": diff.fell,
            "new": diff.new,
            "readiness_before": diff.readiness_before,
            "readiness_now": diff.readiness_now,
        },
        "rating_days": dict(Counter(day for *_, day in dated)),
        "targets_met": [
            (cid, names[cid], at)
            for cid, at in progress.targets_reached(events, targets, celebrations_since(today))
        ],
    }


@login_required
@require_GET
def dashboard(request):
    user = request.user
    if user.target_path_id is None:
        onboarding = _url_or_none("roadmap:onboarding")
        if onboarding and user.is_learner:
            return redirect(onboarding)
        return render(request, "roadmap/dashboard.html", {"path": None})

    # Mentoring card, next plan item, the path's name, the last snapshot, the nav's count.
    hub = dashboard_hub(learner=user)
    # The page needs only the path's id and name; both came with the hub.
    path = Path(pk=user.target_path_id, name=hub["path_name"])
    zone = user.zone
    now = timezone.now()
    today = progress.local_date(now, zone)

    # The path's competencies (retired ones too: their history stays visible), read once per
    # curriculum version (curriculum/cache.py); the hub read the version's token.
    token = hub["curriculum_token"]
    rows = from_curriculum(
        ("dashboard rows", path.pk), lambda: _dashboard_rows(path.pk), token=token
    )

    # What comes of the learner's self-ratings (their whole history), computed again only when
    # one of its inputs changed: a new rating, the curriculum, the path, the zone or the day.
    key = history_cache_key(
        learner=user,
        newest_rating_id=hub["newest_rating_id"],
        curriculum_token=token,
        zone=zone,
        today=today,
    )
    figures = cache_get(key)
    changed = figures is None
    if changed:
        figures = _rating_figures(user, zone, today, rows, path.name)

    # What changed in the curriculum since the last visit: shown once, then remembered.
    snapshot = progress.requirements_snapshot(
        (cid, name, target, weight, resources)
        for cid, name, _, target, weight, retired, resources in rows
        if not retired
    )
    previous = hub["seen_requirements"]
    changes = progress.curriculum_changes(previous, snapshot)
    curriculum_snapshot_record(learner=user, path=path, requirements=snapshot, previous=previous)

    # Activity: ratings of any competency, path choices and plan updates.
    others = activity_moments(learner=user)
    counts = progress.active_days(others, zone)
    counts.update(figures["rating_days"])  # a mapping: its counts are added
    current_streak, longest_streak = progress.week_streaks(counts, today)
    frame = _calendar_frame(today)
    day_counts = [counts.get(day, 0) for day in frame.days]
    calendar_active = [
        (label, count) for label, count in zip(frame.labels, day_counts, strict=True) if count
    ]
    # The calendar's 182 squares are rendered again only when the learner's activity or the
    # day changed (other activity than ratings is not in the figures' key): kept with them.
    calendar_key = (today.isoformat(), tuple(day_counts))
    calendar = figures.get("calendar")
    if calendar is None or calendar[0] != calendar_key:
        cells = [
            (x, y, progress.activity_intensity(count), label, count)
            for (x, y), label, count in zip(frame.places, frame.labels, day_counts, strict=True)
        ]
        html = render_to_string(
            "roadmap/progress/activity_calendar.html",
            {
                "current_streak": current_streak,
                "longest_streak": longest_streak,
                "calendar": frame.layout,
                "calendar_weeks": frame.weeks,
                "calendar_cells": cells,
                "calendar_active": calendar_active,
            },
        )
        calendar = figures["calendar"] = (calendar_key, html)
        changed = True
    # Logged hours and the readiness chart with its "ready by" projection (roadmap/views/pace.py):
    # two queries with a plan, none without; the chart is kept with the figures like the calendar.
    pace_context = pace_views.dashboard_context(
        user, today=today, figures=figures, rows=rows, path=path, hub=hub, token=token
    )
    changed = pace_context.pop("figures_changed") or changed
    if changed:
        cache_set(key, figures, HISTORY_SECONDS)

    # A project done or a target met lately, shown once (stored as shown now).
    celebrations = celebrations_claim(
        learner=user,
        path_id=path.pk,
        targets_met=figures["targets_met"],
        since=celebrations_since(today),
        newest_done_at=hub["newest_done_at"],
        celebrated_until=hub["celebrated_until"],
    )

    context = {
        **figures["page"],
        "celebration": celebration_message(celebrations),
        "path": path,
        "diff": progress.WeekDiff(**figures["diff"]),
        "changes": changes,
        "has_activity": bool(counts),
        "calendar_html": calendar[1],
        "level_names": LEVEL_NAMES,
        "hub": hub,
        **pace_context,
        # The hub read it: base.html's context processor need not count again.
        "unread_notifications": hub["unread_notifications"],
    }
    return render(request, "roadmap/dashboard.html", context)


@login_required
@require_GET
def my_data(request):
    return render(request, "roadmap/my_data.html")


def _attachment(response, extension: str):
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="gapmap-data-{stamp}.{extension}"'
    return response


@login_required
@require_GET
def export_json(request):
    data = learner_export(learner=request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    return _attachment(response, "json")


@login_required
@require_GET
def export_csv(request):
    """The ratings history, one row per rating, streamed so a long history is not held in memory."""
    header = [
        "rated_at",
        "competency_slug",
        "competency_name",
        "level",
        "source",
        "note",
        "evidence_url",
    ]
    assert len(header) == len(RATING_FIELDS)
    rows = (
        [at.isoformat(), *rest]
        for at, *rest in ratings_for_export(learner=request.user).iterator(chunk_size=2000)
    )
    response = StreamingHttpResponse(
        csv_lines(header, rows), content_type="text/csv; charset=utf-8"
    )
    return _attachment(response, "csv")


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        account_delete(user=request.user)
        logout(request)
        # After logout the session is new; the message rides on it to the landing page.
        messages.success(request, "Your account and all your data have been deleted.")
        return redirect("home")
    return render(request, "roadmap/delete_account.html", {"form": form})

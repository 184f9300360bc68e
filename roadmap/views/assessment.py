"""Self-assessment: the page of every competency of the learner's path, rating one row (htmx or
plain POST), and the reassessment of stale ratings.

Contract for other areas (the planner links here after a project is done):
  /assess/?focus=<competency_id>,<competency_id>   shows only those competencies of the path;
  &suggest=<competency_id>:<level>,...              pre-selects those levels (0-4) in the rows.
Unknown ids, ids not on the path and levels off the scale are ignored.

The rows' markup is in templates/roadmap/assessment/assess.html (partial "row"); a row carries
its level choice with short names and what the current level means, and the five level texts
with the note and evidence fields load per row on demand (assess_levels), so the page stays
small at 164 competencies. These views read plain values (values_list, no model instances: at
164 competencies those were a measurable part of the page) and hand them over."""

from datetime import datetime
from typing import NamedTuple
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.contrib import messages
from django.db.models import IntegerField, Value
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from curriculum.cache import from_curriculum
from curriculum.models import Competency, Level, LevelDescriptor, PathCompetency, ScaleLevel
from roadmap.forms.assessment import RatingForm
from roadmap.lib.assessment import (
    parse_focus,
    parse_suggest,
    reassessment_suggestion,
    stale_ids,
)
from roadmap.lib.gaps import readiness, readiness_display
from roadmap.models import CurrentRating, Rating
from roadmap.services.assessment import rating_record_with_levels, rating_withdraw
from roadmap.services.resources import resources_for_steps, studied_ids

ASSESS_TEMPLATE = "roadmap/assessment/assess.html"
KIND_LABELS = dict(Competency.Kind.choices)


class PathRow(NamedTuple):
    """One current competency of the path (a values_list row of PathCompetency)."""

    competency_id: int
    target_level: int
    weight: int
    name: str
    kind: str
    category: str
    summary: str
    path_name: str

    @property
    def target(self) -> int:
        """As roadmap.lib.gaps.Requirement, so the path's rows are its requirements as they are."""
        return self.target_level


PATH_ROW_FIELDS = (
    "competency_id",
    "target_level",
    "weight",
    "competency__name",
    "competency__kind",
    "competency__category",
    "competency__summary",
    "path__name",
)


class Withdrawn(NamedTuple):
    """A rating just taken back: what "Undo" posts to rate it again."""

    level: int
    level_name: str
    note: str
    evidence_url: str


class Latest(NamedTuple):
    """The learner's newest self-rating of one competency."""

    level: int
    created_at: datetime
    evidence_url: str


def redirect_to_onboarding(request):
    messages.info(
        request, "Choose the path you are aiming for first; then you can rate yourself against it."
    )
    return redirect("roadmap:onboarding")


def scale_levels() -> dict[int, tuple[str, str]]:
    """{level: (name, default descriptor)}; Level's labels stand in for missing ScaleLevel rows."""
    return _scale(ScaleLevel.objects.values_list("level", "name", "descriptor"))


def _scale(stored) -> dict[int, tuple[str, str]]:
    found = {level: (name, descriptor) for level, name, descriptor in stored}
    return {level: found.get(level, (Level(level).label, "")) for level in Level.values}


def _path_rows(path_id) -> list[PathRow]:
    """The path's current competencies in assessment-page order, one query."""
    rows = (
        PathCompetency.objects.current()
        .filter(path_id=path_id)
        .order_by("competency__category", "competency__kind", "position", "competency__name")
    )
    return [PathRow(*row) for row in rows.values_list(*PATH_ROW_FIELDS)]


class PathCurriculum(NamedTuple):
    """What the assessment pages show of one path's curriculum: its current rows in page order,
    the scale, and {competency_id: {level: description}} of its competencies."""

    rows: list[PathRow]
    scale: dict[int, tuple[str, str]]
    descriptors: dict[int, dict[int, str]]


def _path_curriculum(path_id) -> PathCurriculum:
    """Read once per curriculum version and process (then one query: the version token): the
    ~800 descriptors of a large path were the page's largest read."""

    def read():
        on_path = PathCompetency.objects.current().filter(path_id=path_id)
        # A subquery, not a join through competency: half the time in SQLite (make bench).
        scale, descriptors = _level_texts(competency_id__in=on_path.values("competency_id"))
        return PathCurriculum(_path_rows(path_id), scale, descriptors)

    return from_curriculum(("assessment", path_id), read)


def _latest_ratings(user, **filters) -> dict[int, Latest]:
    """{competency_id: Latest} of the learner's newest self-rating per competency (of those
    `filters` select), one query, as plain values (a model per competency cost more than the
    rest of the read)."""
    rows = CurrentRating.objects.filter(
        learner=user, source=Rating.Source.SELF, **filters
    ).values_list("competency_id", "level", "created_at", "rating__evidence_url")
    return {cid: Latest(level, at, url) for cid, level, at, url in rows}


def _level_texts(**filters) -> tuple[dict[int, tuple[str, str]], dict[int, dict[int, str]]]:
    """The scale (as scale_levels()) and {competency_id: {level: description}} of the
    competencies `filters` select: one query for both (a UNION; scale rows have no competency)."""
    descriptors = (
        LevelDescriptor.objects.filter(**filters)
        .order_by()
        .values_list("competency_id", "level", Value(""), "description")
    )
    scale_rows = ScaleLevel.objects.order_by().values_list(
        Value(None, output_field=IntegerField()), "level", "name", "descriptor"
    )
    stored, found = [], {}
    # order_by(): without it the UNION is sorted by LevelDescriptor's Meta.ordering.
    for cid, level, name, text in descriptors.union(scale_rows, all=True).order_by():
        if cid is None:
            stored.append((level, name, text))
        else:
            found.setdefault(cid, {})[level] = text
    return _scale(stored), found


class RowView(NamedTuple):
    """One competency's row as the template shows it (plain values; the template escapes)."""

    competency_id: int
    name: str
    kind_label: str
    summary: str
    target: int
    target_name: str
    current: int | None
    current_name: str
    checked: int | None  # the level chosen in the radios: a submitted one, the suggestion, or now
    suggested: int | None
    last_rated: str  # "" when never rated
    evidence_url: str
    descriptor: str  # what the current level means (its own text, else the scale's)
    rate_url: str
    levels_url: str
    withdraw_url: str
    form: RatingForm | None  # a submitted form shown again with its errors
    saved: bool
    # The note and evidence fields (with the five descriptors) shown inline: a submitted form
    # with something in them. Otherwise they load when the row's disclosure is opened.
    expanded: bool
    # Just withdrawn: the rating that was taken back, which the row offers to restore.
    undo: "Withdrawn | None" = None


def _row(
    row: PathRow,
    curriculum: "PathCurriculum",
    rating: "Latest | None",
    *,
    urls,
    last_rated: str = "",
    suggested: int | None = None,
    form: RatingForm | None = None,
    saved: bool = False,
) -> RowView:
    cid = row.competency_id
    current = rating.level if rating else None
    if form is not None:
        raw = form.data.get("level")
        checked = int(raw) if isinstance(raw, str) and raw in LEVEL_VALUES else None
        expanded = bool(
            form.data.get("note")
            or form.data.get("evidence_url")
            or form.errors.get("note")
            or form.errors.get("evidence_url")
        )
    else:
        checked = suggested if suggested is not None else current
        expanded = False
    descriptor = ""
    if current is not None:
        own = curriculum.descriptors.get(cid, {})
        descriptor = own.get(current) or curriculum.scale[current][1]
    return RowView(
        competency_id=cid,
        name=row.name,
        kind_label=KIND_LABELS.get(row.kind, row.kind),
        summary=row.summary,
        target=row.target_level,
        target_name=curriculum.scale[row.target_level][0],
        current=current,
        current_name=curriculum.scale[current][0] if current is not None else "",
        checked=checked,
        suggested=suggested,
        last_rated=last_rated,
        evidence_url=rating.evidence_url if rating else "",
        descriptor=descriptor,
        rate_url=urls.rate(cid),
        levels_url=urls.levels(cid),
        withdraw_url=urls.withdraw(cid),
        form=form,
        saved=saved,
        expanded=expanded,
    )


LEVEL_VALUES = {str(level) for level in Level.values}


class _Urls:
    """The per-competency URLs of the rows: one reverse() each for the whole page (the patterns
    are "assess/<int:competency_id>/" and ".../levels/")."""

    def __init__(self):
        self._rate = reverse("roadmap:rate", args=[987654321]).split("987654321")
        self._levels = reverse("roadmap:assess_levels", args=[987654321]).split("987654321")
        self._withdraw = reverse("roadmap:rating_withdraw", args=[987654321]).split("987654321")

    def rate(self, cid: int) -> str:
        return f"{self._rate[0]}{cid}{self._rate[1]}"

    def levels(self, cid: int) -> str:
        return f"{self._levels[0]}{cid}{self._levels[1]}"

    def withdraw(self, cid: int) -> str:
        return f"{self._withdraw[0]}{cid}{self._withdraw[1]}"


class _DateLabels(dict):
    """ "9 Jul 2026" in the user's time zone (as the template's |date did), formatted once per
    day: a learner's ratings share few dates."""

    def __init__(self):
        super().__init__()
        self.zone = timezone.get_current_timezone()

    def label(self, moment: datetime) -> str:
        local = moment.astimezone(self.zone)
        day = local.date()
        if day not in self:
            self[day] = dateformat.format(local, "j M Y")
        return self[day]


def _summary(path_name, requirements: list[PathRow], latest, *, now) -> dict:
    """The readiness summary above the rows (and sent out of band after each save)."""
    levels = {cid: rating.level for cid, rating in latest.items()}
    on_path = [r.competency_id for r in requirements]
    last_rated = {cid: rating.created_at for cid, rating in latest.items()}
    return {
        "path_name": path_name,
        "readiness": readiness_display(readiness(requirements, levels)),
        "total": len(requirements),
        "rated": sum(1 for cid in on_path if cid in levels),
        "met": sum(1 for r in requirements if levels.get(r.competency_id, 0) >= r.target),
        "stale": len(stale_ids(on_path, last_rated, now=now, weeks=settings.GAPMAP_STALE_WEEKS)),
    }


def _page_context(
    request, *, only_ids=None, stale_only=False, suggest=None, bound=None, next_url=None
):
    """Context of the assessment page (and of the reassessment page: `stale_only`).

    Flat queries whatever the path's size: the path's competencies (with the path's name), the
    latest ratings, and the descriptors with the scale (one query)."""
    user = request.user
    curriculum = _path_curriculum(user.target_path_id)
    rows = curriculum.rows
    # The path's name came with its rows; only a path without competencies needs a query.
    path_name = rows[0].path_name if rows else user.target_path.name
    latest = _latest_ratings(user)
    now = timezone.now()
    if stale_only:
        last_rated = {cid: rating.created_at for cid, rating in latest.items()}
        only_ids = stale_ids(
            [r.competency_id for r in rows],
            last_rated,
            now=now,
            weeks=settings.GAPMAP_STALE_WEEKS,
        )
    shown = rows
    if only_ids is not None:
        wanted = set(only_ids)
        shown = [row for row in rows if row.competency_id in wanted]
    suggest = suggest or {}
    bound = bound or {}
    next_url = next_url or request.get_full_path()
    urls = _Urls()
    dates = _DateLabels()
    groups: list[dict] = []
    next_row = None
    for row in shown:
        cid = row.competency_id
        rating = latest.get(cid)
        view = _row(
            row,
            curriculum,
            rating,
            urls=urls,
            last_rated=dates.label(rating.created_at) if rating else "",
            suggested=(
                reassessment_suggestion(
                    current=rating.level if rating else None, offered=suggest[cid]
                )
                if cid in suggest
                else None
            ),
            form=bound.get(cid),
        )
        category = row.category or "Other"
        if not groups or groups[-1]["name"] != category:
            groups.append({"name": category, "rows": [], "rated": 0, "below": 0})
        group = groups[-1]
        group["rows"].append(view)
        if rating is not None:
            group["rated"] += 1
        elif next_row is None:
            next_row = view
        if (rating.level if rating else 0) < row.target_level:
            group["below"] += 1
    return {
        "path_name": path_name,
        # [{name, rows, rated, below}] in page order: the categories, each a disclosure.
        "groups": groups,
        "next_row": next_row,
        "summary": _summary(path_name, rows, latest, now=now),
        "stale_weeks": settings.GAPMAP_STALE_WEEKS,
        "scale": _scale_names(curriculum.scale),
        "next_url": next_url,
        "default_next": reverse("roadmap:assess"),
    }


@require_GET
def assess(request):
    if request.user.target_path_id is None:
        return redirect_to_onboarding(request)
    focus = parse_focus(request.GET.get("focus"))
    suggest = parse_suggest(request.GET.get("suggest")) if focus else {}
    context = _page_context(request, only_ids=focus, suggest=suggest)
    context["focus"] = focus
    return render(request, ASSESS_TEMPLATE, context)


@require_GET
def reassess(request):
    if request.user.target_path_id is None:
        return redirect_to_onboarding(request)
    context = _page_context(request, stale_only=True)
    # The rows without their category headings, in page order.
    context["rows"] = [row for group in context["groups"] for row in group["rows"]]
    return render(request, "roadmap/assessment/reassess.html", context)


@require_GET
def assess_levels(request, competency_id):
    """What each level of one competency means, with the note and evidence fields: the row's
    disclosure loads it (htmx: the fragment only); without JavaScript it is a page of its own
    with the whole rating form."""
    row, curriculum = _get_path_competency_for_user(request.user, competency_id)
    rating = _latest_ratings(request.user, competency_id=competency_id).get(competency_id)
    # A row's form without JavaScript lands here with its chosen level (and the page to return
    # to): the level is preselected in the whole form.
    chosen = request.GET.get("level")
    view = _row(
        row,
        curriculum,
        rating,
        urls=_Urls(),
        last_rated=_DateLabels().label(rating.created_at) if rating else "",
    )
    if chosen in LEVEL_VALUES:
        view = view._replace(checked=int(chosen))
    context = {
        "row": view,
        "descriptors": _descriptors(competency_id, curriculum),
        "scale": _scale_names(curriculum.scale),
        "next_url": _safe_next(request, request.GET),
        "default_next": reverse("roadmap:assess"),
        "path_name": row.path_name,
    }
    context["inline"] = bool(request.htmx)  # the fragment goes into the row
    context.update(_next_step(request.user, row, view.current, curriculum))
    template = "roadmap/assessment/levels.html"
    return render(request, f"{template}#more" if request.htmx else template, context)


RESOURCES_PER_ROW = 4


def _next_step(user, row: PathRow, current: int | None, curriculum) -> dict:
    """What to study for the competency's next level (issue 13), as the gaps page shows it: the
    level's name and its resources, best first (one query; none above the scale's top), and
    which of them the learner has studied (one more, only when there are some)."""
    upcoming = (current or 0) + 1
    if upcoming > max(curriculum.scale):
        return {"next_name": "", "resources": [], "studied_ids": set()}
    found = resources_for_steps(learner=user, steps=[(row.competency_id, upcoming)])
    resources = found[(row.competency_id, upcoming)][:RESOURCES_PER_ROW]
    return {
        "next_name": curriculum.scale[upcoming][0],
        "resources": resources,
        "studied_ids": studied_ids(learner=user, resource_ids=[r.pk for r in resources])
        if resources
        else set(),
    }


def _scale_names(scale) -> list[tuple[int, str]]:
    return [(level, name) for level, (name, _) in scale.items()]


def _get_path_competency_for_user(user, competency_id) -> tuple[PathRow, PathCurriculum]:
    """The competency as it stands on the user's target path; 404 when it is not on it (unknown
    ids, other paths' competencies and retired ones alike), so nothing is rated off-path.

    With it, the path's curriculum, whose rows the readiness summary of an htmx answer needs."""
    if user.target_path_id is None:
        raise Http404("You have no target path yet.")
    curriculum = _path_curriculum(user.target_path_id)
    found = [row for row in curriculum.rows if row.competency_id == competency_id]
    if not found:
        raise Http404("That competency is not on your path.")
    return found[0], curriculum


def _safe_next(request, data=None) -> str:
    """Where a plain POST returns: the assessment or reassessment page it came from (with its
    ?focus= query), never anywhere else."""
    candidate = (request.POST if data is None else data).get("next", "")
    parts = urlsplit(candidate)
    allowed = {reverse("roadmap:assess"), reverse("roadmap:reassess")}
    if parts.scheme or parts.netloc or parts.path not in allowed:
        return reverse("roadmap:assess")
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


@require_POST
def rate(request, competency_id):
    row, curriculum = _get_path_competency_for_user(request.user, competency_id)
    form = RatingForm(request.POST)
    next_url = _safe_next(request)
    if form.is_valid():
        level = form.cleaned_data["level"]
        rating, levels = rating_record_with_levels(
            learner=request.user,
            # The path query read the competency; the service only needs its identity.
            competency=Competency(pk=row.competency_id, name=row.name),
            level=level,
            note=form.cleaned_data["note"],
            evidence_url=form.cleaned_data["evidence_url"],
        )
        if not request.htmx:
            messages.success(request, f"Saved: {row.name} at {Level(level).label}.")
            return redirect(f"{next_url}#competency-{row.competency_id}")
        return _render_rated_row(
            request, row, curriculum, _saved_latest(rating, levels), saved=True, next_url=next_url
        )
    if request.htmx:
        # 200, not 4xx: htmx 2 swaps only successful responses, and the row must show its errors.
        return _render_rated_row(
            request, row, curriculum, _latest_ratings(request.user), form=form, next_url=next_url
        )
    messages.error(request, f"Not saved: check the {row.name} row below.")
    # Re-show the view the learner came from (?focus= included) with this row's errors.
    focus = parse_focus(parse_qs(urlsplit(next_url).query).get("focus", [""])[0])
    if focus and row.competency_id not in focus:
        focus = None
    context = _page_context(
        request, only_ids=focus, bound={row.competency_id: form}, next_url=next_url
    )
    context["focus"] = focus
    return render(request, ASSESS_TEMPLATE, context, status=400)


def _saved_latest(rating: Rating, levels) -> dict[int, Latest]:
    """The latest ratings after a save, from what the service read under its lock (levels and
    dates) and the saved rating (its evidence link), so the answer reads no ratings again. Only
    when the saved rating did not become the current one (the current one is dated after it)
    is that one's evidence link read."""
    latest = {cid: Latest(level, at, "") for cid, (level, at) in levels.items()}
    cid = rating.competency_id
    if latest[cid].created_at == rating.created_at:
        latest[cid] = Latest(rating.level, rating.created_at, rating.evidence_url)
    else:
        latest[cid] = _latest_ratings(rating.learner, competency_id=cid)[cid]
    return latest


def _render_rated_row(
    request, row, curriculum, latest, *, form=None, saved=False, next_url, undo=None
):
    """The row and, out of band, the readiness summary: a constant number of queries."""
    rating = latest.get(row.competency_id)
    context = {
        "row": _row(
            row,
            curriculum,
            rating,
            urls=_Urls(),
            last_rated=_DateLabels().label(rating.created_at) if rating else "",
            form=form,
            saved=saved,
        )._replace(undo=undo),
        "scale": _scale_names(curriculum.scale),
        "descriptors": _descriptors(row.competency_id, curriculum),
        "summary": _summary(row.path_name, curriculum.rows, latest, now=timezone.now()),
        "oob": True,
        "next_url": next_url,
        "default_next": reverse("roadmap:assess"),
    }
    return render(request, f"{ASSESS_TEMPLATE}#row", context)


def _descriptors(competency_id, curriculum) -> list[tuple[int, str, str]]:
    """[(level, name, what it means)] of one competency: its own text, else the scale's."""
    own = curriculum.descriptors.get(competency_id, {})
    return [
        (level, name, own.get(level) or default)
        for level, (name, default) in curriculum.scale.items()
    ]


@require_http_methods(["GET", "POST"])
def withdraw(request, competency_id):
    """Take back the learner's rating of one competency, after a confirmation (GET: the question,
    as a page or, for htmx, in place of the row; POST "withdraw" does it, "keep" changes nothing).
    The answer is the row again (htmx, with the summary out of band and an Undo that rates it
    again as it was) or the page the learner came from with a message."""
    row, curriculum = _get_path_competency_for_user(request.user, competency_id)
    data = request.POST if request.method == "POST" else request.GET
    next_url = _safe_next(request, data)
    rating = (
        CurrentRating.objects.filter(
            learner=request.user, competency_id=competency_id, source=Rating.Source.SELF
        )
        .values_list("level", "rating__note", "rating__evidence_url")
        .first()
    )
    back = f"{next_url}#competency-{competency_id}"
    if request.method == "GET" and rating is not None:
        context = {
            "row": _row(row, curriculum, None, urls=_Urls()),
            "current": (rating[0], curriculum.scale[rating[0]][0]),
            "next_url": next_url,
            "default_next": reverse("roadmap:assess"),
        }
        template = "roadmap/assessment/withdraw.html"
        return render(request, f"{template}#confirm" if request.htmx else template, context)
    undo = None
    if request.method == "POST" and "keep" not in request.POST and rating is not None:
        rating_withdraw(learner=request.user, competency=Competency(pk=competency_id))
        level, note, evidence_url = rating
        undo = Withdrawn(level, curriculum.scale[level][0], note, evidence_url)
        if not request.htmx:
            messages.success(
                request,
                f"Withdrew your rating of {row.name} (it was {level} {undo.level_name}). "
                "To undo, rate it again.",
            )
    if not request.htmx:
        if rating is None:
            messages.info(request, f"{row.name} is not rated, so there is nothing to withdraw.")
        return redirect(back)
    return _render_rated_row(
        request, row, curriculum, _latest_ratings(request.user), next_url=next_url, undo=undo
    )

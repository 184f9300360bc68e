"""Self-assessment: the page of every competency of the learner's path, rating one row (htmx or
plain POST), and the reassessment of stale ratings.

Contract for other areas (the planner links here after a project is done):
  /assess/?focus=<competency_id>,<competency_id>   shows only those competencies of the path;
  &suggest=<competency_id>:<level>,...              pre-selects those levels (0-4) in the rows.
Unknown ids, ids not on the path and levels off the scale are ignored."""

from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from curriculum.models import Level, LevelDescriptor, PathCompetency, ScaleLevel
from roadmap.assessment import parse_focus, parse_suggest, stale_ids
from roadmap.assessment_forms import RatingForm
from roadmap.gaps import Requirement, readiness, readiness_display
from roadmap.models import Rating
from roadmap.services.assessments import rating_record

ASSESS_TEMPLATE = "roadmap/assessment/assess.html"


@dataclass(frozen=True)
class LevelChoice:
    level: int
    name: str
    descriptor: str
    checked: bool
    is_current: bool
    is_suggested: bool

    def html(self) -> str:
        return format_html(
            '<label class="level-choice"><input type="radio" name="level" value="{}"{}>\n'
            '          <span class="lvl lvl-{}">{}</span> <strong>{}</strong>{}{}{}</label>',
            self.level,
            CHECKED if self.checked else "",
            self.level,
            self.level,
            self.name,
            CURRENT_BADGE if self.is_current else "",
            SUGGESTED_BADGE if self.is_suggested else "",
            format_html(' <span class="descriptor">{}</span>', self.descriptor)
            if self.descriptor
            else "",
        )


CHECKED = mark_safe(" checked")
CURRENT_BADGE = mark_safe(' <span class="badge">current</span>')
SUGGESTED_BADGE = mark_safe(' <span class="badge ok">suggested</span>')


@dataclass(frozen=True)
class Row:
    """One competency on the assessment page, ready for the `row` partial."""

    pc: PathCompetency
    current: int | None
    current_name: str
    target_name: str
    last_rated_at: datetime | None
    evidence_url: str
    choices: list[LevelChoice]
    form: RatingForm | None
    saved: bool
    next_url: str
    # Built in Python once per row: at 164 rows a `{% url %}` pair and a `|date` per row were a
    # measurable part of the page (make bench).
    rate_url: str = ""
    last_rated_label: str = ""

    @property
    def competency(self):
        return self.pc.competency

    @property
    def levels_html(self) -> str:
        """The row's five radio labels. Built here rather than in a template loop: at 164
        competencies the loop was 820 label renders and most of the page's time (make bench)."""
        return mark_safe("\n      ".join(choice.html() for choice in self.choices))

    @property
    def category(self) -> str:
        return self.pc.competency.category or "Other"


def redirect_to_onboarding(request):
    messages.info(
        request, "Choose the path you are aiming for first; then you can rate yourself against it."
    )
    return redirect("roadmap:onboarding")


def scale_levels() -> dict[int, tuple[str, str]]:
    """{level: (name, default descriptor)}; Level's labels stand in for missing ScaleLevel rows."""
    stored = {s.level: (s.name, s.descriptor) for s in ScaleLevel.objects.all()}
    return {level: stored.get(level, (Level(level).label, "")) for level in Level.values}


def _build_row(
    pc, *, latest, descriptors, scale, suggested=None, form=None, saved=False, next_url=""
) -> Row:
    cid = pc.competency_id
    current = latest.level if latest else None
    if form is not None and form.is_bound:
        raw = form.data.get("level")
        checked = (
            int(raw) if isinstance(raw, str) and raw in {str(v) for v in Level.values} else None
        )
    else:
        checked = suggested if suggested is not None else current
    choices = [
        LevelChoice(
            level=level,
            name=name,
            descriptor=descriptors.get((cid, level)) or default,
            checked=level == checked,
            is_current=level == current,
            is_suggested=level == suggested,
        )
        for level, (name, default) in scale.items()
    ]
    return Row(
        pc=pc,
        current=current,
        current_name=scale[current][0] if current is not None else "Not rated yet",
        target_name=scale[pc.target_level][0],
        last_rated_at=latest.created_at if latest else None,
        evidence_url=latest.evidence_url if latest else "",
        choices=choices,
        form=form,
        saved=saved,
        next_url=next_url,
        rate_url=_rate_url(cid),
        last_rated_label=dateformat.format(timezone.localtime(latest.created_at), "j M Y")
        if latest
        else "",
    )


def _rate_url(competency_id: int) -> str:
    return reverse("roadmap:rate", args=[competency_id])


def _summary(path, pcs, latest, *, now) -> dict:
    """`pcs`: PathCompetency rows or Requirements (both have competency_id and weight)."""
    requirements = [
        pc
        if isinstance(pc, Requirement)
        else Requirement(pc.competency_id, pc.target_level, pc.weight)
        for pc in pcs
    ]
    levels = {cid: rating.level for cid, rating in latest.items()}
    on_path = [r.competency_id for r in requirements]
    last_rated = {cid: rating.created_at for cid, rating in latest.items()}
    return {
        "path": path,
        "readiness": readiness_display(readiness(requirements, levels)),
        "total": len(requirements),
        "rated": sum(1 for cid in on_path if cid in levels),
        "met": sum(1 for r in requirements if levels.get(r.competency_id, 0) >= r.target),
        "stale": len(stale_ids(on_path, last_rated, now=now, weeks=settings.GAPMAP_STALE_WEEKS)),
    }


def _page_context(request, *, only_ids=None, suggest=None, bound=None, next_url=None):
    """Context of the assessment page (and of the reassessment page, which lists `only_ids`).

    Flat queries whatever the path's size: the path's competencies, their descriptors, the scale
    and the latest ratings, one query each."""
    user = request.user
    path = user.target_path
    pcs = list(PathCompetency.objects.for_assessment(path))
    descriptors = LevelDescriptor.objects.filter(
        competency__path_competencies__path=path,
        competency__path_competencies__retired_at__isnull=True,
    ).as_map()
    scale = scale_levels()
    latest = Rating.objects.latest_self_ratings(user)
    now = timezone.now()
    shown = pcs
    if only_ids is not None:
        wanted = set(only_ids)
        shown = [pc for pc in pcs if pc.competency_id in wanted]
    suggest = suggest or {}
    next_url = next_url or request.get_full_path()
    rows = [
        _build_row(
            pc,
            latest=latest.get(pc.competency_id),
            descriptors=descriptors,
            scale=scale,
            suggested=suggest.get(pc.competency_id),
            form=(bound or {}).get(pc.competency_id),
            next_url=next_url,
        )
        for pc in shown
    ]
    groups = [(category, list(items)) for category, items in groupby(rows, lambda r: r.category)]
    return {
        "path": path,
        "groups": groups,
        "rows": rows,
        "summary": _summary(path, pcs, latest, now=now),
        "stale_weeks": settings.GAPMAP_STALE_WEEKS,
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
    path = request.user.target_path
    on_path = list(
        PathCompetency.objects.for_assessment(path).values_list("competency_id", flat=True)
    )
    last_rated = {
        cid: rating.created_at
        for cid, rating in Rating.objects.latest_self_ratings(request.user).items()
    }
    stale = stale_ids(on_path, last_rated, now=timezone.now(), weeks=settings.GAPMAP_STALE_WEEKS)
    context = _page_context(request, only_ids=stale)
    return render(request, "roadmap/assessment/reassess.html", context)


def _get_path_competency_for_user(user, competency_id) -> tuple[PathCompetency, list[Requirement]]:
    """The competency as it stands on the user's target path; 404 when it is not on it (unknown
    ids, other paths' competencies and retired ones alike), so nothing is rated off-path.

    With it, the path's requirements, which the readiness summary of an htmx answer needs: one
    query for both (the path's current rows), instead of one for the row and one for the path."""
    if user.target_path_id is None:
        raise Http404("You have no target path yet.")
    rows = list(
        PathCompetency.objects.current()
        .filter(path_id=user.target_path_id)
        .select_related("competency", "path")
    )
    found = [pc for pc in rows if pc.competency_id == competency_id]
    if not found:
        raise Http404("That competency is not on your path.")
    return found[0], [Requirement(pc.competency_id, pc.target_level, pc.weight) for pc in rows]


def _safe_next(request) -> str:
    """Where a plain POST returns: the assessment or reassessment page it came from (with its
    ?focus= query), never anywhere else."""
    candidate = request.POST.get("next", "")
    parts = urlsplit(candidate)
    allowed = {reverse("roadmap:assess"), reverse("roadmap:reassess")}
    if parts.scheme or parts.netloc or parts.path not in allowed:
        return reverse("roadmap:assess")
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


@require_POST
def rate(request, competency_id):
    pc, requirements = _get_path_competency_for_user(request.user, competency_id)
    form = RatingForm(request.POST)
    next_url = _safe_next(request)
    if form.is_valid():
        level = form.cleaned_data["level"]
        rating_record(
            learner=request.user,
            competency=pc.competency,
            level=level,
            note=form.cleaned_data["note"],
            evidence_url=form.cleaned_data["evidence_url"],
        )
        if not request.htmx:
            messages.success(request, f"Saved: {pc.competency.name} at {Level(level).label}.")
            return redirect(f"{next_url}#competency-{pc.competency_id}")
        return _render_rated_row(
            request, pc, requirements, form=None, saved=True, next_url=next_url
        )
    if request.htmx:
        # 200, not 4xx: htmx 2 swaps only successful responses, and the row must show its errors.
        return _render_rated_row(
            request, pc, requirements, form=form, saved=False, next_url=next_url
        )
    messages.error(request, f"Not saved: check the {pc.competency.name} row below.")
    # Re-show the view the learner came from (?focus= included) with this row's errors.
    focus = parse_focus(parse_qs(urlsplit(next_url).query).get("focus", [""])[0])
    if focus and pc.competency_id not in focus:
        focus = None
    context = _page_context(
        request, only_ids=focus, bound={pc.competency_id: form}, next_url=next_url
    )
    context["focus"] = focus
    return render(request, ASSESS_TEMPLATE, context, status=400)


def _render_rated_row(request, pc, requirements, *, form, saved, next_url):
    """The row and, out of band, the readiness summary: a constant number of queries."""
    user = request.user
    latest = Rating.objects.latest_self_ratings(user)
    descriptors = LevelDescriptor.objects.filter(competency_id=pc.competency_id).as_map()
    row = _build_row(
        pc,
        latest=latest.get(pc.competency_id),
        descriptors=descriptors,
        scale=scale_levels(),
        form=form,
        saved=saved,
        next_url=next_url,
    )
    context = {
        "row": row,
        "summary": _summary(pc.path, requirements, latest, now=timezone.now()),
        "oob": True,
    }
    return render(request, f"{ASSESS_TEMPLATE}#rated", context)

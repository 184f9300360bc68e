"""The read-only JSON API (version 1) and the profile's personal access tokens.

Plain function views with a hand-written OpenAPI document (roadmap/lib/openapi.py): five GET
resources do not need a framework, the access helpers below are the pages' rules (a learner
reads their own data, a mentor their cohorts' learners, staff everyone; anything else is 404),
and the rows come from the same serialisers as the my-data export (services.progress).

Authentication is `Authorization: Bearer <token>` only: no session, so no CSRF to think about,
and a token can only read."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.access import public
from accounts.models import Cohort, User
from curriculum.models import Path, PathCompetency
from roadmap.forms.api import TokenForm
from roadmap.lib import openapi
from roadmap.lib import progress as progress_lib
from roadmap.lib.gaps import Requirement, readiness_display
from roadmap.models import CurrentRating, Plan, Rating
from roadmap.services import api as api_services
from roadmap.services.cohorts import cohort_summaries
from roadmap.services.progress import (
    EXPORT_SCHEMA_VERSION,
    plans_export,
    rating_row,
    ratings_for_export,
    self_ratings_dated,
)

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 50


class ApiError(Exception):
    def __init__(self, status: int, message: str):
        self.status, self.message = status, message


def _error(status: int, message: str, **headers) -> JsonResponse:
    response = JsonResponse({"error": message, "status": status}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def api_view(view):
    """GET only, bearer token, per-token throttle, errors as JSON (never an HTML page)."""

    @public
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return _error(405, "The API is read-only: GET only.", Allow="GET, HEAD")
        header = request.headers.get("Authorization", "")
        scheme, _, raw = header.partition(" ")
        token = api_services.token_authenticate(raw.strip()) if scheme.lower() == "bearer" else None
        if token is None:
            return _error(
                401,
                "A valid personal access token is needed (Authorization: Bearer <token>); it "
                "may be missing, mistyped, revoked or expired.",
                WWW_Authenticate='Bearer realm="gapmap"',
            )
        wait = api_services.token_throttle(token)
        if wait is not None:
            return _error(429, "Too many requests for this token; wait a minute.", Retry_After=wait)
        request.api_user = token.user
        try:
            data = view(request, *args, **kwargs)
        except Http404:
            return _error(404, "Not found.")
        except ApiError as exc:
            return _error(exc.status, exc.message)
        response = JsonResponse(data)
        response["Cache-Control"] = "private, no-store"
        return response

    return wrapper


def _learner_for(user: User, learner_id: int) -> User:
    """The user themself; a learner in a cohort the user mentors (every cohort with
    accounts.view_all_cohorts; being staff alone grants nothing); else 404."""
    if learner_id == user.pk:
        return user
    if not user.can_mentor:
        raise Http404
    learner = (
        User.objects.filter(
            pk=learner_id,
            memberships__cohort__in=Cohort.objects.mentored_by(user),
            memberships__left_at__isnull=True,
        )
        .distinct()
        .first()
    )
    if learner is None:
        raise Http404
    return learner


def _page(request, queryset_or_count, fetch) -> dict:
    """Page `page` (1-based) of `page_size` rows: fetch(offset, limit) gives the rows."""
    try:
        page = int(request.GET.get("page", 1))
        size = int(request.GET.get("page_size", DEFAULT_PAGE_SIZE))
    except ValueError:
        raise ApiError(400, "page and page_size must be whole numbers.") from None
    if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
        raise ApiError(400, f"page must be 1 or more and page_size 1-{MAX_PAGE_SIZE}.")
    count = queryset_or_count
    offset = (page - 1) * size

    def link(number):
        return request.build_absolute_uri(f"{request.path}?page={number}&page_size={size}")

    return {
        "count": count,
        "page": page,
        "page_size": size,
        "next": link(page + 1) if offset + size < count else None,
        "previous": link(page - 1) if page > 1 else None,
        "results": fetch(offset, size) if offset < count else [],
    }


# --- resources


@public
@require_GET
def schema(request):
    return JsonResponse(openapi.document(server=request.build_absolute_uri("/api/v1")))


@api_view
def me(request):
    user = request.api_user
    return {
        "id": user.pk,
        "email": user.email,
        "name": user.display_name,
        "role": user.role,
        "target_path": Path.objects.filter(pk=user.target_path_id)
        .values_list("slug", flat=True)
        .first(),
        "schema_version": EXPORT_SCHEMA_VERSION,
    }


@api_view
def current_ratings(request, learner_id):
    learner = _learner_for(request.api_user, learner_id)
    rows = (
        CurrentRating.objects.filter(learner=learner, source=Rating.Source.SELF)
        .order_by("competency__slug")
        .values_list("competency__slug", "competency__name", "level", "created_at")
    )
    return {
        "learner_id": learner.pk,
        "results": [
            {
                "competency_slug": slug,
                "competency_name": name,
                "level": level,
                "rated_at": at.isoformat(),
            }
            for slug, name, level, at in rows
        ],
    }


@api_view
def rating_history(request, learner_id):
    learner = _learner_for(request.api_user, learner_id)
    ratings = ratings_for_export(learner=learner)
    data = _page(
        request,
        Rating.objects.filter(learner=learner).count(),
        lambda offset, size: [rating_row(r) for r in ratings[offset : offset + size]],
    )
    return {"learner_id": learner.pk, **data}


@api_view
def readiness(request, learner_id):
    """Readiness (whole percent) at the end of each week since the first rating, for every
    active path, against the path's current targets: three queries at any size."""
    learner = _learner_for(request.api_user, learner_id)
    zone = learner.zone
    today = progress_lib.local_date(timezone.now(), zone)
    paths = list(Path.objects.active().values_list("id", "slug", "name"))
    requirements: dict[int, list[Requirement]] = {pid: [] for pid, _, _ in paths}
    for pid, cid, target, weight in (
        PathCompetency.objects.current()
        .filter(path__in=requirements)
        .values_list("path_id", "competency_id", "target_level", "weight")
    ):
        requirements[pid].append(Requirement(cid, target, weight))
    events = self_ratings_dated(learner=learner, zone=zone)
    result = []
    for pid, slug, name in paths:
        ids = {r.competency_id for r in requirements[pid]}
        history = progress_lib.history([e for e in events if e[0] in ids], requirements[pid], today)
        result.append(
            {
                "path_slug": slug,
                "path_name": name,
                "weeks": [
                    {"week_start": week.isoformat(), "readiness": readiness_display(value)}
                    for week, value in zip(history.weeks, history.readiness, strict=True)
                ],
            }
        )
    return {"learner_id": learner.pk, "results": result}


@api_view
def plans(request, learner_id):
    learner = _learner_for(request.api_user, learner_id)
    ids = list(
        Plan.objects.filter(learner=learner)
        .order_by("created_at", "id")
        .values_list("id", flat=True)
    )
    data = _page(
        request,
        len(ids),
        lambda offset, size: plans_export(learner=learner, plan_ids=ids[offset : offset + size]),
    )
    return {"learner_id": learner.pk, **data}


def _summary(summary) -> dict:
    return {
        "id": summary.cohort.pk,
        "name": summary.cohort.name,
        "path_slug": summary.cohort.path.slug,
        "start_date": summary.cohort.start_date.isoformat(),
        "size": summary.size,
        "median_readiness": summary.median_readiness,
        "needs_attention": summary.attention,
    }


def _mentor(user: User) -> None:
    if not user.can_mentor:
        raise Http404


@api_view
def cohorts(request):
    _mentor(request.api_user)
    summaries = cohort_summaries(request.api_user)
    data = _page(request, len(summaries), lambda o, s: [_summary(x) for x in summaries[o : o + s]])
    return data


@api_view
def cohort(request, cohort_id):
    _mentor(request.api_user)
    if not Cohort.objects.mentored_by(request.api_user).filter(pk=cohort_id).exists():
        raise Http404
    for summary in cohort_summaries(request.api_user):
        if summary.cohort.pk == cohort_id:
            return _summary(summary)
    raise Http404


# --- tokens, from the profile page


@login_required
@require_POST
def token_create(request):
    form = TokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The token needs a name (80 characters at most).")
        return redirect("roadmap:profile")
    token, raw = api_services.token_create(
        user=request.user,
        name=form.cleaned_data["name"],
        expires_in_days=form.cleaned_data["expires_in_days"],
    )
    # Shown on this response only: it is stored hashed and cannot be shown again.
    response = render(
        request,
        "roadmap/api/token_created.html",
        {"token": token, "raw": raw, "api_root": request.build_absolute_uri("/api/v1/")},
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request, token_id):
    if not api_services.token_revoke(user=request.user, token_id=token_id):
        raise Http404("No such token.")
    messages.success(request, "The token is revoked; requests with it now get 401.")
    return redirect(reverse("roadmap:profile") + "#api-tokens")


def profile_tokens(user: User) -> dict:
    """The profile page's token section (its context)."""
    return {
        "api_tokens": list(user.api_tokens.order_by("-created_at", "-id")),
        "token_form": TokenForm(),
    }

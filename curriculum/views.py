from django.contrib.auth.decorators import login_not_required, login_required
from django.db.models import Prefetch
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control
from django.views.decorators.http import condition, require_GET

from . import case
from .models import CurriculumVersion, Path, PathCompetency, Project


@login_required
@require_GET
def path_list(request):
    paths = list(Path.objects.active().prefetch_related("traits"))
    aspects: list[str] = []
    for path in paths:
        for trait in path.traits.all():
            if trait.aspect not in aspects:
                aspects.append(trait.aspect)
    values = {(t.path_id, t.aspect): t.value for p in paths for t in p.traits.all()}
    comparison = [
        {"aspect": aspect, "values": [values.get((p.id, aspect), "") for p in paths]}
        for aspect in aspects
    ]
    return render(request, "curriculum/path_list.html", {"paths": paths, "comparison": comparison})


@login_required
@require_GET
def path_detail(request, slug):
    path = get_object_or_404(
        Path.objects.active()
        .select_related("recommended_earlier_path")
        .prefetch_related(
            "traits",
            Prefetch(
                "path_competencies",
                queryset=PathCompetency.objects.current().select_related("competency"),
            ),
            Prefetch("projects", queryset=Project.objects.filter(is_active=True)),
        ),
        slug=slug,
    )
    return render(request, "curriculum/path_detail.html", {"path": path})


# --- CASE 1.1 (curriculum/case.py): public, cacheable JSON. The ETag is the curriculum version,
# so a client revalidates cheaply and sees a change as soon as admin or an import makes one.


def _public(view):
    """Open to anyone, signed in or not (accounts.access.public does the same; curriculum may not
    import accounts)."""
    view = login_not_required(view)
    view.access_rule = "public"
    return view


def _curriculum_etag(request, *args, **kwargs):
    return CurriculumVersion.objects.token() or "initial"


def _case_paths():
    return (
        Path.objects.active().select_related("recommended_earlier_path").prefetch_related("traits")
    )


def _case_json(data) -> JsonResponse:
    response = JsonResponse(data, json_dumps_params={"indent": 2})
    patch_cache_control(response, public=True, max_age=300)
    return response


@_public
@require_GET
@condition(etag_func=_curriculum_etag)
def case_documents(request):
    return _case_json(case.case_documents())


@_public
@require_GET
@condition(etag_func=_curriculum_etag)
def case_document(request, identifier):
    path = get_object_or_404(_case_paths(), case_uuid=identifier)
    return _case_json(case.case_document(path))


@_public
@require_GET
@condition(etag_func=_curriculum_etag)
def case_package(request, identifier):
    path = get_object_or_404(_case_paths(), case_uuid=identifier)
    return _case_json(case.case_package(path))


@_public
@require_GET
@condition(etag_func=_curriculum_etag)
def case_item(request, identifier):
    item = case.case_item(identifier)
    if item is None:
        raise Http404("No such CFItem")
    return _case_json(item)

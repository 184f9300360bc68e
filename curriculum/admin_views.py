"""Staff pages beside the curriculum admin: upload a curriculum file, read what it would change
(the same diff as `import_curriculum --dry-run`), import it only when confirmed; download the
current curriculum. Rendered in the admin's look (admin.site.each_context)."""

from functools import wraps

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .admin_forms import CurriculumConfirmForm, CurriculumUploadForm
from .curriculum_file import CurriculumError
from .services import StalePreview, curriculum_export, curriculum_import

IMPORT_PERMISSIONS = [
    "curriculum.change_path",
    "curriculum.change_competency",
    "curriculum.change_project",
    "curriculum.change_careergoal",
]


def _staff_page(*permissions):
    """Staff only (others get 404, as for any page they have no business knowing); staff
    without the curriculum permissions get 403, as the admin answers them."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not (request.user.is_active and request.user.is_staff):
                raise Http404("No such page.")
            if not request.user.has_perms(permissions):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def _render(request, context, status=200):
    context = {
        **admin.site.each_context(request),
        "title": "Import a curriculum file",
        **context,
    }
    return render(request, "admin/curriculum_import.html", context, status=status)


@require_http_methods(["GET", "POST"])
@_staff_page(*IMPORT_PERMISSIONS)
def import_file(request):
    """GET: the upload form. POST: the preview of what the uploaded file would change."""
    if request.method == "GET":
        return _render(request, {"upload_form": CurriculumUploadForm()})
    form = CurriculumUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, {"upload_form": form}, status=400)
    return _preview(request, text=form.text, source_name=form.cleaned_data["file"].name)


def _preview(request, *, text, source_name, stale=False, status=200):
    try:
        diff = curriculum_import(data_text=text, source_name=source_name, dry_run=True)
    except CurriculumError as exc:
        context = {"upload_form": CurriculumUploadForm(), "errors": exc.errors}
        return _render(request, {**context, "source_name": source_name}, status=400)
    confirm = CurriculumConfirmForm(
        initial={"data_text": text, "source_name": source_name, "digest": diff.digest()}
    )
    context = {
        "diff": diff,
        "groups": diff.groups(),
        "confirm_form": confirm,
        "source_name": source_name,
        "stale": stale,
    }
    return _render(request, context, status=status)


@require_POST
@_staff_page(*IMPORT_PERMISSIONS)
def import_confirm(request):
    form = CurriculumConfirmForm(request.POST)
    if not form.is_valid():
        return _render(
            request,
            {"upload_form": CurriculumUploadForm(), "errors": ["The confirmation was incomplete."]},
            status=400,
        )
    text, source_name = form.cleaned_data["data_text"], form.cleaned_data["source_name"]
    try:
        diff = curriculum_import(
            data_text=text,
            source_name=source_name,
            retire_missing=form.cleaned_data["retire_missing"],
            expected_digest=form.cleaned_data["digest"],
        )
    except StalePreview:
        return _preview(request, text=text, source_name=source_name, stale=True, status=409)
    except CurriculumError as exc:
        context = {"upload_form": CurriculumUploadForm(), "errors": exc.errors}
        return _render(request, context, status=400)
    if diff.has_changes:
        messages.success(request, f"Imported {source_name}: {diff.summary()}.")
    else:
        messages.info(request, f"{source_name} matches the curriculum: no changes.")
    return redirect("admin:app_list", app_label="curriculum")


@require_GET
@_staff_page("curriculum.view_path", "curriculum.view_competency", "curriculum.view_project")
def export_file(request):
    response = HttpResponse(curriculum_export(), content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="curriculum.yaml"'
    return response

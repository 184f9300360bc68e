from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from .models import Path, PathCompetency, Project


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

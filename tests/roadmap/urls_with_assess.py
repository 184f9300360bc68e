"""A URLconf with a stand-in `roadmap:assess`, to test the reassessment redirect before the
self-assessment page lands on this branch."""

from django.http import HttpResponse
from django.urls import include, path

from roadmap import app_urls
from roadmap.urls import urlpatterns as project_urls


def _assess(request):
    return HttpResponse("assess")


roadmap_patterns = ([*app_urls.urlpatterns, path("assess/", _assess, name="assess")], "roadmap")
urlpatterns = [p for p in project_urls if getattr(p, "namespace", None) != "roadmap"] + [
    path("", include(roadmap_patterns))
]

"""The project's URLs plus a trivial view: the floor every benchmark ratio is measured against."""

from django.http import HttpResponse
from django.urls import include, path

from accounts.access import public


@public
def floor(request):
    return HttpResponse("ok")


urlpatterns = [
    path("__bench__/floor/", floor, name="bench_floor"),
    path("", include("roadmap.urls")),
]

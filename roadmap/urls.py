"""The project URLconf. The learner-progress app's own URLs are in roadmap/app_urls.py."""

from django.contrib import admin
from django.urls import include, path

from roadmap.views import home

admin.site.site_header = "Gapmap administration"
admin.site.site_title = "Gapmap admin"
admin.site.index_title = "Curriculum, people and cohorts"

urlpatterns = [
    path("", home.home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("curriculum/", include("curriculum.urls")),
    path("", include("roadmap.app_urls")),
    path("admin/", admin.site.urls),
]

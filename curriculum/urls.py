from django.urls import path

from . import views

app_name = "curriculum"

urlpatterns = [
    path("", views.path_list, name="path_list"),
    path("paths/<slug:slug>/", views.path_detail, name="path_detail"),
]

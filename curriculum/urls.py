from django.urls import path

from . import admin_views, views

app_name = "curriculum"

urlpatterns = [
    path("", views.path_list, name="path_list"),
    path("paths/<slug:slug>/", views.path_detail, name="path_detail"),
    # Staff: the curriculum file, beside the curriculum admin.
    path("file/import/", admin_views.import_file, name="import_file"),
    path("file/import/confirm/", admin_views.import_confirm, name="import_confirm"),
    path("file/export/", admin_views.export_file, name="export_file"),
    # CASE 1.1 (1EdTech), shaped after the CASE REST paths: public, read-only, cacheable.
    path("case/v1p1/CFDocuments/", views.case_documents, name="case_documents"),
    path("case/v1p1/CFDocuments/<uuid:identifier>/", views.case_document, name="case_document"),
    path("case/v1p1/CFPackages/<uuid:identifier>/", views.case_package, name="case_package"),
    path("case/v1p1/CFItems/<uuid:identifier>/", views.case_item, name="case_item"),
]

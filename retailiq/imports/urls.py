from django.urls import path

from . import views

urlpatterns = [
    path("", views.import_list, name="imports"),
    path("new/", views.import_new, name="import-new"),
    path("format/", views.import_format, name="import-format"),
    path("template.csv", views.import_template_csv, name="import-template"),
    path("<int:pk>/", views.import_batch_page, name="import-batch"),
    path("<int:pk>/mapping/", views.import_mapping, name="import-mapping"),
    path("<int:pk>/progress/", views.import_progress, name="import-progress"),
    path("<int:pk>/report.csv", views.import_report, name="import-report"),
    path("<int:pk>/undo/", views.import_undo, name="import-undo"),
]

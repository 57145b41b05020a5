from django.urls import path

from . import views

urlpatterns = [
    path("", views.models_page, name="models"),
    path("train/", views.model_train, name="model-train"),
    path("score/", views.model_score, name="model-score"),
    path("rollback/", views.model_rollback, name="model-rollback"),
    path("compare/", views.model_compare, name="model-compare"),
    path("<int:pk>/activate/", views.model_activate, name="model-activate"),
    path("<int:pk>/rollout/", views.model_rollout, name="model-rollout"),
    path("jobs/<int:pk>/", views.job_progress, name="job-progress"),
    path("jobs/<int:pk>/cancel/", views.job_cancel_view, name="job-cancel"),
]

"""Reorder's REST endpoints, included under /api/v1/ by the shared API URLconf."""

from django.urls import path

from .api import CallListApi, CallOutcomeListCreateApi, ReorderPredictApi, ReorderPredictionListApi

urlpatterns = [
    path("predictions/reorder", ReorderPredictApi.as_view(), name="reorder-prediction"),
    path("reorder/call-list", CallListApi.as_view(), name="reorder-call-list"),
    path("reorder/predictions", ReorderPredictionListApi.as_view(), name="reorder-predictions"),
    path("reorder/call-outcomes", CallOutcomeListCreateApi.as_view(), name="reorder-call-outcomes"),
]

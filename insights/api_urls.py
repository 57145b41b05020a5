"""Insights' REST endpoints, included under /api/v1/ by the shared API URLconf."""

from django.urls import path

from .api import InsightFeedbackApi, InsightListApi, SegmentListApi

urlpatterns = [
    path("insights", InsightListApi.as_view(), name="insights"),
    path("insights/<int:insight_id>/feedback", InsightFeedbackApi.as_view(), name="insight-feedback"),
    path("segments", SegmentListApi.as_view(), name="segments"),
]

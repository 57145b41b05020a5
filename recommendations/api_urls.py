"""Recommendations' REST endpoints, included under /api/v1/ by the shared API URLconf."""

from django.urls import path

from .api import RecommendationFeedbackApi, RecommendationListApi

urlpatterns = [
    path("recommendations", RecommendationListApi.as_view(), name="recommendations"),
    path("recommendations/feedback", RecommendationFeedbackApi.as_view(), name="recommendations-feedback"),
]

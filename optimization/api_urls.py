"""Optimization's REST endpoints, included under /api/v1/ by the shared API URLconf."""

from django.urls import path

from . import api

urlpatterns = [
    path("predictions/stockout", api.StockoutPredictApi.as_view(), name="stockout-prediction"),
    path("predictions/optimize", api.OptimizeApi.as_view(), name="optimize"),
    path("optimization/plans/<int:plan_id>", api.PlanDetailApi.as_view(), name="optimization-plan"),
    path("optimization/plans/<int:plan_id>/scenarios", api.ScenarioApi.as_view(), name="optimization-scenarios"),
    path("optimization/plans/<int:plan_id>/promote", api.PromoteApi.as_view(), name="optimization-promote"),
    path("optimization/plans/<int:plan_id>/drafts", api.DraftsApi.as_view(), name="optimization-drafts"),
]

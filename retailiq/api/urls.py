"""Version 1 of the REST API. Each domain app owns its endpoints in its api.py."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from forecasting.api import DemandForecastViewSet, DemandPredictionApi, PredictApi, ProductForecastApi
from reorder.api import CallListApi, CallOutcomeListCreateApi, ReorderPredictApi, ReorderPredictionListApi
from retailiq.accounts.api import MeApi
from retailiq.catalog.api import ProductViewSet, VendorViewSet
from retailiq.core.api import HealthApi, MetricsApi
from retailiq.imports.api import ImportDetailApi, ImportIssuesApi, ImportListCreateApi, ImportStartApi, ImportUndoApi
from retailiq.inventory.api import StockLevelViewSet, WarehouseViewSet
from retailiq.orders.api import OrderViewSet, SalesLineViewSet
from retailiq.registry.api import (
    CompareApi,
    DeployApi,
    JobViewSet,
    ModelVersionViewSet,
    PerformanceApi,
    RollbackApi,
    RolloutApi,
    ScoreApi,
    TrainApi,
)
from retailiq.retailers.api import RetailerViewSet

router = DefaultRouter()
router.register("vendors", VendorViewSet, basename="vendor")
router.register("products", ProductViewSet, basename="product")
router.register("retailers", RetailerViewSet, basename="retailer")
router.register("orders", OrderViewSet, basename="order")
router.register("sales-lines", SalesLineViewSet, basename="sales-line")
router.register("warehouses", WarehouseViewSet, basename="warehouse")
router.register("stock-levels", StockLevelViewSet, basename="stock-level")
router.register("models", ModelVersionViewSet, basename="model")
router.register("jobs", JobViewSet, basename="job")
router.register("forecasts", DemandForecastViewSet, basename="forecast")

urlpatterns = [
    path("me/", MeApi.as_view(), name="me"),
    path("health", HealthApi.as_view(), name="health"),
    path("metrics", MetricsApi.as_view(), name="metrics"),
    path("models/train/", TrainApi.as_view(), name="model-train"),
    path("models/deploy/", DeployApi.as_view(), name="model-deploy"),
    path("models/rollback/", RollbackApi.as_view(), name="model-rollback"),
    path("models/rollout/", RolloutApi.as_view(), name="model-rollout"),
    path("models/score/", ScoreApi.as_view(), name="model-score"),
    path("models/compare/", CompareApi.as_view(), name="model-compare"),
    path("models/performance/", PerformanceApi.as_view(), name="model-performance"),
    path("forecasts/products/<int:product_id>/", ProductForecastApi.as_view(), name="product-forecast"),
    path("predictions/demand", DemandPredictionApi.as_view(), name="demand-prediction"),
    path("predict", PredictApi.as_view(), name="predict"),
    path("predictions/reorder", ReorderPredictApi.as_view(), name="reorder-prediction"),
    path("reorder/call-list", CallListApi.as_view(), name="reorder-call-list"),
    path("reorder/predictions", ReorderPredictionListApi.as_view(), name="reorder-predictions"),
    path("reorder/call-outcomes", CallOutcomeListCreateApi.as_view(), name="reorder-call-outcomes"),
    path("imports/", ImportListCreateApi.as_view(), name="import-list"),
    path("imports/<int:pk>/", ImportDetailApi.as_view(), name="import-detail"),
    path("imports/<int:pk>/issues/", ImportIssuesApi.as_view(), name="import-issues"),
    path("imports/<int:pk>/start/", ImportStartApi.as_view(), name="import-start"),
    path("imports/<int:pk>/undo/", ImportUndoApi.as_view(), name="import-undo"),
    *router.urls,
]

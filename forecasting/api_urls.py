"""Forecasting's REST endpoints, included under /api/v1/ by the shared API URLconf."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from .api import DemandForecastViewSet, DemandPredictionApi, PredictApi, ProductForecastApi


class CapabilityRouter(DefaultRouter):
    """Format suffixes like the shared router's; the shared API root lists these entries beside its own."""

    include_root_view = False


router = CapabilityRouter()
router.register("forecasts", DemandForecastViewSet, basename="forecast")

urlpatterns = [
    path("forecasts/products/<int:product_id>/", ProductForecastApi.as_view(), name="product-forecast"),
    path("predictions/demand", DemandPredictionApi.as_view(), name="demand-prediction"),
    path("predict", PredictApi.as_view(), name="predict"),
    *router.urls,
]

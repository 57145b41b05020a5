"""Version 1 of the REST API. Each domain app owns its endpoints in its api.py."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from retailiq.accounts.api import MeApi
from retailiq.catalog.api import ProductViewSet, VendorViewSet
from retailiq.inventory.api import StockLevelViewSet, WarehouseViewSet
from retailiq.orders.api import OrderViewSet, SalesLineViewSet
from retailiq.registry.api import DeployApi, JobViewSet, ModelVersionViewSet, TrainApi
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

urlpatterns = [
    path("me/", MeApi.as_view(), name="me"),
    path("models/train/", TrainApi.as_view(), name="model-train"),
    path("models/deploy/", DeployApi.as_view(), name="model-deploy"),
    *router.urls,
]

"""Version 1 of the REST API. Each domain app owns its endpoints in its api.py; each
registered capability's `api_urls` is included here by dotted path, without a namespace,
so its URL names read "v1:<name>" like the shared ones."""

from importlib import import_module

from django.http import HttpRequest, JsonResponse
from django.urls import Resolver404, include, path, re_path, resolve
from django.views.decorators.csrf import csrf_exempt
from rest_framework.routers import DefaultRouter

from retailiq.accounts.api import MeApi
from retailiq.catalog.api import ProductViewSet, VendorViewSet
from retailiq.core.api import HealthApi, MetricsApi
from retailiq.imports.api import ImportDetailApi, ImportIssuesApi, ImportListCreateApi, ImportStartApi, ImportUndoApi
from retailiq.inventory.api import PurchaseOrderViewSet, StockLevelViewSet, StockMovementViewSet, WarehouseViewSet
from retailiq.orders.api import LostSaleViewSet, OrderViewSet, SalesLineViewSet
from retailiq.registry.adapters import registered_adapters
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


class ApiRouter(DefaultRouter):
    """The API root lists, after the shared resources, those of the capabilities' own routers."""

    def __init__(self, *, also_listed: list[tuple]) -> None:
        super().__init__()
        self.also_listed = also_listed

    def get_api_root_view(self, api_urls=None):
        list_name = self.routes[0].name
        listed = {prefix: list_name.format(basename=basename) for prefix, _, basename in self.registry}
        listed.update({prefix: list_name.format(basename=basename) for prefix, _, basename in self.also_listed})
        return self.APIRootView.as_view(api_root_dict=listed)


@csrf_exempt  # nothing here to protect, and a POST to a wrong address still gets JSON
def not_found(request: HttpRequest) -> JsonResponse:
    message = f"No API endpoint at {request.path}."
    if not request.path.endswith("/"):
        try:
            if resolve(request.path + "/").url_name != "not-found":
                message += f" The address ends in a slash: {request.path}/"
        except Resolver404:
            pass
    return JsonResponse({"error": {"code": "not_found", "message": message}}, status=404)


capability_urls = [import_module(adapter.api_urls) for adapter in registered_adapters() if adapter.api_urls]
router = ApiRouter(
    also_listed=[entry for module in capability_urls if hasattr(module, "router") for entry in module.router.registry]
)
router.register("vendors", VendorViewSet, basename="vendor")
router.register("products", ProductViewSet, basename="product")
router.register("retailers", RetailerViewSet, basename="retailer")
router.register("orders", OrderViewSet, basename="order")
router.register("sales-lines", SalesLineViewSet, basename="sales-line")
router.register("lost-sales", LostSaleViewSet, basename="lost-sale")
router.register("warehouses", WarehouseViewSet, basename="warehouse")
router.register("stock-levels", StockLevelViewSet, basename="stock-level")
router.register("stock-movements", StockMovementViewSet, basename="stock-movement")
router.register("purchase-orders", PurchaseOrderViewSet, basename="purchase-order")
router.register("models", ModelVersionViewSet, basename="model")
router.register("jobs", JobViewSet, basename="job")

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
    *[path("", include(module)) for module in capability_urls],
    path("imports/", ImportListCreateApi.as_view(), name="import-list"),
    path("imports/<int:pk>/", ImportDetailApi.as_view(), name="import-detail"),
    path("imports/<int:pk>/issues/", ImportIssuesApi.as_view(), name="import-issues"),
    path("imports/<int:pk>/start/", ImportStartApi.as_view(), name="import-start"),
    path("imports/<int:pk>/undo/", ImportUndoApi.as_view(), name="import-undo"),
    *router.urls,
    # Last: an address under /api/v1/ that no endpoint answers gets the API's JSON 404 (the
    # one error shape), never the site's HTML page.
    re_path(r"^.*$", not_found, name="not-found"),
]

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from retailiq.accounts.views import SignOutView
from retailiq.core.views import health
from retailiq.registry.adapters import registered_adapters

urlpatterns = [
    path("", include("retailiq.dashboards.urls")),
    # Each registered capability's pages, where its adapter mounts them.
    *[path(adapter.mount, include(adapter.urls)) for adapter in registered_adapters() if adapter.urls],
    path("analyst/models/", include("retailiq.registry.urls")),
    path("analyst/imports/", include("retailiq.imports.urls")),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", SignOutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("healthz", health, name="health"),
    path("api/v1/", include(("retailiq.api.urls", "api"), namespace="v1")),
    path("api/schema/", SpectacularAPIView.as_view(api_version="v1"), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
]

from django.urls import path

from . import views

urlpatterns = [
    path("vendor/demand/", views.demand_page, name="demand"),
    path("vendor/demand/export/<slug:table>.csv", views.demand_export, name="demand-export"),
    path("retailer/demand/next-weeks/", views.expected_demand_panel, name="expected-demand-panel"),
]

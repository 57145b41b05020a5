from django.urls import path

from . import views

urlpatterns = [
    path("", views.demand_page, name="demand"),
    path("export/<slug:table>.csv", views.demand_export, name="demand-export"),
]

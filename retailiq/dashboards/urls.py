from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("retailer/", views.retailer_home, name="retailer-home"),
    path("vendor/", views.vendor_home, name="vendor-home"),
    path("rep/", views.rep_home, name="rep-home"),
    path("analyst/", views.analyst_home, name="analyst-home"),
]

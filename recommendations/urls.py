from django.urls import path

from . import views

app_name = "recommendations"

urlpatterns = [
    path("retailer/recommendations/", views.retailer_page, name="retailer"),
    path("retailer/recommendations/panel/", views.retailer_panel, name="retailer-panel"),
    path("retailer/recommendations/feedback/", views.feedback_page, name="feedback"),
    path("rep/recommendations/panel/", views.rep_panel, name="rep-panel"),
    path("rep/retailers/<int:retailer_id>/pitch/", views.shop_pitch, name="shop-pitch"),
    path("vendor/recommendations/", views.vendor_page, name="vendor"),
    path("vendor/recommendations/panel/", views.vendor_panel, name="vendor-panel"),
]

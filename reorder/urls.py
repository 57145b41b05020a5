from django.urls import path

from . import views

app_name = "reorder"

urlpatterns = [
    path("rep/calls/", views.call_list_page, name="call-list"),
    path("rep/calls.csv", views.call_list_csv, name="call-list-csv"),
    path("rep/calls/outcome/", views.call_outcome_record, name="call-outcome"),
    path("rep/calls/today/", views.call_list_panel, name="call-list-panel"),
    path("rep/retailers/<int:retailer_id>/", views.retailer_timeline_page, name="retailer-timeline"),
    path("retailer/reorder/", views.suggestion_cart_page, name="suggestions"),
    path("retailer/reorder.csv", views.suggestion_cart_csv, name="suggestions-csv"),
    path("retailer/reorder/soon/", views.suggestion_panel, name="suggestions-panel"),
]

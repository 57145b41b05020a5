from django.urls import path

from . import views

app_name = "optimization"

urlpatterns = [
    path("stock/", views.stock_health_page, name="stock-health"),
    path("stock/warnings/", views.warnings_panel, name="warnings-panel"),
    path("stock/purchase-orders/", views.purchase_orders_page, name="purchase-orders"),
    path("plans/", views.plan_list_page, name="plans"),
    path("plans/<int:plan_id>/", views.plan_page, name="plan"),
    path("plans/<int:plan_id>/scenarios/", views.scenario_create_view, name="scenario-create"),
    path("plans/<int:plan_id>/promote/", views.scenario_promote_view, name="promote"),
    path("plans/<int:plan_id>/drafts/", views.drafts_page, name="drafts"),
    path("plans/<int:plan_id>/drafts.csv", views.drafts_csv, name="drafts-csv"),
]

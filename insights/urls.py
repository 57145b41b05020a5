from django.urls import path

from . import views

app_name = "insights"

urlpatterns = [
    path("insights/", views.feed_page, name="feed"),
    path("insights/panel/", views.feed_panel, name="feed-panel"),
    path("insights/<int:insight_id>/feedback/", views.feedback, name="feedback"),
    path("insights/shops/<int:retailer_id>/", views.shop_pattern_page, name="shop"),
    path("insights/products/<int:product_id>/", views.product_pattern_page, name="product"),
    path("analyst/segments/", views.segments_page, name="segments"),
]

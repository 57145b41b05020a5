from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "retailiq.orders"
    label = "orders"
    verbose_name = "Orders"

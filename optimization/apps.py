from django.apps import AppConfig


class OptimizationConfig(AppConfig):
    name = "optimization"
    label = "optimization"
    verbose_name = "Inventory optimization"

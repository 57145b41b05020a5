from django.apps import AppConfig


class OptimizationConfig(AppConfig):
    name = "optimization"
    label = "optimization"
    verbose_name = "Inventory optimization"

    def ready(self) -> None:
        from retailiq.registry.adapters import register_adapter

        from .adapter import OptimizationAdapter

        register_adapter(OptimizationAdapter())

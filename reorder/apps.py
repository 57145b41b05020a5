from django.apps import AppConfig


class ReorderConfig(AppConfig):
    name = "reorder"
    label = "reorder"
    verbose_name = "Reorder prediction"

    def ready(self) -> None:
        from retailiq.registry.adapters import register_adapter

        from .adapter import ReorderAdapter

        register_adapter(ReorderAdapter())

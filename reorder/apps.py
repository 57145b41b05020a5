from django.apps import AppConfig


class ReorderConfig(AppConfig):
    name = "reorder"
    label = "reorder"
    verbose_name = "Reorder prediction"

    def ready(self) -> None:
        from retailiq.registry.adapters import register_adapter

        from .adapter import ReorderAdapter
        from .conf import reorder_settings

        reorder_settings()  # a bad value in the environment stops the start, not the first run
        register_adapter(ReorderAdapter())

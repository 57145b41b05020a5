from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "retailiq.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from prometheus_client import REGISTRY

        from .directory import connect_directory_signals
        from .metrics import JobCollector

        connect_directory_signals()

        if not any(isinstance(c, JobCollector) for c in list(REGISTRY._collector_to_names)):
            REGISTRY.register(JobCollector())

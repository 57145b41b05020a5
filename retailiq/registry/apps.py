from django.apps import AppConfig
from django.conf import settings


class RegistryConfig(AppConfig):
    name = "retailiq.registry"
    label = "registry"
    verbose_name = "Model registry"

    def ready(self) -> None:
        from .adapters import import_adapter_modules

        import_adapter_modules(settings.RETAILIQ_ADAPTER_MODULES)

from django.apps import AppConfig
from django.conf import settings


class RegistryConfig(AppConfig):
    name = "retailiq.registry"
    label = "registry"
    verbose_name = "Model registry"

    def ready(self) -> None:
        """Capabilities plug in the way Django's admin finds ``admin.py``: each installed app's ``adapter`` module
        registers its adapter when imported, so a capability needs no app config of its own and the registry names
        none of them."""
        from django.utils.module_loading import autodiscover_modules

        from .adapters import import_adapter_modules

        autodiscover_modules("adapter")
        import_adapter_modules(settings.RETAILIQ_ADAPTER_MODULES)

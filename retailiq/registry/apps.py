from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "retailiq.registry"
    label = "registry"
    verbose_name = "Model registry"

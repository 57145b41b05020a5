from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "retailiq.core"
    label = "core"
    verbose_name = "Core"

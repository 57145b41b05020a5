from django.apps import AppConfig


class RetailersConfig(AppConfig):
    name = "retailiq.retailers"
    label = "retailers"
    verbose_name = "Retailers"

    def ready(self) -> None:
        from . import signals  # noqa: F401  (connects the receivers)

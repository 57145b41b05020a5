from django.apps import AppConfig


class ForecastingConfig(AppConfig):
    name = "forecasting"
    label = "forecasting"
    verbose_name = "Demand forecasting"

    def ready(self) -> None:
        from retailiq.registry.adapters import register_adapter

        from .adapter import ForecastingAdapter

        register_adapter(ForecastingAdapter())

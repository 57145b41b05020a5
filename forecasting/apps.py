from django.apps import AppConfig


class ForecastingConfig(AppConfig):
    name = "forecasting"
    label = "forecasting"
    verbose_name = "Demand forecasting"

    def ready(self) -> None:
        from retailiq.registry.adapters import register_adapter

        from .adapter import ForecastingAdapter
        from .conf import forecasting_settings

        forecasting_settings()  # a bad value in the environment stops the start, not the first run
        register_adapter(ForecastingAdapter())

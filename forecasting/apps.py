from django.apps import AppConfig


class ForecastingConfig(AppConfig):
    name = "forecasting"
    label = "forecasting"
    verbose_name = "Demand forecasting"

from django.apps import AppConfig


class RetailersConfig(AppConfig):
    name = "retailiq.retailers"
    label = "retailers"
    verbose_name = "Retailers"

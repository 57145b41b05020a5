from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "retailiq.demo"
    label = "demo"
    verbose_name = "Demo data"

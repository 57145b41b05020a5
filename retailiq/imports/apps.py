from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "retailiq.imports"
    label = "imports"
    verbose_name = "Sales-history imports"

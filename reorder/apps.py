from django.apps import AppConfig


class ReorderConfig(AppConfig):
    name = "reorder"
    label = "reorder"
    verbose_name = "Reorder prediction"

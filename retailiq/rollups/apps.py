from django.apps import AppConfig


class RollupsConfig(AppConfig):
    name = "retailiq.rollups"
    label = "rollups"
    verbose_name = "Sales rollups"

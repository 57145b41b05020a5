from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "retailiq.dashboards"
    label = "dashboards"
    verbose_name = "Dashboards"

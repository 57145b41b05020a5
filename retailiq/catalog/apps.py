from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "retailiq.catalog"
    label = "catalog"
    verbose_name = "Catalog"

from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "retailiq.inventory"
    label = "inventory"
    verbose_name = "Inventory"

from django.contrib import admin

from .models import StockLevel, StockoutPeriod, Warehouse


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "city", "region", "capacity_volume", "is_active")
    list_filter = ("region", "is_active")
    search_fields = ("name", "code", "city")


@admin.register(StockLevel)
class StockLevelAdmin(admin.ModelAdmin):
    list_display = ("product", "warehouse", "on_hand", "on_order", "lead_time_mean_days", "min_order_qty")
    list_filter = ("warehouse", ("product__vendor", admin.RelatedOnlyFieldListFilter))
    search_fields = ("product__sku", "product__name", "warehouse__name")
    list_select_related = ("product", "warehouse")
    autocomplete_fields = ("product", "warehouse")


@admin.register(StockoutPeriod)
class StockoutPeriodAdmin(admin.ModelAdmin):
    list_display = ("product", "warehouse", "started_on", "ended_on")
    list_filter = ("warehouse",)
    search_fields = ("product__sku", "product__name")
    list_select_related = ("product", "warehouse")
    autocomplete_fields = ("product", "warehouse")
    date_hierarchy = "started_on"

from django.contrib import admin

from .models import PurchaseOrder, PurchaseOrderLine, StockLevel, StockMovement, StockoutPeriod, Warehouse


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


@admin.register(StockMovement)
class StockMovementAdmin(admin.ModelAdmin):
    """Read-only: the ledger changes through its service, which keeps StockLevel in step."""

    list_display = ("moved_on", "kind", "product", "warehouse", "quantity", "reference")
    list_filter = ("kind", "warehouse")
    search_fields = ("product__sku", "reference")
    list_select_related = ("product", "warehouse")
    date_hierarchy = "moved_on"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class PurchaseOrderLineInline(admin.TabularInline):
    model = PurchaseOrderLine
    extra = 0
    can_delete = False
    readonly_fields = ("product", "quantity_ordered", "quantity_received", "unit_cost")


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(admin.ModelAdmin):
    """Read-only: states move through the purchase order services."""

    list_display = ("number", "vendor", "warehouse", "status", "ordered_on", "promised_on", "first_received_on")
    list_filter = ("status", "warehouse", "vendor")
    search_fields = ("number",)
    list_select_related = ("vendor", "warehouse")
    date_hierarchy = "ordered_on"
    inlines = [PurchaseOrderLineInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

from django.contrib import admin

from .models import Order, OrderLine


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    autocomplete_fields = ("product", "promotion")
    exclude = ("retailer", "placed_on")


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("external_id", "retailer", "warehouse", "placed_at", "kind", "status")
    list_filter = ("status", "kind", "warehouse")
    search_fields = ("external_id", "retailer__name", "retailer__code")
    list_select_related = ("retailer", "warehouse")
    autocomplete_fields = ("retailer", "warehouse", "returns_order")
    date_hierarchy = "placed_at"
    inlines = [OrderLineInline]

    def save_formset(self, request, form, formset, change):
        # Lines repeat the order's retailer and date for time-series indexes.
        for line in formset.save(commit=False):
            line.retailer_id = form.instance.retailer_id
            line.placed_on = form.instance.placed_at.date()
            line.save()
        for obj in formset.deleted_objects:
            obj.delete()


@admin.register(OrderLine)
class OrderLineAdmin(admin.ModelAdmin):
    list_display = (
        "order",
        "line_number",
        "product",
        "quantity",
        "unit_price",
        "discount_rate",
        "on_promotion",
        "placed_on",
    )
    list_filter = ("on_promotion", "order__kind", "order__status")
    search_fields = ("order__external_id", "product__sku", "product__name", "retailer__name")
    list_select_related = ("order", "product")
    raw_id_fields = ("order", "product", "retailer", "promotion")
    date_hierarchy = "placed_on"

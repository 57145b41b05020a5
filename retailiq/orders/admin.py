from django.contrib import admin

from retailiq.rollups.services import rollups_apply, rollups_apply_lost_sales

from .models import LostSale, Order, OrderLine


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

    # An edit in the admin goes through the rollups like any write: the order's old lines
    # are taken out before the change is saved and its new lines added after (the admin
    # saves the order, then its lines, in one transaction).
    def save_model(self, request, obj, form, change):
        if change:
            rollups_apply(orders=Order.objects.filter(pk=obj.pk), sign=-1)
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        rollups_apply(orders=Order.objects.filter(pk=form.instance.pk), sign=+1)

    def delete_model(self, request, obj):
        rollups_apply(orders=Order.objects.filter(pk=obj.pk), sign=-1)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        rollups_apply(orders=Order.objects.filter(pk__in=list(queryset.values_list("pk", flat=True))), sign=-1)
        super().delete_queryset(request, queryset)

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

    def save_model(self, request, obj, form, change):
        # The order the line was on (as stored) and the one it is on now: both change.
        stored = list(OrderLine.objects.filter(pk=obj.pk).values_list("order_id", flat=True)) if change else []
        orders = Order.objects.filter(pk__in=[*stored, obj.order_id])
        rollups_apply(orders=orders, sign=-1)
        super().save_model(request, obj, form, change)
        rollups_apply(orders=orders, sign=+1)

    def delete_model(self, request, obj):
        rollups_apply(orders=Order.objects.filter(pk=obj.order_id), sign=-1)
        super().delete_model(request, obj)
        rollups_apply(orders=Order.objects.filter(pk=obj.order_id), sign=+1)

    def delete_queryset(self, request, queryset):
        orders = Order.objects.filter(pk__in=list(queryset.values_list("order_id", flat=True)))
        rollups_apply(orders=orders, sign=-1)
        super().delete_queryset(request, queryset)
        rollups_apply(orders=orders, sign=+1)


@admin.register(LostSale)
class LostSaleAdmin(admin.ModelAdmin):
    list_display = ("lost_on", "retailer", "product", "warehouse", "quantity", "reason", "order")
    list_filter = ("reason", "warehouse")
    search_fields = ("order__external_id", "product__sku", "product__name", "retailer__name")
    list_select_related = ("retailer", "product", "warehouse", "order")
    raw_id_fields = ("order", "product", "retailer", "warehouse")
    date_hierarchy = "lost_on"

    # Through the rollups like any write: the row as stored leaves them before the change and comes back after.
    def save_model(self, request, obj, form, change):
        one = LostSale.objects.filter(pk=obj.pk)
        if change:
            rollups_apply_lost_sales(lost_sales=one, sign=-1)
        super().save_model(request, obj, form, change)
        rollups_apply_lost_sales(lost_sales=LostSale.objects.filter(pk=obj.pk), sign=+1)

    def delete_model(self, request, obj):
        rollups_apply_lost_sales(lost_sales=LostSale.objects.filter(pk=obj.pk), sign=-1)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        rollups_apply_lost_sales(
            lost_sales=LostSale.objects.filter(pk__in=list(queryset.values_list("pk", flat=True))), sign=-1
        )
        super().delete_queryset(request, queryset)

from django.contrib import admin

from .models import CalendarEvent, Promotion


@admin.register(CalendarEvent)
class CalendarEventAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "starts_on", "ends_on", "region")
    list_filter = ("kind", "region")
    search_fields = ("name",)
    date_hierarchy = "starts_on"


@admin.register(Promotion)
class PromotionAdmin(admin.ModelAdmin):
    list_display = ("name", "vendor", "discount_rate", "starts_on", "ends_on", "region")
    list_filter = (("vendor", admin.RelatedOnlyFieldListFilter), "region")
    search_fields = ("name", "vendor__name")
    autocomplete_fields = ("vendor", "products")
    date_hierarchy = "starts_on"

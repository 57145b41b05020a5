from django.contrib import admin

from .models import Retailer


@admin.register(Retailer)
class RetailerAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "city", "region", "segment", "assigned_rep", "credit_limit", "is_active")
    list_filter = ("segment", "region", "is_active")
    search_fields = ("name", "code", "city", "contact_name", "contact_phone", "assigned_rep__username")
    list_select_related = ("assigned_rep",)
    autocomplete_fields = ("assigned_rep",)
    date_hierarchy = "onboarded_on"

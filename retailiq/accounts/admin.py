from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "email", "role", "retailer", "vendor", "is_active", "last_login")
    list_filter = ("role", "is_active", "is_staff")
    search_fields = ("username", "email", "first_name", "last_name", "retailer__name", "vendor__name")
    autocomplete_fields = ("retailer", "vendor")
    fieldsets = (*DjangoUserAdmin.fieldsets, ("Role", {"fields": ("role", "retailer", "vendor")}))
    add_fieldsets = (*DjangoUserAdmin.add_fieldsets, ("Role", {"fields": ("role", "retailer", "vendor")}))

from django.contrib import admin

from .models import Brand, Category, Product, Vendor


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "city", "is_active")
    list_filter = ("kind", "is_active", "city")
    search_fields = ("name", "code", "city")


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("name", "parent", "slug")
    list_filter = (("parent", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("name", "slug", "parent__name")


@admin.register(Brand)
class BrandAdmin(admin.ModelAdmin):
    list_display = ("name", "vendor")
    list_filter = (("vendor", admin.RelatedOnlyFieldListFilter),)
    search_fields = ("name", "vendor__name")


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("sku", "name", "vendor", "category", "brand", "unit_price", "pack_size", "is_active")
    list_filter = (
        "is_active",
        ("vendor", admin.RelatedOnlyFieldListFilter),
        ("category", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("sku", "name", "vendor__name", "brand__name")
    list_select_related = ("vendor", "category__parent", "brand")
    autocomplete_fields = ("vendor", "category", "brand")
    date_hierarchy = "launched_on"

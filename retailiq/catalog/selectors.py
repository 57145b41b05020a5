from django.db.models import QuerySet

from retailiq.accounts.models import User
from retailiq.accounts.scoping import NoScope, product_filter

from .models import Product, Vendor


def product_list_for_user(*, user: User) -> QuerySet[Product]:
    try:
        scope = product_filter(user)
    except NoScope:
        return Product.objects.none()
    return Product.objects.filter(scope).select_related("vendor", "category__parent", "brand")


def vendor_list_for_user(*, user: User) -> QuerySet[Vendor]:
    if user.is_vendor:
        return Vendor.objects.filter(pk=user.vendor_id)
    return Vendor.objects.filter(is_active=True) if not user.sees_everything else Vendor.objects.all()

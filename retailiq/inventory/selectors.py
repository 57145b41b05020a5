from django.db.models import QuerySet

from retailiq.accounts.models import User

from .models import StockLevel, Warehouse


def warehouse_list_for_user(*, user: User) -> QuerySet[Warehouse]:
    # Where goods ship from is no secret on the marketplace.
    return Warehouse.objects.filter(is_active=True) if not user.sees_everything else Warehouse.objects.all()


def stock_level_list_for_user(*, user: User) -> QuerySet[StockLevel]:
    """Stock positions are commercial: each vendor sees its own products' stock,
    analysts see all, retailers and reps none."""
    qs = StockLevel.objects.select_related("product", "warehouse")
    if user.sees_everything:
        return qs
    if user.is_vendor:
        return qs.filter(product__vendor=user.vendor_id)
    return qs.none()

"""Who may see what. Every selector that returns marketplace data asks these
functions first, so pages and API apply the same rule.

- retailer: its own retailer, its orders, the active catalog
- vendor: its own products and the order lines that sold them
- sales rep: the retailers assigned to it, and their orders
- analyst and admin: everything
"""

from django.db.models import Q

from .models import User


class NoScope(Exception):
    """The user has a role with no access to this kind of data."""


def retailer_filter(user: User, *, prefix: str = "") -> Q:
    """A Q over a model reaching Retailer through `prefix` (e.g. "retailer__")."""
    if user.sees_everything:
        return Q()
    if user.is_retailer:
        return Q(**{f"{prefix}pk": user.retailer_id}) if prefix else Q(pk=user.retailer_id)
    if user.is_sales_rep:
        return Q(**{f"{prefix}assigned_rep": user.pk})
    raise NoScope


def product_filter(user: User, *, prefix: str = "") -> Q:
    """A Q over Product (or a model reaching it through `prefix`) for catalog reads."""
    if user.sees_everything:
        return Q()
    if user.is_vendor:
        return Q(**{f"{prefix}vendor": user.vendor_id})
    if user.is_retailer or user.is_sales_rep:
        return Q(**{f"{prefix}is_active": True})
    raise NoScope


def sales_filter(user: User) -> Q:
    """A Q over OrderLine: the sales a user may analyse. Vendors see the lines of their
    own products (across retailers); retailers and reps see their retailers' lines."""
    if user.sees_everything:
        return Q()
    if user.is_vendor:
        return Q(product__vendor=user.vendor_id)
    return retailer_filter(user, prefix="retailer__")

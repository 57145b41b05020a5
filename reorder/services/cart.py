"""Products a shop put in its reorder cart itself (from recommendations, say) beside the suggested ones. The cart
is the "Time to reorder" page's; these additions are kept in the user's session, per shop, until the cart is
started over."""

from typing import Any

from retailiq.catalog.models import Product

from .call_list import ProductSuggestion

SESSION_KEY = "reorder_cart_added"


def cart_product_add(*, session: Any, retailer_id: int, product_id: int) -> None:
    added = dict(session.get(SESSION_KEY, {}))
    products = list(added.get(str(retailer_id), []))
    if product_id not in products:
        products.append(int(product_id))
    added[str(retailer_id)] = products
    session[SESSION_KEY] = added


def cart_added_product_ids(*, session: Any, retailer_id: int) -> list[int]:
    return [int(p) for p in session.get(SESSION_KEY, {}).get(str(retailer_id), [])]


def cart_product_remove(*, session: Any, retailer_id: int, product_id: int) -> None:
    added = dict(session.get(SESSION_KEY, {}))
    products = [p for p in added.get(str(retailer_id), []) if p != int(product_id)]
    if products != added.get(str(retailer_id), []):
        added[str(retailer_id)] = products
        session[SESSION_KEY] = added


def cart_added_suggestions(
    *, session: Any, retailer_id: int, suggested: list[ProductSuggestion]
) -> list[ProductSuggestion]:
    """The shop's own additions as cart lines (one pack each to start), leaving out those already suggested."""
    have = {s.product.pk for s in suggested}
    ids = [p for p in cart_added_product_ids(session=session, retailer_id=retailer_id) if p not in have]
    products = Product.objects.filter(is_active=True).select_related("vendor", "category").in_bulk(ids)
    return [
        ProductSuggestion(
            product=products[pk],
            probability=0.0,
            expected_quantity=max(1, int(products[pk].pack_size or 1)),
            expected_date=None,
            expected_value=float(products[pk].unit_price) * max(1, int(products[pk].pack_size or 1)),
            unit_price=float(products[pk].unit_price),
            days_overdue=0.0,
            last_order_date=None,
            reasons=["added by you"],
            added=True,
        )
        for pk in ids
        if pk in products
    ]

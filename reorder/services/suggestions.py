"""A shop's "time to reorder" cart: the products it is likely to reorder soon, with quantities to adjust."""

from collections.abc import Iterable
from typing import Any

from retailiq.accounts.models import User
from retailiq.catalog.models import Product
from retailiq.core.errors import NotFound

from ..selectors import reorder_retailers_for_user
from .call_list import ProductSuggestion, suggestion_from_row
from .serving import InvalidReorderInput, check_horizon, probability_at, serving_frame


def reorder_suggestions(
    *,
    user: User,
    retailer_id: int | None = None,
    horizon_days: int | None = None,
    min_probability: float = 0.3,
) -> list[ProductSuggestion]:
    """Products the shop will probably reorder within the horizon, most likely first. A retailer user always
    gets its own shop; reps their assigned shops, vendors only their own products, analysts any shop."""
    horizon = check_horizon(horizon_days)
    if not 0 <= min_probability <= 1:
        raise InvalidReorderInput("min_probability", "must be between 0 and 1.")
    if user.is_retailer:
        retailer_id = user.retailer_id
    if retailer_id is None:
        raise InvalidReorderInput("retailer", "name the shop.")
    if not reorder_retailers_for_user(user=user).filter(pk=retailer_id).exists():
        raise NotFound(f"No shop {retailer_id} among yours.")
    _, frame = serving_frame(user=user, retailer_ids=[retailer_id])
    if frame.empty:
        return []
    frame = frame.assign(probability=probability_at(frame, horizon))
    frame = frame[frame["probability"] >= min_probability]
    frame = frame.sort_values(["probability", "expected_value", "product_id"], ascending=[False, False, True])
    products = Product.objects.select_related("vendor", "category").in_bulk(frame["product_id"].astype(int).tolist())
    return [suggestion_from_row(row, products[int(row.product_id)]) for row in frame.itertuples()]


SUGGESTION_CSV_HEADER = [
    "sku",
    "product",
    "quantity",
    "unit_price",
    "line_value",
    "expected_date",
    "probability",
    "reasons",
]


def suggestion_csv_rows(
    suggestions: Iterable[ProductSuggestion], quantities: dict[int, int] | None = None
) -> Iterable[list[Any]]:
    """The cart as CSV rows, header first; ``quantities`` (product id to units) overrides the suggested ones and
    a quantity of 0 drops the product. Values, not text: the CSV response escapes them."""
    quantities = quantities or {}
    yield SUGGESTION_CSV_HEADER
    for suggestion in suggestions:
        quantity = int(quantities.get(suggestion.product.pk, suggestion.expected_quantity))
        if quantity <= 0:
            continue
        yield [
            suggestion.product.sku,
            suggestion.product.name,
            quantity,
            suggestion.unit_price,
            round(quantity * suggestion.unit_price, 2),
            suggestion.expected_date,
            suggestion.probability,
            "; ".join(suggestion.reasons),
        ]

"""A shop's "time to reorder" cart: the products it is likely to reorder soon, with quantities to adjust."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from retailiq.accounts.models import User
from retailiq.catalog.models import Product
from retailiq.core.errors import InvalidInput
from retailiq.registry.selectors import ServingBatch

from ..selectors import probability_at, reorder_batch_label, reorder_batch_serving, serving_prediction_frame
from .call_list import ProductSuggestion, rank_shop_products, suggestion_from_row
from .horizons import check_horizon
from .shops import shop_for_user


@dataclass
class ShopPredictions:
    batch: ServingBatch
    horizon_days: int
    rows: pd.DataFrame  # the serving frame's columns and ``probability`` at the horizon, most likely first

    @property
    def as_of(self):
        return self.batch.as_of

    @property
    def model_label(self) -> str:
        return reorder_batch_label(self.batch)


def shop_predictions(
    *,
    user: User,
    retailer_id: int | None = None,
    horizon_days: int | None = None,
    product_ids: Sequence[int] | None = None,
    min_probability: float = 0.0,
    by_value: bool = False,
) -> ShopPredictions:
    """A shop's serving predictions at the horizon with at least ``min_probability``, most likely first (then
    the larger expected order, then the product), or with ``by_value`` in the call list's order (the likely order
    value first). A retailer user always gets its own shop; reps their assigned
    shops, vendors only their own products, analysts any shop. The cart, the timeline and the API read this."""
    horizon = check_horizon(horizon_days)
    if not 0 <= min_probability <= 1:
        raise InvalidInput("min_probability must be between 0 and 1.", field="min_probability")
    if user.is_retailer:
        retailer_id = user.retailer_id
    shop = shop_for_user(user=user, retailer_id=retailer_id)
    batch = reorder_batch_serving()
    frame = serving_prediction_frame(user=user, batch=batch, retailer_ids=[shop.pk], product_ids=product_ids)
    if not frame.empty:
        frame = frame.assign(probability=probability_at(frame, horizon))
        frame = frame[frame["probability"] >= min_probability]
        if by_value:
            frame = rank_shop_products(
                frame.assign(priority=frame["probability"] * frame["expected_value"].astype(float))
            )
        else:
            frame = frame.sort_values(["probability", "expected_value", "product_id"], ascending=[False, False, True])
    return ShopPredictions(batch=batch, horizon_days=horizon, rows=frame)


def reorder_suggestions(
    *,
    user: User,
    retailer_id: int | None = None,
    horizon_days: int | None = None,
    min_probability: float = 0.3,
    by_value: bool = False,
) -> list[ProductSuggestion]:
    """Products the shop will probably reorder within the horizon, most likely first (see shop_predictions)."""
    found = shop_predictions(
        user=user,
        retailer_id=retailer_id,
        horizon_days=horizon_days,
        min_probability=min_probability,
        by_value=by_value,
    )
    if found.rows.empty:
        return []
    products = Product.objects.select_related("vendor", "category").in_bulk(
        found.rows["product_id"].astype(int).tolist()
    )
    return [suggestion_from_row(row, products[int(row.product_id)]) for row in found.rows.itertuples()]


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

"""On-demand reorder predictions for one shop, from the serving model (champion, challenger or baseline)."""

from collections.abc import Sequence
from typing import Any

from django.core.cache import cache

from retailiq.accounts.models import User
from retailiq.catalog.models import Product
from retailiq.core.errors import Conflict, InvalidInput
from retailiq.registry.selectors import as_of_after
from retailiq.registry.services import prediction_serve

from ..selectors import CAPABILITY, latest_order_day, reorder_products_q
from .horizons import check_horizon
from .shops import shop_for_user

MAX_PRODUCTS = 500
AS_OF_CACHE_SECONDS = 60


def current_as_of() -> str | None:
    """The day predictions are made as of (after the last day of orders), remembered for a minute: every
    on-demand prediction starts from it and orders arrive in daily imports."""
    found = cache.get("reorder:as-of")
    if found is None:
        last = latest_order_day()
        found = as_of_after(last).isoformat() if last else ""
        cache.set("reorder:as-of", found, AS_OF_CACHE_SECONDS)
    return found or None


def predict_reorder(
    *,
    user: User,
    retailer_id: int,
    product_ids: Sequence[int] | None = None,
    horizon_days: int | None = None,
) -> dict[str, Any]:
    """For each of the shop's products (or those asked for): the chance it is reordered within each horizon,
    how much and when, and why. Products the shop never bought have no prediction and are listed apart."""
    horizon = check_horizon(horizon_days, field="horizon_days")
    shop_for_user(user=user, retailer_id=retailer_id, field="retailer_id")
    visible = Product.objects.filter(reorder_products_q(user=user, prefix=""))
    wanted: list[int] | None = None
    if product_ids is not None:
        wanted = sorted({int(p) for p in product_ids})
        if not wanted or len(wanted) > MAX_PRODUCTS:
            raise InvalidInput(f"Give between 1 and {MAX_PRODUCTS} products.", field="product_ids")
        found = set(visible.filter(pk__in=wanted).values_list("pk", flat=True))
        if missing := [p for p in wanted if p not in found]:
            raise InvalidInput(f"No product {', '.join(map(str, missing))} among yours.", field="product_ids")
    as_of = current_as_of()
    if as_of is None:
        raise Conflict("There are no orders to predict from yet.", code="no_history")
    inputs = {"retailer_id": int(retailer_id), "product_ids": wanted, "as_of": as_of}
    served = prediction_serve(capability=CAPABILITY, inputs=inputs, routing_key=f"user:{user.pk}")
    rows = served.result["predictions"]
    names = dict(visible.filter(pk__in=[r["product_id"] for r in rows]).values_list("pk", "name"))
    predictions = [
        {
            "product_id": row["product_id"],
            "product_name": names[row["product_id"]],
            "probability": row["probabilities"][str(horizon)],
            **{key: row[key] for key in ("probabilities", "expected_quantity", "expected_date", "days_overdue")},
            "last_order_date": row["last_order_date"],
            "reasons": row["reasons"],
        }
        for row in rows
        if row["product_id"] in names  # a vendor reads only its own products
    ]
    predictions.sort(key=lambda p: (-p["probability"], p["product_id"]))
    predicted = {p["product_id"] for p in predictions}
    return {
        "retailer_id": int(retailer_id),
        "as_of": served.result["as_of"],
        "horizon_days": horizon,
        "model": served.model,
        "cached": served.cached,
        "predictions": predictions,
        "not_predicted": [p for p in (wanted or []) if p not in predicted],
    }

"""Stock health and stockout risk as the pages and the API ask for them, scoped to the user: a vendor its own
products', analysts every product's, retailers and reps none."""

from collections.abc import Sequence
from typing import Any

import pandas as pd

from optimization.ml.policy import PolicyOptions, inventory_policy
from retailiq.accounts.models import User
from retailiq.core.errors import Conflict, Forbidden, InvalidInput
from retailiq.registry.services import prediction_serve

from ..conf import optimization_settings
from ..selectors import CAPABILITY, current_as_of, may_see_stock, pair_frame, product_names, risk_list_for_user
from .plans import PlanConstraints, pair_items

MAX_PAIRS = 500


def _vendor_of(user: User) -> int | None:
    if not may_see_stock(user):
        raise Forbidden("Stock and its risks are for vendors and analysts.")
    return user.vendor_id if user.is_vendor else None


def stockout_predict(
    *, user: User, product_ids: Sequence[int] | None = None, warehouse: str | None = None
) -> dict[str, Any]:
    """On demand, from the serving model: each visible pair's stockout risk (the products asked for, at one
    warehouse or all), riskiest first."""
    pairs = pair_frame(vendor_id=_vendor_of(user))
    if warehouse:
        if warehouse not in set(pair_frame()["warehouse"]):
            raise InvalidInput(f"No warehouse {warehouse!r}.", field="warehouse")
        pairs = pairs[pairs["warehouse"] == warehouse]
    if product_ids is not None:
        wanted = sorted({int(p) for p in product_ids})
        if missing := sorted(set(wanted) - set(pairs["product_id"].astype(int))):
            raise InvalidInput(f"No product {', '.join(map(str, missing))} among yours.", field="product_ids")
        pairs = pairs[pairs["product_id"].isin(wanted)]
    if len(pairs) > MAX_PAIRS:
        raise InvalidInput(f"Ask for at most {MAX_PAIRS} product x warehouse pairs at once.", field="product_ids")
    as_of = current_as_of()
    if as_of is None:
        raise Conflict("There is no sales or stock history yet.", code="no_history")
    inputs = {"pair_ids": sorted(pairs["pair_id"].astype(int).tolist()), "as_of": as_of.isoformat()}
    served = prediction_serve(capability=CAPABILITY, inputs=inputs, routing_key=f"user:{user.pk}")
    names = product_names([r["product_id"] for r in served.result["risks"]])
    codes = dict(zip(pairs["warehouse_id"].astype(int), pairs["warehouse"], strict=True))
    risks = [
        {**r, "product_name": names.get(r["product_id"], ""), "warehouse": codes.get(r["warehouse_id"], "")}
        for r in served.result["risks"]
    ]
    return {"as_of": served.result["as_of"], "model": served.model, "cached": served.cached, "risks": risks}


def stock_health(*, user: User, warehouse_id: int | None = None, vendor_id: int | None = None) -> pd.DataFrame:
    """Per visible pair: stock, cover, the serving batch's risk and the policy's suggested order (safety stock and
    reorder point from the forecast's spread over the lead time, rounded to packs and MOQ). ``vendor_id`` narrows
    an analyst's view to one vendor; a vendor always sees its own."""
    own = _vendor_of(user)
    vendor_id = own if user.is_vendor else vendor_id
    as_of = current_as_of()
    columns = ["product_id", "product", "warehouse_id", "warehouse", "on_hand", "on_order", "days_of_cover",
               "reorder_point", "safety_stock", "order_qty", "probability_14", "days_to_stockout",
               "expected_lost_revenue", "reason"]  # fmt: skip
    pairs = pair_frame(vendor_id=vendor_id)
    if as_of is None or pairs.empty:  # nothing stocked yet (a new vendor): an empty table, not an error
        return pd.DataFrame(columns=columns)
    items = pair_items(as_of=as_of, vendor_id=vendor_id, constraints=PlanConstraints())
    conf = optimization_settings()
    policy = inventory_policy(items, PolicyOptions(review_days=conf.review_days))
    frame = policy.assign(
        product_id=pairs["product_id"].to_numpy(), warehouse_id=pairs["warehouse_id"].to_numpy(),
        on_hand=items["on_hand"].to_numpy(), on_order=items["on_order"].to_numpy(),
    )  # fmt: skip
    if warehouse_id is not None:
        frame = frame[frame["warehouse_id"] == warehouse_id]
    risks = pd.DataFrame.from_records(
        list(risk_list_for_user(user=user, warehouse_id=warehouse_id).values(
            "product_id", "warehouse_id", "probability_14", "days_to_stockout", "expected_lost_revenue", "reason"
        )),
        columns=["product_id", "warehouse_id", "probability_14", "days_to_stockout", "expected_lost_revenue", "reason"],
    )  # fmt: skip
    frame = frame.merge(risks, on=["product_id", "warehouse_id"], how="left")
    frame["product"] = frame["product_id"].map(product_names(frame["product_id"].tolist()))
    frame = frame.sort_values(["probability_14", "days_of_cover"], ascending=[False, True], na_position="last")
    return frame[columns].reset_index(drop=True)

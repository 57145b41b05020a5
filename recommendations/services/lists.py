"""The lists a model makes for shops, with the database's business rules, and their live uptake."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..conf import recommendations_settings
from ..ml.recommender import RECOMMENDATION_COLUMNS
from ..ml.rules import BusinessRules
from ..models import Recommendation
from ..selectors import (
    dismissed_pairs,
    inactive_product_ids,
    latest_order_day,
    order_frame,
    out_of_stock_pairs,
    reorder_probability_frame,
)

LISTS = ("discover", "buy_again", "bundle")
LIVE_COLUMNS = ["model_version_id", "day", "metric", "value", "observations"]
LIVE_HORIZONS = (14, 30)  # the live metric closes in two weeks; the 30-day uptake is the one the issue names


def business_rules(retailer_ids: Sequence[int]) -> BusinessRules:
    """No inactive product; for each shop, nothing it dismissed and nothing out of stock in every warehouse
    serving its region."""
    blocked = pd.concat(
        [dismissed_pairs(retailer_ids=retailer_ids), out_of_stock_pairs(retailer_ids=retailer_ids)],
        ignore_index=True,
    )
    return BusinessRules(inactive=frozenset(inactive_product_ids()), blocked=blocked.astype("int64"))


def _recent_products(model: Any, retailer_id: int) -> list[int]:
    """The products of the shop's last few baskets, as the co-purchase generator remembers them."""
    lift = model.generators_.get("co_purchase")
    if lift is None:
        return []
    row = int(lift._rows([retailer_id])[0])
    return [] if row < 0 else [int(p) for p in lift.product_ids_[lift.recent_[row].indices]]


def shop_lists(
    model: Any,
    retailer_ids: Sequence[int],
    *,
    as_of: dt.date,
    kinds: Sequence[str],
    k: int,
    anchor: int | None = None,
) -> pd.DataFrame:
    """Each shop's top ``k`` of each list in ``kinds``, with :data:`RECOMMENDATION_COLUMNS`. A bundle starts from
    ``anchor`` when given, else from the shop's last baskets."""
    if hasattr(model, "fitted"):  # the baseline, fitted on the orders before the day
        model = model.fitted(as_of)
    empty = pd.DataFrame(columns=list(RECOMMENDATION_COLUMNS))
    if model is None or not len(retailer_ids):
        return empty
    rules = business_rules(retailer_ids)
    frames = []
    for kind in kinds:
        if kind == "bundle":
            frames.extend(_bundles(model, retailer_ids, k=k, anchor=anchor, rules=rules))
            continue
        reorder = reorder_probability_frame(retailer_ids=retailer_ids) if kind == "buy_again" else None
        frames.append(model.recommend(list(retailer_ids), kind=kind, k=k, rules=rules, reorder_probabilities=reorder))
    frames = [f for f in frames if len(f)]
    if not frames:
        return empty
    out = pd.concat(frames, ignore_index=True)
    out["retailer_id"] = out["retailer_id"].astype(int)
    out["product_id"] = out["product_id"].astype(int)
    return out[list(RECOMMENDATION_COLUMNS)]


def _bundles(model: Any, retailer_ids, *, k: int, anchor: int | None, rules: BusinessRules) -> list[pd.DataFrame]:
    frames = []
    for retailer_id in retailer_ids:
        anchors = [anchor] if anchor is not None else _recent_products(model, retailer_id)
        if not anchors:
            continue
        items = model.bundle(anchors, k=k, retailer_id=retailer_id, rules=rules)
        if len(items):
            frames.append(
                items.assign(retailer_id=retailer_id, kind="bundle", source="co_purchase")[list(RECOMMENDATION_COLUMNS)]
            )
    return frames


def live_uptake(*, model_version_ids: Sequence[int], since: dt.date) -> pd.DataFrame:
    """Per version and week of lists whose window is over: the share of recommended products the shop ordered
    within 14 and 30 days (``uptake_14``, ``uptake_30``), overall and per list (``uptake_30_discover``, ...)."""
    last = latest_order_day()
    if last is None:
        return pd.DataFrame(columns=LIVE_COLUMNS)
    rows = pd.DataFrame.from_records(
        list(
            Recommendation.objects.filter(
                model_version_id__in=list(model_version_ids),
                as_of__gte=since,
                as_of__lte=last - dt.timedelta(days=min(LIVE_HORIZONS) - 1),
            )
            .order_by()
            .values_list("model_version_id", "as_of", "retailer_id", "product_id", "kind")
        ),
        columns=["model_version_id", "as_of", "retailer_id", "product_id", "kind"],
    )
    if rows.empty:
        return pd.DataFrame(columns=LIVE_COLUMNS)
    orders = order_frame(
        start=rows["as_of"].min(),
        end=min(last, rows["as_of"].max() + dt.timedelta(days=max(LIVE_HORIZONS) - 1)),
        retailer_ids=rows["retailer_id"].unique().tolist(),
    )
    first_order = (
        rows[["retailer_id", "product_id", "as_of"]]
        .drop_duplicates()
        .merge(orders[["retailer_id", "product_id", "date"]], on=["retailer_id", "product_id"], how="left")
    )
    first_order = first_order[first_order["date"] >= pd.to_datetime(first_order["as_of"])]
    first_order = first_order.groupby(["retailer_id", "product_id", "as_of"])["date"].min().rename("ordered_on")
    rows = rows.merge(first_order.reset_index(), on=["retailer_id", "product_id", "as_of"], how="left")
    delay = (rows["ordered_on"] - pd.to_datetime(rows["as_of"])).dt.days
    rows["week"] = (
        pd.to_datetime(rows["as_of"]) - pd.to_timedelta(pd.to_datetime(rows["as_of"]).dt.weekday, "D")
    ).dt.date
    out = []
    for horizon in LIVE_HORIZONS:
        closed = rows["as_of"] <= last - dt.timedelta(days=horizon - 1)
        taken = (delay < horizon).fillna(False).to_numpy()
        scoped = rows.assign(taken=taken)[closed.to_numpy()]
        for (version, week), group in scoped.groupby(["model_version_id", "week"]):
            out.append((version, week, f"uptake_{horizon}", float(group["taken"].mean()), len(group)))
            if horizon == recommendations_settings().uptake_days:
                for kind, items in group.groupby("kind"):
                    out.append((version, week, f"uptake_{horizon}_{kind}", float(items["taken"].mean()), len(items)))
    frame = pd.DataFrame(out, columns=LIVE_COLUMNS)
    frame["value"] = frame["value"].astype(np.float64)
    return frame

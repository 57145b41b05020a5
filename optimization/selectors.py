"""Reads: the ledger, deliveries and demand in the ML's long format (through the inventory and forecasting
selectors), the pairs a plan covers, and stored risks and plans scoped to the user.

Scope: stock and plans are commercial. A vendor sees its own products' pairs and its own plans; analysts and admins
everything; retailers and sales reps nothing."""

import datetime as dt
from collections.abc import Sequence

import numpy as np
import pandas as pd
from django.db.models import Q, QuerySet

from forecasting.selectors import demand_distribution, latest_sales_day
from retailiq.accounts.models import User
from retailiq.catalog.models import Product
from retailiq.events.selectors import calendar_event_frame, promotion_product_frame
from retailiq.inventory.selectors import delivery_frame, stock_daily_frame, stock_levels_active, warehouses_active
from retailiq.inventory.stockouts import out_of_stock
from retailiq.registry.selectors import ServingBatch, as_of_after, serving_batch

from .ml.stockout import CALENDAR_COLUMNS
from .models import Plan, StockoutRisk

CAPABILITY = "optimization"
NOT_ARRIVED = 10**6  # an arrival day later than any cutoff: the delivery is still open
HISTORY_FOR_FEATURES = 56  # stockout days in the last 8 weeks is the longest look back of a feature


def latest_data_day() -> dt.date | None:
    """The last day of sales, which the ledger's issues follow."""
    return latest_sales_day()


def current_as_of() -> dt.date | None:
    last = latest_data_day()
    return as_of_after(last) if last else None


def products_q(*, user: User, prefix: str = "product__") -> Q:
    """The products whose stock the user may see, as a filter on a relation (``prefix``) or on Product itself."""
    if user.sees_everything:
        return Q()
    if user.is_vendor:
        return Q(**{f"{prefix}vendor_id": user.vendor_id})
    return Q(pk__in=[])


def may_see_stock(user: User) -> bool:
    return bool(user.sees_everything or user.is_vendor)


def pair_frame(*, pair_ids: Sequence[int] | None = None, vendor_id: int | None = None) -> pd.DataFrame:
    """Every stocked product x warehouse (the entities batch scoring and plans cover) with what a policy and a plan
    need of it: stock, lead time, costs, MOQ, and the product's price, pack, volume, shelf life and vendor, and the
    warehouse's region. Not scoped: the jobs that score every pair run for no user."""
    rows = stock_levels_active(pair_ids=pair_ids, vendor_id=vendor_id)
    fields = {
        "pair_id": "pk",
        "product_id": "product_id",
        "warehouse_id": "warehouse_id",
        "warehouse": "warehouse__code",
        "region": "warehouse__region",
        "vendor_id": "product__vendor_id",
        "on_hand": "on_hand",
        "on_order": "on_order",
        "lead_time_mean": "lead_time_mean_days",
        "lead_time_std": "lead_time_std_days",
        "holding_rate": "holding_cost_rate",
        "order_cost": "ordering_cost",
        "moq": "min_order_qty",
        "unit_price": "product__unit_price",
        "pack_size": "product__pack_size",
        "unit_volume": "product__unit_volume",
        "shelf_life_days": "product__shelf_life_days",
    }
    frame = pd.DataFrame.from_records(
        list(rows.order_by("pk").values_list(*fields.values())), columns=list(fields.keys())
    )
    for column in ("on_hand", "on_order", "lead_time_mean", "lead_time_std", "holding_rate", "order_cost", "moq",
                   "unit_price", "pack_size", "unit_volume", "shelf_life_days"):  # fmt: skip
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype(float)
    return frame


def warehouse_capacity() -> dict[str, float]:
    """Volume each active warehouse can receive in one order cycle: its capacity (a plan's constraints may say
    otherwise per warehouse). Not capacity less what it holds: the demo's stock already exceeds some warehouses'
    stated capacity, which would leave no room to order anything."""
    capacity = warehouses_active().values_list("code", "capacity_volume")
    return {code: float(total) for code, total in capacity}


def warehouse_codes() -> dict[str, str]:
    return dict(warehouses_active().order_by("name").values_list("code", "name"))


def ledger_frames(*, start: dt.date, end: dt.date, pairs: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The ledger between ``start`` and ``end`` and the deliveries known by ``end``, in the stockout model's long
    format (``optimization.ml.stockout``): ``pair`` is the row's position in ``pairs``, ``day`` days since
    ``start``; ``demand`` is what sold, ``lost`` 1 on a day the pair could not ship one pack (the inventory's own
    stockout rule)."""
    keys = list(zip(pairs["product_id"].astype(int), pairs["warehouse_id"].astype(int), strict=True))
    stock = stock_daily_frame(start=start, end=end, pairs=keys)
    days = (end - start).days + 1
    n = len(pairs)
    position = pd.Series(np.arange(n), index=pd.MultiIndex.from_tuples(keys, names=["product_id", "warehouse_id"]))
    row = position.reindex(pd.MultiIndex.from_frame(stock[["product_id", "warehouse_id"]])).to_numpy()
    day = (pd.to_datetime(stock["date"]) - pd.Timestamp(start)).dt.days.to_numpy()
    found = ~np.isnan(row)
    row, day = row[found].astype(int), day[found]

    def matrix(column: str) -> np.ndarray:
        out = np.zeros((n, days))
        out[row, day] = stock[column].to_numpy(float)[found]
        return out

    stocked = np.zeros((n, days), dtype=bool)
    stocked[row, day] = stock["stocked"].to_numpy(bool)[found]
    lost = out_of_stock(matrix("available"), pairs["pack_size"].fillna(1).to_numpy(float), stocked)
    daily = pd.DataFrame({"pair": np.repeat(np.arange(n), days), "day": np.tile(np.arange(days), n)})
    for name, values in {"demand": matrix("sold"), "lost": lost.astype(float), "on_hand": matrix("on_hand"),
                         "on_order": matrix("on_order")}.items():  # fmt: skip
        daily[name] = values.ravel()
    return daily, _deliveries(start=start, end=end, pairs=pairs, position=position)


def _deliveries(*, start: dt.date, end: dt.date, pairs: pd.DataFrame, position: pd.Series) -> pd.DataFrame:
    columns = ["pair", "vendor", "ordered_day", "promised_day", "arrival_day", "ordered_qty", "received_qty"]
    lines = delivery_frame(until=end, warehouse_ids=pairs["warehouse_id"].unique().tolist())
    if lines.empty:
        return pd.DataFrame(columns=columns)
    index = pd.MultiIndex.from_frame(lines[["product_id", "warehouse_id"]].astype(int))
    lines = lines.assign(pair=position.reindex(index).to_numpy()).dropna(subset=["pair"])

    def day(column: str) -> pd.Series:
        return (pd.to_datetime(lines[column]) - pd.Timestamp(start)).dt.days

    return pd.DataFrame(
        {
            "pair": lines["pair"].astype(int).to_numpy(),
            "vendor": lines["vendor_id"].astype(int).to_numpy(),
            "ordered_day": day("ordered_on").to_numpy(),
            "promised_day": day("promised_on").fillna(day("ordered_on")).to_numpy(),
            "arrival_day": day("arrived_on").fillna(NOT_ARRIVED).to_numpy(),
            "ordered_qty": lines["quantity_ordered"].astype(float).to_numpy(),
            "received_qty": lines["quantity_received"].astype(float).to_numpy(),
        }
    ).sort_values(["pair", "ordered_day"], ignore_index=True)[columns]


def calendar_frame(*, start: dt.date, end: dt.date, pairs: pd.DataFrame) -> pd.DataFrame:
    """Festivals, marketplace sales and promotions overlapping [start, end] in the stockout model's calendar
    (``optimization.ml.stockout.CALENDAR_COLUMNS``): days since ``start``, ``pair`` the row in ``pairs`` (-1 for an
    event everywhere); a regional event or promotion counts for the pairs whose warehouse is in that region."""
    columns = list(CALENDAR_COLUMNS)
    region = pairs["region"].fillna("").to_numpy() if "region" in pairs else np.full(len(pairs), "")
    rows = []
    events = calendar_event_frame(start=start, end=end, kinds=("festival", "sale"))
    for event in events.itertuples():
        first, last = (event.starts_on - start).days, (event.ends_on - start).days
        if not event.region:
            rows.append((-1, first, last, event.name, "festival"))
        else:
            rows += [(int(i), first, last, event.name, "festival") for i in np.flatnonzero(region == event.region)]
    promoted = promotion_product_frame(start=start, end=end, product_ids=pairs["product_id"].unique().tolist())
    if not promoted.empty:
        merged = (
            pairs[["product_id"]]
            .assign(pair=np.arange(len(pairs)), region=region)
            .merge(promoted, on="product_id", suffixes=("", "_promotion"))
        )
        merged = merged[(merged["region_promotion"] == "") | (merged["region_promotion"] == merged["region"])]
        rows += [(int(r.pair), (r.starts_on - start).days, (r.ends_on - start).days, r.name, "promotion")
                 for r in merged.itertuples()]  # fmt: skip
    return pd.DataFrame.from_records(rows, columns=columns)


def demand_per_pair(*, as_of: dt.date, pairs: pd.DataFrame, horizon_days: int = 28) -> pd.DataFrame:
    """The forecasting capability's distribution per pair (mean and spread of one day's demand), 0 where a pair had
    neither a forecast nor a recent sale. Columns: mean_per_day, std_per_day, aligned with ``pairs``."""
    found = demand_distribution(
        as_of=as_of, horizon_days=horizon_days, product_ids=pairs["product_id"].unique().tolist()
    )
    merged = pairs[["product_id", "warehouse"]].merge(found, on=["product_id", "warehouse"], how="left")
    return merged[["mean_per_day", "std_per_day"]].astype(float).fillna(0.0).reset_index(drop=True)


def stockout_days(*, start: dt.date, end: dt.date, pairs: pd.DataFrame) -> np.ndarray:
    """Pairs x days: True on a day the pair could not ship (for live accuracy's outcomes)."""
    daily, _ = ledger_frames(start=start, end=end, pairs=pairs)
    return daily["lost"].to_numpy().reshape(len(pairs), -1) > 0


# --- stored predictions and plans, scoped ------------------------------------------------------------------------


def risk_batch_serving() -> ServingBatch:
    return serving_batch(capability=CAPABILITY)


def risk_list_for_user(*, user: User, warehouse_id: int | None = None) -> QuerySet[StockoutRisk]:
    """The serving batch's risks the user may see, riskiest first."""
    batch = risk_batch_serving()
    if not batch.stored or not may_see_stock(user):
        return StockoutRisk.objects.none()
    rows = StockoutRisk.objects.filter(products_q(user=user), as_of=batch.as_of, model_version=batch.version)
    if warehouse_id is not None:
        rows = rows.filter(warehouse_id=warehouse_id)
    return rows.select_related("product", "warehouse").order_by("-priority", "product_id")


def plan_list_for_user(*, user: User) -> QuerySet[Plan]:
    """Analysts see every plan; a vendor the plans over its own products; others none."""
    plans = Plan.objects.select_related("vendor", "base", "created_by")
    if user.sees_everything:
        return plans
    if user.is_vendor:
        return plans.filter(vendor_id=user.vendor_id)
    return plans.none()


def product_names(product_ids: Sequence[int]) -> dict[int, str]:
    return dict(Product.objects.filter(pk__in=list(product_ids)).values_list("pk", "name"))

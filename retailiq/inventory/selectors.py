import datetime as dt
from collections.abc import Iterable

import numpy as np
import pandas as pd
from django.db.models import F, Min, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from retailiq.accounts.models import User
from retailiq.catalog.models import Product

from .models import MovementKind, PurchaseOrder, PurchaseOrderLine, StockLevel, StockMovement, Warehouse


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


def stock_levels_active(*, pair_ids: Iterable[int] | None = None, vendor_id: int | None = None) -> QuerySet[StockLevel]:
    """Stock records of active products at active warehouses, not scoped to a user: the jobs that score and plan
    every pair run for none, and a page passes only the ids or the vendor its user may see."""
    rows = StockLevel.objects.filter(product__is_active=True, warehouse__is_active=True)
    if pair_ids is not None:
        rows = rows.filter(pk__in=list(pair_ids))
    if vendor_id is not None:
        rows = rows.filter(product__vendor_id=vendor_id)
    return rows


def warehouses_active() -> QuerySet[Warehouse]:
    """Active warehouses, not scoped (a plan's receiving capacity and names)."""
    return Warehouse.objects.filter(is_active=True)


# --- the ledger -------------------------------------------------------------------------------------------------
# The reads below are not scoped to a user: the optimization capability's jobs call them for every pair, and a page
# that shows them passes only the ids its user may see (`stock_level_list_for_user`).


def stock_on_hand(*, product_id: int, warehouse_id: int, as_of: dt.date) -> int:
    """Units on hand at the end of `as_of`: the sum of the pair's movements up to that day."""
    total = StockMovement.objects.filter(product_id=product_id, warehouse_id=warehouse_id, moved_on__lte=as_of)
    return int(total.aggregate(total=Sum("quantity"))["total"] or 0)


def _movements(*, product_ids: Iterable[int] | None, warehouse_ids: Iterable[int] | None) -> QuerySet[StockMovement]:
    qs = StockMovement.objects.all()
    if product_ids is not None:
        qs = qs.filter(product_id__in=list(product_ids))
    if warehouse_ids is not None:
        qs = qs.filter(warehouse_id__in=list(warehouse_ids))
    return qs


def stock_daily_frame(
    *,
    start: dt.date,
    end: dt.date,
    pairs: Iterable[tuple[int, int]] | None = None,
    product_ids: Iterable[int] | None = None,
    warehouse_ids: Iterable[int] | None = None,
) -> pd.DataFrame:
    """Stock per product x warehouse and day from `start` to `end`, in the long format the ML code uses.

    One row per pair (every pair with a movement by `end`, narrowed by `pairs`, `product_ids`, `warehouse_ids`)
    and day: `received`, `sold` (units out, positive), `returned`, `adjusted`; `on_hand` at the start of the day
    after its receipts (the stockout model's convention), `available` (start plus every inflow of the day: what it
    could ship), `closing` at the end of the day; `on_order` at the start of the day (sent purchase orders not yet
    received or closed); `stocked` (on or after the pair's first movement) and the product's `pack_size`.
    """
    pairs = None if pairs is None else {(int(p), int(w)) for p, w in pairs}
    if pairs is not None:
        product_ids, warehouse_ids = {p for p, _ in pairs}, {w for _, w in pairs}
    qs = _movements(product_ids=product_ids, warehouse_ids=warehouse_ids).filter(moved_on__lte=end)
    before = pd.DataFrame(
        qs.filter(moved_on__lt=start)
        .values("product_id", "warehouse_id")
        .annotate(balance=Sum("quantity"), first=Min("moved_on"))
    )
    daily = pd.DataFrame(
        qs.filter(moved_on__gte=start)
        .values("product_id", "warehouse_id", "moved_on", "kind")
        .annotate(quantity=Sum("quantity"))
    )
    columns = ["product_id", "warehouse_id"]
    keys = pd.concat([f[columns] for f in (before, daily) if not f.empty], ignore_index=True)
    if keys.empty:
        return pd.DataFrame(columns=[*columns, "date", *FRAME_VALUES])
    keys = keys.drop_duplicates().sort_values(columns, ignore_index=True)
    if pairs is not None:
        keys = keys[[pair in pairs for pair in zip(keys["product_id"], keys["warehouse_id"], strict=True)]]
    index = pd.MultiIndex.from_frame(keys)
    days = (end - start).days + 1
    shape = (len(index), days)

    def matrix(frame: pd.DataFrame, day: pd.Series, values: pd.Series) -> np.ndarray:
        row = index.get_indexer(pd.MultiIndex.from_frame(frame[columns]))
        ok = row >= 0
        flat = row[ok] * days + day.to_numpy()[ok]
        return np.bincount(flat, weights=values.to_numpy(float)[ok], minlength=shape[0] * days).reshape(shape)

    by_kind = {}
    offset = pd.Series(dtype=int) if daily.empty else (pd.to_datetime(daily["moved_on"]) - pd.Timestamp(start)).dt.days
    for kind in MovementKind.values:
        chosen = daily[daily["kind"] == kind] if not daily.empty else daily
        by_kind[kind] = np.zeros(shape) if chosen.empty else matrix(chosen, offset[chosen.index], chosen["quantity"])
    opening = np.zeros(shape[0])
    first_day = np.full(shape[0], days)
    if not before.empty:
        row = index.get_indexer(pd.MultiIndex.from_frame(before[columns]))
        ok = row >= 0
        opening[row[ok]] = before["balance"].to_numpy(float)[ok]
        first_day[row[ok]] = 0
    if not daily.empty:
        row = index.get_indexer(pd.MultiIndex.from_frame(daily[columns]))
        ok = row >= 0
        np.minimum.at(first_day, row[ok], offset.to_numpy()[ok])
    net = sum(by_kind.values())
    closing = opening[:, None] + np.cumsum(net, axis=1)
    start_of_day = closing - net
    inflow = by_kind["receipt"] + by_kind["return"] + np.maximum(by_kind["adjustment"], 0)
    positive_adjustments = np.maximum(by_kind["adjustment"], 0)
    pack = dict(Product.objects.filter(pk__in=keys["product_id"].unique().tolist()).values_list("pk", "pack_size"))
    frame = pd.DataFrame(
        {
            "product_id": np.repeat(keys["product_id"].to_numpy(), days),
            "warehouse_id": np.repeat(keys["warehouse_id"].to_numpy(), days),
            "date": np.tile(pd.date_range(start, end, freq="D").date, shape[0]),
            "received": by_kind["receipt"].ravel(),
            "sold": -by_kind["sale"].ravel(),
            "returned": by_kind["return"].ravel(),
            "adjusted": by_kind["adjustment"].ravel(),
            "on_hand": (start_of_day + by_kind["receipt"] + positive_adjustments).ravel(),
            "available": (start_of_day + inflow).ravel(),
            "closing": closing.ravel(),
            "on_order": _on_order(index, start, days).ravel(),
            "stocked": (np.arange(days)[None, :] >= first_day[:, None]).ravel(),
        }
    )
    frame["pack_size"] = frame["product_id"].map(pack).fillna(1).astype(np.int64)
    return frame


FRAME_VALUES = (
    "received", "sold", "returned", "adjusted", "on_hand", "available", "closing", "on_order", "stocked", "pack_size"
)  # fmt: skip


def _on_order(index: pd.MultiIndex, start: dt.date, days: int) -> np.ndarray:
    """Units on order at the start of each day: a line counts from the day after it was sent until it is received,
    and its remainder until the order is closed."""
    result = np.zeros((len(index), days))
    if not len(index):
        return result
    product_ids = index.get_level_values(0).unique().tolist()
    warehouse_ids = index.get_level_values(1).unique().tolist()
    lines = pd.DataFrame(
        PurchaseOrderLine.objects.filter(
            product_id__in=product_ids,
            purchase_order__warehouse_id__in=warehouse_ids,
            purchase_order__ordered_on__isnull=False,
        ).values(
            "id",
            "product_id",
            "quantity_ordered",
            "quantity_received",
            warehouse_id=F("purchase_order__warehouse_id"),
            ordered_on=F("purchase_order__ordered_on"),
            closed_on=F("purchase_order__closed_on"),
        )
    )
    if lines.empty:
        return result
    receipts = pd.DataFrame(
        StockMovement.objects.filter(purchase_order_line_id__in=lines["id"].tolist()).values(
            "purchase_order_line_id", "moved_on", "quantity"
        )
    )
    row_of = pd.Series(index.get_indexer(pd.MultiIndex.from_frame(lines[["product_id", "warehouse_id"]])), lines["id"])
    events = [(lines["id"], pd.to_datetime(lines["ordered_on"]) + pd.Timedelta(days=1), lines["quantity_ordered"])]
    if not receipts.empty:
        events.append((receipts["purchase_order_line_id"], pd.to_datetime(receipts["moved_on"]), -receipts["quantity"]))
    closed = lines[lines["closed_on"].notna()]
    events.append(
        (closed["id"], pd.to_datetime(closed["closed_on"]), -(closed["quantity_ordered"] - closed["quantity_received"]))
    )
    delta = np.zeros((len(index), days + 1))
    for line_id, when, quantity in events:
        row = row_of.loc[line_id].to_numpy()
        day = ((when - pd.Timestamp(start)).dt.days.to_numpy()).clip(0, days)  # earlier: day 0; later: dropped
        ok = row >= 0
        np.add.at(delta, (row[ok], day[ok]), quantity.to_numpy(float)[ok])
    return np.cumsum(delta[:, :days], axis=1)


# --- purchase orders and suppliers ------------------------------------------------------------------------------


def delivery_frame(
    *,
    until: dt.date | None = None,
    vendor_ids: Iterable[int] | None = None,
    warehouse_ids: Iterable[int] | None = None,
) -> pd.DataFrame:
    """One row per sent purchase order line as known at the end of `until`: vendor, product, warehouse,
    `ordered_on`, `promised_on`, `arrived_on` (its first receipt, None if none yet), `quantity_ordered`,
    `quantity_received` by then, and `closed` (received or cancelled by then). The stockout model's deliveries."""
    qs = PurchaseOrderLine.objects.filter(purchase_order__ordered_on__isnull=False)
    if until is not None:
        qs = qs.filter(purchase_order__ordered_on__lte=until)
    if vendor_ids is not None:
        qs = qs.filter(purchase_order__vendor_id__in=list(vendor_ids))
    if warehouse_ids is not None:
        qs = qs.filter(purchase_order__warehouse_id__in=list(warehouse_ids))
    receipts = StockMovement.objects.filter(purchase_order_line=OuterRef("pk"))
    if until is not None:
        receipts = receipts.filter(moved_on__lte=until)
    received = receipts.values("purchase_order_line").annotate(total=Sum("quantity")).values("total")
    arrived = receipts.order_by("moved_on").values("moved_on")[:1]
    frame = pd.DataFrame(
        qs.values(
            "purchase_order_id",
            "product_id",
            "quantity_ordered",
            vendor_id=F("purchase_order__vendor_id"),
            warehouse_id=F("purchase_order__warehouse_id"),
            ordered_on=F("purchase_order__ordered_on"),
            promised_on=F("purchase_order__promised_on"),
            closed_on=F("purchase_order__closed_on"),
        ).annotate(arrived_on=Subquery(arrived), quantity_received=Coalesce(Subquery(received), 0))
    )
    if frame.empty:
        return pd.DataFrame(columns=[*DELIVERY_COLUMNS, "closed"])
    closed = frame["closed_on"].notna()
    if until is not None:
        closed &= frame["closed_on"].le(until)
    return frame[list(DELIVERY_COLUMNS)].assign(closed=closed.to_numpy())


DELIVERY_COLUMNS = (
    "purchase_order_id", "vendor_id", "product_id", "warehouse_id", "ordered_on", "promised_on", "arrived_on",
    "quantity_ordered", "quantity_received",
)  # fmt: skip


def _per_delivery(lines: pd.DataFrame) -> pd.DataFrame:
    """Lines -> one row per purchase order that has arrived: lateness and lead time in days from its first
    receipt, and its fill (closed orders only)."""
    arrived = lines[lines["arrived_on"].notna()]
    po = arrived.groupby("purchase_order_id").agg(
        vendor_id=("vendor_id", "first"),
        ordered_on=("ordered_on", "first"),
        promised_on=("promised_on", "first"),
        arrived_on=("arrived_on", "min"),
    )
    po["lateness"] = (pd.to_datetime(po["arrived_on"]) - pd.to_datetime(po["promised_on"])).dt.days
    po["lead_time"] = (pd.to_datetime(po["arrived_on"]) - pd.to_datetime(po["ordered_on"])).dt.days
    return po


def supplier_reliability(*, until: dt.date | None = None, vendor_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """Per vendor, from the receipts of its purchase orders up to `until`: `deliveries` (orders that arrived),
    lateness against the promised date (`lateness_mean_days`, `lateness_std_days`; early is negative),
    `on_time_share` (arrived on or before the promise), `fill_rate` (units received over units ordered, over
    closed orders), and `lead_time_mean_days`, `lead_time_std_days` (order to first receipt)."""
    lines = delivery_frame(until=until, vendor_ids=vendor_ids)
    columns = [
        "vendor_id", "deliveries", "lateness_mean_days", "lateness_std_days", "on_time_share", "fill_rate",
        "lead_time_mean_days", "lead_time_std_days",
    ]  # fmt: skip
    if lines.empty:
        return pd.DataFrame(columns=columns)
    po = _per_delivery(lines)
    by_vendor = po.groupby("vendor_id")
    result = pd.DataFrame(
        {
            "deliveries": by_vendor.size(),
            "lateness_mean_days": by_vendor["lateness"].mean(),
            "lateness_std_days": by_vendor["lateness"].std(ddof=0),
            "on_time_share": by_vendor["lateness"].apply(lambda late: (late <= 0).mean()),
            "lead_time_mean_days": by_vendor["lead_time"].mean(),
            "lead_time_std_days": by_vendor["lead_time"].std(ddof=0),
        }
    )
    closed = lines[lines["closed"]].groupby("vendor_id")[["quantity_received", "quantity_ordered"]].sum()
    result["fill_rate"] = closed["quantity_received"] / closed["quantity_ordered"]
    return result.reset_index()[columns]


def lead_time_by_pair(
    *, until: dt.date | None = None, warehouse_ids: Iterable[int] | None = None, min_deliveries: int = 2
) -> pd.DataFrame:
    """Per product x warehouse with at least `min_deliveries` arrived lines: `deliveries`, `lead_time_mean_days`,
    `lead_time_std_days` (order to first receipt of the line)."""
    lines = delivery_frame(until=until, warehouse_ids=warehouse_ids)
    columns = ["product_id", "warehouse_id", "deliveries", "lead_time_mean_days", "lead_time_std_days"]
    arrived = lines[lines["arrived_on"].notna()] if not lines.empty else lines
    if arrived.empty:
        return pd.DataFrame(columns=columns)
    took = (pd.to_datetime(arrived["arrived_on"]) - pd.to_datetime(arrived["ordered_on"])).dt.days
    stats = took.groupby([arrived["product_id"], arrived["warehouse_id"]]).agg(
        ["size", "mean", lambda t: t.std(ddof=0)]
    )
    stats.columns = ["deliveries", "lead_time_mean_days", "lead_time_std_days"]
    return stats[stats["deliveries"] >= min_deliveries].reset_index()[columns]


def stock_movement_list_for_user(*, user: User) -> QuerySet[StockMovement]:
    """The ledger is as commercial as the stock it moves: a vendor sees its own products' movements, analysts all,
    retailers and reps none."""
    qs = StockMovement.objects.select_related("product", "warehouse")
    if user.sees_everything:
        return qs
    if user.is_vendor:
        return qs.filter(product__vendor=user.vendor_id)
    return qs.none()


def purchase_order_list_for_user(*, user: User) -> QuerySet[PurchaseOrder]:
    """Analysts see every purchase order, a vendor the ones addressed to it, others none."""
    qs = PurchaseOrder.objects.select_related("vendor", "warehouse").prefetch_related("lines__product")
    if user.sees_everything:
        return qs
    if user.is_vendor:
        return qs.filter(vendor=user.vendor_id)
    return qs.none()

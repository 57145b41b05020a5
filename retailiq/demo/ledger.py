"""The demo's inventory ledger, and what follows from it: stock on every day, stockout periods and today's stock.

Rows: opening stock (an adjustment on the day a product launches, or the first day), receipts of purchase order
lines (two for a line its vendor delivered in two parts), the day's sales issues per product x warehouse (one row per product, warehouse and day: the day's dispatch,
so the ledger stays a fraction of the order lines' size), and returns as they come back. Stockout periods are read
off the ledger's stock with the same rule as `retailiq.inventory.stockouts`, never drawn.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from retailiq.inventory.stockouts import out_of_stock, stockout_runs

from .catalog import Catalog
from .replenishment import Replenishment


@dataclass
class Inventory:
    movements: pd.DataFrame  # id, product_id, warehouse_id, moved_on, quantity, kind, reference, purchase_order_line_id
    purchase_orders: pd.DataFrame
    purchase_order_lines: pd.DataFrame
    stockouts: pd.DataFrame  # product_id, warehouse_id, started_on, ended_on (None while still out)
    position: pd.DataFrame  # per pair today: product_id, warehouse_id, on_hand, on_order, lead time, moq
    daily_on_hand: np.ndarray  # pairs x days, closing stock (pair order of `position`)
    unreliable_vendor_ids: np.ndarray


def build_inventory(
    replenishment: Replenishment,
    orders: pd.DataFrame,
    lines: pd.DataFrame,
    catalog: Catalog,
    dates: pd.DatetimeIndex,
) -> Inventory:
    pairs = replenishment.pairs
    n_warehouses, n_pairs, days = len(catalog.warehouses), len(pairs), len(dates)
    date_of = np.asarray(dates.date, dtype=object)
    product_row = pd.Index(catalog.products["id"])
    warehouse_row = pd.Index(catalog.warehouses["id"])

    opened = pairs[pairs["carried"]]
    openings = pd.DataFrame(
        {
            "pair": opened.index.to_numpy(),
            "day": opened["open_day"].to_numpy(),
            "quantity": opened["opening"].to_numpy(),
            "kind": "adjustment",
            "reference": "opening stock",
        }
    )
    po_lines = replenishment.purchase_order_lines
    numbers = replenishment.purchase_orders.set_index("id")["number"]
    parts = [
        po_lines[["pair", "id", "purchase_order_id"]].assign(day=po_lines[day], quantity=po_lines[quantity])
        for day, quantity in (("arrival_day", "first_quantity"), ("rest_day", "rest_quantity"))
    ]
    received = pd.concat(parts, ignore_index=True)
    received = received[(received["quantity"] > 0) & (received["day"] < days)]
    receipts = pd.DataFrame(
        {
            "pair": received["pair"].to_numpy(),
            "day": received["day"].to_numpy(),
            "quantity": received["quantity"].to_numpy(),
            "kind": "receipt",
            "reference": numbers.loc[received["purchase_order_id"]].to_numpy(),
            "purchase_order_line_id": received["id"].to_numpy(),
        }
    )

    order = orders.set_index("id").loc[lines["order_id"]]
    moved = lines.assign(
        pair=product_row.get_indexer(lines["product_id"]) * n_warehouses
        + warehouse_row.get_indexer(order["warehouse_id"]),
        day=(pd.to_datetime(lines["placed_on"]) - dates[0]).dt.days.to_numpy(),
        kind=order["kind"].to_numpy(),
        status=order["status"].to_numpy(),
        external_id=order["external_id"].to_numpy(),
    )
    sold = moved[(moved["kind"] == "sale") & (moved["status"] != "cancelled")]
    sales = sold.groupby(["day", "pair"], as_index=False)["quantity"].sum()
    sales = sales.assign(quantity=-sales["quantity"], kind="sale")
    sales["reference"] = "dispatch " + pd.Series(date_of[sales["day"]]).astype(str)
    returned = moved[moved["kind"] == "return"]
    returns = pd.DataFrame(
        {
            "pair": returned["pair"].to_numpy(),
            "day": returned["day"].to_numpy(),
            "quantity": returned["quantity"].to_numpy(),
            "kind": "return",
            "reference": returned["external_id"].to_numpy(),
        }
    )

    ledger = pd.concat([openings, receipts, sales, returns], ignore_index=True)
    ledger = ledger.sort_values(["day", "pair"], kind="stable", ignore_index=True)
    flat = ledger["pair"].to_numpy() * days + ledger["day"].to_numpy()
    quantity = ledger["quantity"].to_numpy()
    inflow = np.bincount(flat, weights=np.maximum(quantity, 0), minlength=n_pairs * days).reshape(n_pairs, days)
    net = np.bincount(flat, weights=quantity, minlength=n_pairs * days).reshape(n_pairs, days)
    closing = np.cumsum(net, axis=1)
    available = np.concatenate([np.zeros((n_pairs, 1)), closing[:, :-1]], axis=1) + inflow
    stocked = pairs["carried"].to_numpy()[:, None] & (np.arange(days)[None, :] >= pairs["open_day"].to_numpy()[:, None])
    out = out_of_stock(available, pairs["pack_size"].to_numpy(), stocked)
    row, first, last = stockout_runs(out)
    stockouts = pd.DataFrame(
        {
            "product_id": pairs["product_id"].to_numpy()[row],
            "warehouse_id": pairs["warehouse_id"].to_numpy()[row],
            "started_on": date_of[first],
            "ended_on": pd.Series(date_of[last], dtype=object).where(last < days - 1, None).to_numpy(),
        }
    )

    movements = pd.DataFrame(
        {
            "id": np.arange(1, len(ledger) + 1),
            "product_id": pairs["product_id"].to_numpy()[ledger["pair"]],
            "warehouse_id": pairs["warehouse_id"].to_numpy()[ledger["pair"]],
            "moved_on": date_of[ledger["day"]],
            "quantity": quantity.astype(np.int64),
            "kind": ledger["kind"].to_numpy(),
            "reference": ledger["reference"].to_numpy(),
            "purchase_order_line_id": ledger["purchase_order_line_id"].astype("Int64"),
        }
    )
    position = _position(replenishment, closing[:, -1], catalog)
    return Inventory(
        movements,
        replenishment.purchase_orders,
        po_lines.drop(columns=["pair", "arrival_day", "first_quantity", "rest_day", "rest_quantity"]),
        stockouts,
        position,
        closing,
        replenishment.unreliable_vendor_ids,
    )


def _position(replenishment: Replenishment, on_hand: np.ndarray, catalog: Catalog) -> pd.DataFrame:
    """Today's stock per pair, what is on order, and the lead time its deliveries took (the vendor's promise where
    a pair has fewer than two)."""
    pairs, po_lines, pos = replenishment.pairs, replenishment.purchase_order_lines, replenishment.purchase_orders
    po = pos.set_index("id").loc[po_lines["purchase_order_id"]]
    is_open = po["status"].isin(["sent", "partly_received"]).to_numpy()
    remainder = (po_lines["quantity_ordered"] - po_lines["quantity_received"]).to_numpy()
    on_order = np.bincount(
        po_lines["pair"].to_numpy()[is_open],
        weights=remainder[is_open],
        minlength=len(pairs),
    )
    done = (po["status"] == "received").to_numpy()
    took = (pd.to_datetime(po["first_received_on"]) - pd.to_datetime(po["ordered_on"])).dt.days.to_numpy()
    lead = pd.Series(took[done]).groupby(po_lines["pair"].to_numpy()[done]).agg(["mean", "std", "size"])
    lead = lead.reindex(range(len(pairs)))
    promised = catalog.vendors.set_index("id")["lead_time_days"].round().clip(lower=2).loc[pairs["vendor_id"]]
    enough = (lead["size"] >= 2).to_numpy()
    mean = np.where(enough, lead["mean"], promised.to_numpy())
    std = np.where(enough, lead["std"].fillna(0), 0.2 * promised.to_numpy())
    return pd.DataFrame(
        {
            "product_id": pairs["product_id"].to_numpy(),
            "warehouse_id": pairs["warehouse_id"].to_numpy(),
            "on_hand": on_hand.astype(np.int64),
            "on_order": on_order.astype(np.int64),
            "lead_time_mean_days": np.maximum(mean, 1).round(1),
            "lead_time_std_days": std.round(1),
            "min_order_qty": pairs["moq"].to_numpy(),
        }
    )

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

PAIR_BLOCK = 2_000  # pairs whose daily stock is worked out at a time


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
    n_warehouses, days = len(catalog.warehouses), len(dates)
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

    # Per line, its order's columns by position: a frame of every line joined to its order would be the largest
    # thing the generator holds on a big marketplace.
    order_row = pd.Index(orders["id"]).get_indexer(lines["order_id"])
    kind = orders["kind"].to_numpy()[order_row]
    moved = pd.DataFrame(
        {
            "pair": product_row.get_indexer(lines["product_id"]) * n_warehouses
            + warehouse_row.get_indexer(orders["warehouse_id"].to_numpy()[order_row]),
            "day": (pd.to_datetime(lines["placed_on"]) - dates[0]).dt.days.to_numpy(),
            "quantity": lines["quantity"].to_numpy(),
        }
    )
    sold = moved[(kind == "sale") & (orders["status"].to_numpy()[order_row] != "cancelled")]
    sales = sold.groupby(["day", "pair"], as_index=False)["quantity"].sum()
    sales = sales.assign(quantity=-sales["quantity"], kind="sale")
    sales["reference"] = "dispatch " + pd.Series(date_of[sales["day"]]).astype(str)
    is_return = kind == "return"
    returned = moved[is_return]
    returns = pd.DataFrame(
        {
            "pair": returned["pair"].to_numpy(),
            "day": returned["day"].to_numpy(),
            "quantity": returned["quantity"].to_numpy(),
            "kind": "return",
            "reference": orders["external_id"].to_numpy()[order_row[is_return]],
        }
    )

    ledger = pd.concat([openings, receipts, sales, returns], ignore_index=True)
    ledger = ledger.sort_values(["day", "pair"], kind="stable", ignore_index=True)
    quantity = ledger["quantity"].to_numpy()
    closing, (row, first, last) = _daily_stock(
        ledger["pair"].to_numpy(), ledger["day"].to_numpy(), quantity, pairs, days
    )
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


def _daily_stock(
    pair: np.ndarray, day: np.ndarray, quantity: np.ndarray, pairs: pd.DataFrame, days: int
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Closing stock per pair and day, and the stockout runs (row-major), from the ledger's rows. Worked out
    PAIR_BLOCK pairs at a time: the inflow, net and available matrices of a big marketplace's every pair and day
    would each take as much memory as the closing stock it keeps. Quantities are whole units, so the sums do not
    depend on the order they are added in."""
    n_pairs = len(pairs)
    pack, carried, open_day = (pairs[c].to_numpy() for c in ("pack_size", "carried", "open_day"))
    by_pair = np.argsort(pair, kind="stable")
    bounds = np.searchsorted(pair[by_pair], np.arange(0, n_pairs + PAIR_BLOCK, PAIR_BLOCK).clip(max=n_pairs))
    closing = np.empty((n_pairs, days))
    runs: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for block, low in enumerate(range(0, n_pairs, PAIR_BLOCK)):
        high = min(low + PAIR_BLOCK, n_pairs)
        rows = by_pair[bounds[block] : bounds[block + 1]]
        flat = (pair[rows] - low) * days + day[rows]
        cells = (high - low) * days
        inflow = np.bincount(flat, weights=np.maximum(quantity[rows], 0), minlength=cells).reshape(-1, days)
        net = np.bincount(flat, weights=quantity[rows], minlength=cells).reshape(-1, days)
        np.cumsum(net, axis=1, out=closing[low:high])
        available = np.concatenate([np.zeros((high - low, 1)), closing[low:high, :-1]], axis=1) + inflow
        stocked = carried[low:high, None] & (np.arange(days)[None, :] >= open_day[low:high, None])
        row, first, last = stockout_runs(out_of_stock(available, pack[low:high], stocked))
        runs.append((row + low, first, last))
    return closing, tuple(np.concatenate(part) for part in zip(*runs, strict=True))


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

"""The demo generator's ledger in the stockout model's long format, with no database: what
`optimization.selectors.ledger_frames` reads after `manage.py generate_demo_data` loads the same marketplace.

- daily: pair, day, demand (units sold), lost (1 on a day the pair could not ship one pack, the inventory's rule),
  on_hand (start of the day after its receipts), on_order (sent purchase orders not yet received);
- deliveries: pair, vendor, ordered_day, promised_day, arrival_day (10**6 while open), ordered_qty, received_qty;
- calendar: festivals and marketplace sales for every pair (pair -1), each product's promotions per pair;
- price: the product's list price per pair.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from retailiq.demo.generator import DemoMarketplace
from retailiq.inventory.stockouts import out_of_stock

NOT_ARRIVED = 10**6


@dataclass
class DemoLedger:
    daily: pd.DataFrame
    deliveries: pd.DataFrame
    calendar: pd.DataFrame
    price: np.ndarray


def demo_ledger(market: DemoMarketplace) -> DemoLedger:
    inventory, catalog = market.history.inventory, market.catalog
    pairs = inventory.position[["product_id", "warehouse_id"]].reset_index(drop=True)
    n, days = len(pairs), (market.end - market.start).days + 1
    start = pd.Timestamp(market.start)
    row_of = pd.Series(np.arange(n), index=pd.MultiIndex.from_frame(pairs))

    def day_of(values) -> np.ndarray:
        return (pd.to_datetime(pd.Series(values)) - start).dt.days.to_numpy()

    moves = inventory.movements
    row = row_of.reindex(pd.MultiIndex.from_frame(moves[["product_id", "warehouse_id"]])).to_numpy()
    flat = row.astype(np.int64) * days + day_of(moves["moved_on"])
    by_kind = {}
    for kind in ("receipt", "sale", "return", "adjustment"):
        chosen = (moves["kind"] == kind).to_numpy()
        by_kind[kind] = np.bincount(
            flat[chosen], weights=moves["quantity"].to_numpy(float)[chosen], minlength=n * days
        ).reshape(n, days)
    net = sum(by_kind.values())
    closing = np.cumsum(net, axis=1)
    start_of_day = closing - net
    positive_adjustments = np.maximum(by_kind["adjustment"], 0)
    available = start_of_day + by_kind["receipt"] + by_kind["return"] + positive_adjustments
    first_move = np.full(n, days)
    np.minimum.at(first_move, row.astype(np.int64), day_of(moves["moved_on"]))
    stocked = np.arange(days)[None, :] >= first_move[:, None]
    pack = catalog.products.set_index("id")["pack_size"].loc[pairs["product_id"]].to_numpy(float)

    orders = inventory.purchase_orders.set_index("id")
    lines = inventory.purchase_order_lines.join(orders, on="purchase_order_id")
    line_row = row_of.reindex(pd.MultiIndex.from_frame(lines[["product_id", "warehouse_id"]])).to_numpy(np.int64)
    ordered, promised = day_of(lines["ordered_on"]), day_of(lines["promised_on"])
    arrived = lines["first_received_on"].notna().to_numpy()
    arrival = np.where(arrived, day_of(lines["first_received_on"].fillna(market.end)), NOT_ARRIVED)
    closed = np.where(lines["closed_on"].notna(), day_of(lines["closed_on"].fillna(market.end)), days)
    # On order from the day after it was sent until its receipt (demo orders arrive in one delivery) or closing.
    delta = np.zeros((n, days + 1))
    np.add.at(delta, (line_row, np.clip(ordered + 1, 0, days)), lines["quantity_ordered"].to_numpy(float))
    np.add.at(
        delta, (line_row, np.clip(np.minimum(arrival, closed), 0, days)), -lines["quantity_ordered"].to_numpy(float)
    )
    on_order = np.cumsum(delta[:, :days], axis=1)

    daily = pd.DataFrame({"pair": np.repeat(np.arange(n), days), "day": np.tile(np.arange(days), n)})
    for name, values in {
        "demand": -by_kind["sale"],
        "lost": out_of_stock(available, pack, stocked).astype(float),
        "on_hand": start_of_day + by_kind["receipt"] + positive_adjustments,
        "on_order": on_order,
    }.items():
        daily[name] = values.ravel()
    deliveries = pd.DataFrame(
        {
            "pair": line_row,
            "vendor": lines["vendor_id"].to_numpy(int),
            "ordered_day": ordered,
            "promised_day": promised,
            "arrival_day": arrival,
            "ordered_qty": lines["quantity_ordered"].to_numpy(float),
            "received_qty": lines["quantity_received"].to_numpy(float),
        }
    ).sort_values(["pair", "ordered_day"], ignore_index=True)
    price = catalog.products.set_index("id")["unit_price"].loc[pairs["product_id"]].to_numpy(float)
    return DemoLedger(daily, deliveries, _calendar(market, pairs, day_of), price)


def _calendar(market: DemoMarketplace, pairs: pd.DataFrame, day_of) -> pd.DataFrame:
    events = market.events[market.events["kind"].isin(["festival", "sale"])]
    festivals = pd.DataFrame(
        {
            "pair": -1,
            "first_day": day_of(events["starts_on"]),
            "last_day": day_of(events["ends_on"]),
            "name": events["name"].to_numpy(),
            "kind": "festival",
        }
    )
    promoted = market.history.promotion_products.merge(
        market.history.promotions[["id", "name", "starts_on", "ends_on"]], left_on="promotion_id", right_on="id"
    )
    pair_rows = pairs.reset_index(names="pair").merge(promoted, on="product_id")
    promotions = pd.DataFrame(
        {
            "pair": pair_rows["pair"].to_numpy(),
            "first_day": day_of(pair_rows["starts_on"]),
            "last_day": day_of(pair_rows["ends_on"]),
            "name": pair_rows["name"].to_numpy(),
            "kind": "promotion",
        }
    )
    return pd.concat([festivals, promotions], ignore_index=True)

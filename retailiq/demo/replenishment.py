"""Stock for the demo marketplace: each product x warehouse replenished by an (s, S) policy from its vendor, with
stochastic lead times and a few unreliable vendors (late, short deliveries), day by day against the retailers' order
lines. A line is shipped when the stock left that day covers it and refused otherwise, so stockouts happen for
reasons: a late, short or split delivery (an unreliable vendor sometimes sends part of an order and the rest a few
days later), a demand spike (festivals, promotions) the trailing mean did not see coming, a
large order on an intermittent item.

The same idea as `optimization.ml.ledger.simulate_ledger`, at the grain of order lines and purchase orders, so the
ledger, the purchase orders and the stockout periods the loader writes agree with the orders it writes.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .catalog import Catalog

LEVEL_WINDOW = 56  # days of trailing demand the planner's mean looks at
COVER_DAYS = 21  # an order brings the position up to this many days of demand past the reorder point
SAFETY = 0.5  # the reorder point covers the promised lead time's demand plus this share, plus one typical line
UNRELIABLE_SHARE = 0.25  # vendors that are often late and short
SPLIT_SHARE = 0.3  # an unreliable vendor's orders that come in two receipts, the rest a few days after the first
CRUNCH_DAYS = 35  # the last days of the history, in which the unreliable vendors deliver even later
CRUNCH_DELAY = 28  # days added to their purchase orders' lateness then
UNIT_COST_SHARE = 0.72  # what the marketplace pays a vendor, as a share of its list price


@dataclass
class Replenishment:
    shipped_or_cancelled: np.ndarray  # per order line: False when refused for want of stock
    purchase_orders: pd.DataFrame
    # with `pair`, and for the ledger `arrival_day`, `first_quantity` (the first receipt), `rest_day`, `rest_quantity`
    # (the second receipt of a split line; 0 units otherwise)
    purchase_order_lines: pd.DataFrame
    pairs: pd.DataFrame  # product_id, warehouse_id, pack_size, open_day, opening, moq (a row per pair, pair order)
    unreliable_vendor_ids: np.ndarray


def _pair_frame(catalog: Catalog, dates: pd.DatetimeIndex) -> pd.DataFrame:
    products, warehouses = catalog.products, catalog.warehouses
    launch = (pd.to_datetime(products["launched_on"]) - dates[0]).dt.days.clip(lower=0).to_numpy()
    n_warehouses = len(warehouses)
    return pd.DataFrame(
        {
            "product_id": np.repeat(products["id"].to_numpy(), n_warehouses),
            "warehouse_id": np.tile(warehouses["id"].to_numpy(), len(products)),
            "vendor_id": np.repeat(products["vendor_id"].to_numpy(), n_warehouses),
            "pack_size": np.repeat(products["pack_size"].to_numpy(), n_warehouses),
            "unit_cost": np.repeat((products["unit_price"].to_numpy() * UNIT_COST_SHARE).round(2), n_warehouses),
            "open_day": np.repeat(launch, n_warehouses),
        }
    )


def simulate_replenishment(
    lines: pd.DataFrame,
    cancelled: np.ndarray,
    catalog: Catalog,
    dates: pd.DatetimeIndex,
    rng: np.random.Generator,
) -> Replenishment:
    """`lines`: day, retailer_row, product_row, quantity. Lines of orders the retailer cancels (`cancelled`) are
    never shipped and take no stock, but are refused like the others when the stock is not there."""
    days = len(dates)
    pairs = _pair_frame(catalog, dates)
    n_warehouses, n_pairs = len(catalog.warehouses), len(pairs)
    warehouse_row = pd.Index(catalog.warehouses["id"]).get_indexer(catalog.retailers["warehouse_id"])
    pair = lines["product_row"].to_numpy() * n_warehouses + warehouse_row[lines["retailer_row"].to_numpy()]
    day = lines["day"].to_numpy()
    quantity = lines["quantity"].to_numpy()
    order = np.lexsort((lines["retailer_row"].to_numpy(), pair, day))
    pr, dy, qty, cancel = pair[order], day[order], quantity[order], cancelled[order]
    # Units asked for by this line and the ones before it on the same pair and day.
    group_start = np.r_[True, (dy[1:] != dy[:-1]) | (pr[1:] != pr[:-1])]
    running = np.cumsum(qty)
    before_group = (running - qty)[group_start][np.cumsum(group_start) - 1]
    asked = running - before_group
    day_bounds = np.searchsorted(dy, np.arange(days + 1))

    demand = np.bincount(pr * days + dy, weights=qty, minlength=n_pairs * days).reshape(n_pairs, days)
    cumulative = np.zeros((n_pairs, days + 1))
    np.cumsum(demand, axis=1, out=cumulative[:, 1:])
    carried = demand.sum(axis=1) > 0
    line_count = np.bincount(pr, minlength=n_pairs)
    typical_line = np.bincount(pr, weights=qty, minlength=n_pairs) / np.maximum(line_count, 1)
    pack = pairs["pack_size"].to_numpy()
    open_day = pairs["open_day"].to_numpy()

    vendor_ids = catalog.vendors["id"].to_numpy()
    unreliable_vendor_ids = np.sort(
        rng.choice(vendor_ids, size=max(1, round(UNRELIABLE_SHARE * len(vendor_ids))), replace=False)
    )
    vendor_row = pd.Index(vendor_ids).get_indexer(pairs["vendor_id"])
    vendor_unreliable = np.isin(vendor_ids, unreliable_vendor_ids)
    promised_lead = np.maximum(2, np.round(catalog.vendors["lead_time_days"].to_numpy())).astype(np.int64)
    lead = promised_lead[vendor_row]
    moq = pack * rng.integers(1, 4, n_pairs)

    def policy(level: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        reorder_point = level * lead * (1 + SAFETY) + typical_line
        return reorder_point, reorder_point + level * COVER_DAYS + pack

    # Opening stock: somewhere between the reorder point and the order-up-to level, from the planner's launch
    # estimate (the pair's first weeks of demand), so pairs do not all reorder on the same day.
    first = np.clip(open_day + LEVEL_WINDOW, 1, days)
    launch_level = (cumulative[np.arange(n_pairs), first] - cumulative[np.arange(n_pairs), open_day]) / (
        first - open_day
    ).clip(min=1)
    low, high = policy(launch_level)
    opening = np.where(carried, np.ceil((low + rng.uniform(0.3, 1.0, n_pairs) * (high - low)) / pack) * pack, 0)

    on_hand = np.zeros(n_pairs)
    arriving = np.zeros(n_pairs)
    arrival_day = np.full(n_pairs, -1)
    arriving_rest = np.zeros(n_pairs)  # the second part of a split delivery
    rest_day = np.full(n_pairs, -1)
    kept = np.zeros(len(pr), dtype=bool)
    po_rows: list[np.ndarray] = []
    po_line_rows: list[np.ndarray] = []
    n_po = n_po_lines = 0
    for d in range(days):
        on_hand += np.where(open_day == d, opening, 0.0)
        arrives = arrival_day == d
        on_hand += np.where(arrives, arriving, 0.0)
        arrival_day[arrives], arriving[arrives] = -1, 0.0
        rest_arrives = rest_day == d
        on_hand += np.where(rest_arrives, arriving_rest, 0.0)
        rest_day[rest_arrives], arriving_rest[rest_arrives] = -1, 0.0

        a, b = day_bounds[d], day_bounds[d + 1]
        fits = asked[a:b] <= on_hand[pr[a:b]]
        kept[a:b] = fits
        ships = fits & ~cancel[a:b]
        on_hand -= np.bincount(pr[a:b][ships], weights=qty[a:b][ships], minlength=n_pairs)

        window_start = np.maximum(open_day, d + 1 - LEVEL_WINDOW).clip(max=d)
        level = (cumulative[:, d + 1] - cumulative[np.arange(n_pairs), window_start]) / (d + 1 - window_start)
        reorder_point, order_up_to = policy(level)
        position = on_hand + arriving + arriving_rest
        outstanding = (arrival_day >= 0) | (rest_day >= 0)
        reorder = np.flatnonzero(carried & (open_day <= d) & ~outstanding & (position < reorder_point))
        if not len(reorder):
            continue
        shortfall = np.ceil((order_up_to[reorder] - position[reorder]) / pack[reorder]) * pack[reorder]
        ordered = np.maximum(moq[reorder], shortfall)
        # One purchase order per vendor and warehouse on the day: it arrives (late or not) as one delivery, or for
        # an unreliable vendor sometimes in two: part of its lines on the first day, the rest a few days later.
        po_key = vendor_row[reorder] * n_warehouses + reorder % n_warehouses
        keys, po_of_line = np.unique(po_key, return_inverse=True)
        late_vendor = vendor_unreliable[keys // n_warehouses]
        k = len(keys)
        late = np.where(
            late_vendor,
            np.where(rng.random(k) < 0.7, rng.poisson(5, k), 0),
            np.where(rng.random(k) < 0.15, rng.integers(1, 3, k), 0) - (rng.random(k) < 0.05),
        )
        promised = d + promised_lead[keys // n_warehouses]
        arrives_on = np.maximum(promised + late, d + 1)
        m = len(reorder)
        short_line = late_vendor[po_of_line]
        fill = np.where(
            short_line,
            np.where(rng.random(m) < 0.5, rng.uniform(0.4, 0.95, m), 1.0),
            np.where(rng.random(m) < 0.04, rng.uniform(0.7, 1.0, m), 1.0),
        )
        received = np.floor(ordered * fill / pack[reorder]) * pack[reorder]
        splits = late_vendor & (rng.random(k) < SPLIT_SHARE)
        # Lately the unreliable vendors are worse: what they were sent in the last weeks in one delivery is weeks
        # late, so the demo ends with some products out and waiting, as a marketplace usually does.
        arrives_on = arrives_on + np.where(late_vendor & ~splits & (d >= days - CRUNCH_DAYS), CRUNCH_DELAY, 0)
        gap = rng.integers(2, 6, k)
        split_line = splits[po_of_line] & (received >= 2 * pack[reorder])
        first_part = np.floor(received * rng.uniform(0.3, 0.7, m) / pack[reorder]) * pack[reorder]
        first_part = np.where(split_line, np.clip(first_part, pack[reorder], received - pack[reorder]), received)
        rest_part = received - first_part
        split_po = np.bincount(po_of_line, weights=split_line, minlength=k) > 0
        last_on = np.where(split_po, arrives_on + gap, arrives_on)
        po_rows.append(np.column_stack([n_po + np.arange(k), keys, np.full(k, d), promised, arrives_on, last_on]))
        line_day = np.where(split_line, last_on[po_of_line], arrives_on[po_of_line])
        po_line_rows.append(
            np.column_stack(
                [n_po_lines + np.arange(m), n_po + po_of_line, reorder, ordered, first_part, line_day, rest_part]
            )
        )
        arrival_day[reorder], arriving[reorder] = arrives_on[po_of_line], first_part
        rest_day[reorder] = np.where(split_line, last_on[po_of_line], -1)
        arriving_rest[reorder] = rest_part
        n_po, n_po_lines = n_po + k, n_po_lines + m

    shipped_or_cancelled = np.empty(len(kept), dtype=bool)
    shipped_or_cancelled[order] = kept
    purchase_orders, purchase_order_lines = _purchase_order_frames(
        np.concatenate(po_rows), np.concatenate(po_line_rows), pairs, vendor_ids, catalog, dates
    )
    pairs = pairs.assign(opening=opening.astype(np.int64), moq=moq, carried=carried)
    return Replenishment(shipped_or_cancelled, purchase_orders, purchase_order_lines, pairs, unreliable_vendor_ids)


def _purchase_order_frames(
    po_rows: np.ndarray,
    line_rows: np.ndarray,
    pairs: pd.DataFrame,
    vendor_ids: np.ndarray,
    catalog: Catalog,
    dates: pd.DatetimeIndex,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    last_day = len(dates) - 1
    n_warehouses = len(catalog.warehouses)
    index, key, ordered_day, promised_day, arrival_day, last_arrival_day = po_rows.T.astype(np.int64)
    line_id, po_row, pair, ordered, first_quantity, rest_day, rest_quantity = line_rows.T.astype(np.int64)
    lines = pd.DataFrame(
        {
            "id": line_id + 1,
            "purchase_order_id": po_row + 1,
            "pair": pair,
            "quantity_ordered": ordered,
            "product_id": pairs["product_id"].to_numpy()[pair],
            "unit_cost": pairs["unit_cost"].to_numpy()[pair],
            "arrival_day": arrival_day[po_row],
            "first_quantity": first_quantity,
            "rest_day": rest_day,
            "rest_quantity": rest_quantity,
        }
    )
    lines["quantity_received"] = np.where(arrival_day[po_row] <= last_day, first_quantity, 0) + np.where(
        rest_day <= last_day, rest_quantity, 0
    )
    got_any = lines.groupby("purchase_order_id")["quantity_received"].sum().reindex(index + 1).to_numpy() > 0

    # Closed on its last receipt; between a split order's two receipts it is partly received.
    closed = last_arrival_day <= last_day
    partly = ~closed & (arrival_day <= last_day)
    status = np.where(closed, np.where(got_any, "received", "cancelled"), np.where(partly, "partly_received", "sent"))
    date_of = np.asarray(dates.date, dtype=object)
    orders = pd.DataFrame(
        {
            "id": index + 1,
            "number": [f"PO{i:08d}" for i in index + 1],
            "vendor_id": vendor_ids[key // n_warehouses],
            "warehouse_id": catalog.warehouses["id"].to_numpy()[key % n_warehouses],
            "status": status,
            "ordered_on": date_of[ordered_day],
            "promised_on": pd.Series(pd.to_datetime(dates[0]) + pd.to_timedelta(promised_day, unit="D")).dt.date,
            "first_received_on": pd.Series(date_of[np.minimum(arrival_day, last_day)]).where(
                (closed & got_any) | partly
            ),
            "closed_on": pd.Series(date_of[np.minimum(last_arrival_day, last_day)]).where(closed),
        }
    )
    return orders, lines

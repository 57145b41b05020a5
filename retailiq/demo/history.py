"""Order history for the demo marketplace, fully vectorized.

Each retailer buys a basket of products, each on its own reorder cycle (a renewal
process). Time runs faster or slower with each product's demand: weekly rhythm,
yearly season, trend, festivals, promotions and price changes, applied by warping
each cycle through the product's cumulative intensity. Order sizes move with the
same drivers. Bundled products are often bought together, long-tail items are
intermittent. Each warehouse ships what its stock allows (see `replenishment`): lines it cannot fill are refused,
and the ledger, purchase orders and stockout periods follow from that (see `ledger`).
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .calendar import event_multiplier
from .catalog import DEPARTMENT_PROFILE, SEGMENT_AFFINITY, SEGMENT_BASKET, Catalog
from .ledger import Inventory, build_inventory
from .replenishment import simulate_replenishment
from .rhythm import adopted_products, adoption_days, build_rhythms, snap_to_order_days
from .sizes import DemoSize

WEEKDAY_PROFILE = np.array([1.15, 1.05, 1.0, 1.0, 1.1, 1.2, 0.45])  # Monday .. Sunday
FREQUENCY_SHARE = 0.6  # how much of a demand swing shows as more orders rather than bigger ones
CANCELLED_SHARE = 0.02  # of orders, cancelled by the retailer before anything ships
NEEDS_PAST_END = 35  # days of needs drawn past the end: more than the longest ordering rhythm
RETURNED_SHARE = 0.02  # of delivered orders, some of whose lines come back


@dataclass
class History:
    orders: pd.DataFrame
    lines: pd.DataFrame
    promotions: pd.DataFrame
    promotion_products: pd.DataFrame
    stockouts: pd.DataFrame
    prices: np.ndarray  # product x day unit price
    inventory: Inventory
    # Lines of orders not cancelled that a warehouse refused for want of stock: product_id, placed_on, quantity,
    # retailer_id, warehouse_id (the retailer's) and order_id (the order its shipped lines made; missing when every
    # line of it was refused). Loaded as lost sales, not as order lines: a refused line is no sale.
    refused: pd.DataFrame


def _price_paths(products: pd.DataFrame, days: int, rng: np.random.Generator) -> np.ndarray:
    """List prices per product and day: some products get one price rise or cut."""
    base = products["unit_price"].to_numpy()[:, None] * np.ones((1, days))
    changes = rng.random(len(products))
    factor = np.where(
        changes < 0.25,
        rng.uniform(1.04, 1.15, len(products)),
        np.where(changes < 0.35, rng.uniform(0.85, 0.95, len(products)), 1.0),
    )
    change_day = rng.integers(days // 5, days, len(products))
    after = np.arange(days)[None, :] >= change_day[:, None]
    return np.round(np.where(after, base * factor[:, None], base), 2)


def _promotions(
    catalog: Catalog, dates: pd.DatetimeIndex, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame]:
    products, days = catalog.products, len(dates)
    promos, members = [], []
    for vendor in catalog.vendors.itertuples():
        own = products.loc[products["vendor_id"] == vendor.id, "id"].to_numpy()
        for _ in range(max(1, days // 110)):
            start = int(rng.integers(0, days - 7))
            length = int(rng.integers(7, 22))
            chosen = rng.choice(own, size=min(len(own), int(rng.integers(2, 7))), replace=False)
            promo_id = len(promos) + 1
            promos.append(
                {
                    "id": promo_id,
                    "vendor_id": vendor.id,
                    "discount_rate": round(float(rng.uniform(0.08, 0.25)), 2),
                    "start": start,
                    "end": min(days - 1, start + length - 1),
                    "name": f"{vendor.name.split()[0]} {dates[start]:%b %Y} offer",
                }
            )
            members += [{"promotion_id": promo_id, "product_id": int(p)} for p in chosen]
    promotions = pd.DataFrame(promos)
    promotions["starts_on"] = dates[promotions["start"]].date
    promotions["ends_on"] = dates[promotions["end"]].date
    return promotions, pd.DataFrame(members)


def _demand_multiplier(
    catalog: Catalog,
    dates: pd.DatetimeIndex,
    events: pd.DataFrame,
    prices: np.ndarray,
    promotions: pd.DataFrame,
    promotion_products: pd.DataFrame,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Product x day demand multiplier (mean near 1 before launch masking), the
    promotion id active per product and day (0 for none), and the launch mask."""
    products, days = catalog.products, len(dates)
    n = len(products)
    weekly = WEEKDAY_PROFILE[dates.dayofweek.to_numpy()]
    festival = event_multiplier(dates, events) if len(events) else np.ones(days)
    years = (dates - dates[0]).days.to_numpy() / 365.25
    multiplier = np.empty((n, days))
    for department, (amplitude, peak_month, festival_sensitivity, _) in DEPARTMENT_PROFILE.items():
        rows = (products["department"] == department).to_numpy()
        season = 1 + amplitude * np.cos(2 * np.pi * (dates.dayofyear.to_numpy() - (peak_month - 0.5) * 30.4) / 365.25)
        multiplier[rows] = weekly * season * (1 + festival_sensitivity * (festival - 1))
    growth = rng.normal(0.06, 0.18, n).clip(-0.5, 0.7)
    multiplier *= np.exp(growth[:, None] * years[None, :])
    elasticity = rng.uniform(0.8, 2.0, n)
    multiplier *= (prices / prices[:, :1]) ** -elasticity[:, None]

    promo_id = np.zeros((n, days), dtype=np.int64)
    if len(promotion_products):
        joined = promotion_products.merge(promotions, left_on="promotion_id", right_on="id")
        for row in joined.itertuples():
            p = row.product_id - 1
            window = slice(row.start, row.end + 1)
            multiplier[p, window] *= 1 + 1.6 * elasticity[p] * row.discount_rate
            promo_id[p, window] = row.promotion_id
    multiplier /= multiplier.mean(axis=1, keepdims=True)

    launch_day = (pd.to_datetime(products["launched_on"]) - dates[0]).dt.days.to_numpy()
    since_launch = np.arange(days)[None, :] - launch_day[:, None]
    launched = np.clip(0.3 + 0.7 * since_launch / 60, 0, 1) * (since_launch >= 0)
    return multiplier, promo_id, launched


def _baskets(
    catalog: Catalog, size: DemoSize, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[int, int]]:
    """Which products each retailer buys. Returns pair arrays (retailer row, product row, whether the retailer
    takes the product up during the history rather than buying it from the start) and the bundle map (product
    row -> product row often bought with it)."""
    products, retailers = catalog.products, catalog.retailers
    popularity = products["popularity"].to_numpy()
    departments = products["department"].to_numpy()
    active = products["is_active"].to_numpy()
    by_popularity = np.argsort(-popularity)
    bundle_of: dict[int, int] = {}
    for a in by_popularity[: size.bundles * 2 : 2]:
        # Inactive products are never bought, not even as a bundle partner.
        candidates = np.flatnonzero((products["category_id"].to_numpy() != products["category_id"].iat[a]) & active)
        weights = popularity[candidates] / popularity[candidates].sum()
        bundle_of[int(a)] = int(rng.choice(candidates, p=weights))
    pair_retailer, pair_product = [], []
    preference = np.empty((len(retailers), len(products)))
    # One affinity vector per segment, not per retailer: the per-product lookup was most of this loop's time.
    affinity_of = {
        segment: np.array([SEGMENT_AFFINITY[segment][d] for d in departments])
        for segment in retailers["segment"].unique()
    }
    for r, retailer in enumerate(retailers.itertuples()):
        affinity = affinity_of[retailer.segment]
        weights = popularity * affinity * active
        weights /= weights.sum()
        preference[r] = weights
        k = int(
            np.clip(
                SEGMENT_BASKET[retailer.segment] * size.basket_scale * rng.uniform(0.6, 1.4), 3, (weights > 0).sum()
            )
        )
        basket = set(rng.choice(len(products), size=k, replace=False, p=weights).tolist())
        basket |= {bundle_of[p] for p in list(basket) if p in bundle_of and rng.random() < 0.8}
        pair_retailer += [r] * len(basket)
        pair_product += sorted(basket)
    pair_retailer, pair_product = np.array(pair_retailer), np.array(pair_product)
    new_retailer, new_product = adopted_products(
        pair_retailer, pair_product, retailers["segment"].to_numpy(), preference, rng
    )
    adopted = np.r_[np.zeros(len(pair_retailer), dtype=bool), np.ones(len(new_retailer), dtype=bool)]
    return np.r_[pair_retailer, new_retailer], np.r_[pair_product, new_product], adopted, bundle_of


def _renewal_events(
    cycle: np.ndarray, shape: np.ndarray, horizon: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Event times (in each pair's operational time) of a gamma renewal process per pair,
    up to `horizon`. Returns (pair index, time) for every event."""
    count = np.ceil(horizon / cycle * 1.6 + 6).astype(np.int64)
    pair = np.repeat(np.arange(len(cycle)), count)
    gaps = rng.gamma(shape[pair], cycle[pair] / shape[pair])
    first = np.cumsum(count) - count
    gaps[first] = rng.uniform(0, cycle)  # a stationary start: no pile-up on day one
    times = np.cumsum(gaps)
    times -= np.repeat(times[first] - gaps[first], count)
    keep = times < horizon[pair]
    return pair[keep], times[keep]


def build_history(
    catalog: Catalog, size: DemoSize, dates: pd.DatetimeIndex, events: pd.DataFrame, rng: np.random.Generator
) -> History:
    products, retailers = catalog.products, catalog.retailers
    # Needs run past the end: a shop's last order covers the days up to its next order, as every earlier one did,
    # so the last weeks are not short of the orders that would have covered them.
    history_days = len(dates)
    demand_dates = pd.date_range(dates[0], periods=history_days + NEEDS_PAST_END, freq="D")
    n_products, days = len(products), len(demand_dates)
    prices = _price_paths(products, days, rng)
    promotions, promotion_products = _promotions(catalog, dates, rng)
    multiplier, promo_id, launched = _demand_multiplier(
        catalog, demand_dates, events, prices, promotions, promotion_products, rng
    )
    frequency = multiplier**FREQUENCY_SHARE * launched
    quantity_multiplier = multiplier ** (1 - FREQUENCY_SHARE)
    cumulative = np.cumsum(frequency, axis=1)
    stride = days + 1.0  # larger than any product's total intensity, so the flat array stays sorted
    flat_cumulative = (cumulative + stride * np.arange(n_products)[:, None]).ravel()

    pair_retailer, pair_product, adopted, bundle_of = _baskets(catalog, size, rng)
    popularity_rank = np.argsort(np.argsort(-products["popularity"].to_numpy())) / max(n_products - 1, 1)
    pct = popularity_rank[pair_product]
    size_factor = retailers["size_factor"].to_numpy()[pair_retailer]
    cycle = np.clip(11 * np.exp(2.0 * pct) * rng.uniform(0.7, 1.3, len(pct)) / size_factor**0.2, 3, 120)
    shape = 1.1 + 5 * (1 - pct) * rng.uniform(0.4, 1.0, len(pct))
    unit_price = products["unit_price"].to_numpy()[pair_product]
    weekly_units = rng.lognormal(0, 0.3, len(pct)) * 380 / unit_price**0.7
    base_quantity = size_factor * weekly_units * cycle / 7

    event_pair, op_time = _renewal_events(cycle, shape, cumulative[pair_product, -1], rng)
    product_row = pair_product[event_pair]
    day = np.searchsorted(flat_cumulative, op_time + stride * product_row) - product_row * days
    day = np.clip(day, 0, days - 1)
    onboard_day = (pd.to_datetime(retailers["onboarded_on"]) - dates[0]).dt.days.to_numpy()
    launch_day = (pd.to_datetime(products["launched_on"]) - dates[0]).dt.days.to_numpy()
    pair_start = adoption_days(
        pair_product,
        adopted,
        np.maximum(np.maximum(onboard_day[pair_retailer], launch_day[pair_product]), 0),
        launch_day,
        history_days,
        rng,
    )
    keep = day >= pair_start[event_pair]
    event_pair, day, product_row = event_pair[keep], day[keep], product_row[keep]

    # Bundles: the partner product rides along on many of the lead product's orders,
    # once the partner has launched and the shop has taken it up.
    pair_key = pd.Series(np.arange(len(pair_product)), index=pair_retailer * n_products + pair_product)
    extra_pairs, extra_days = [], []
    # Each lead product's events, found once (ascending positions, as a mask over all events would give them).
    by_product = np.argsort(product_row, kind="stable")
    bounds = np.searchsorted(product_row[by_product], np.arange(n_products + 1))
    for lead, partner in bundle_of.items():
        # The draw still covers every event (the random stream stays what it was); the tests read only the lead's.
        ride_along = rng.random(len(product_row))
        lead_events = by_product[bounds[lead] : bounds[lead + 1]]
        lead_events = lead_events[(launched[partner, day[lead_events]] > 0) & (ride_along[lead_events] < 0.6)]
        keys = pair_retailer[event_pair[lead_events]] * n_products + partner
        found = pair_key.reindex(keys).to_numpy()
        ok = ~np.isnan(found)
        found = found[ok].astype(np.int64)
        started = day[lead_events][ok] >= pair_start[found]
        extra_pairs.append(found[started])
        extra_days.append(day[lead_events][ok][started])
    event_pair = np.concatenate([event_pair, *extra_pairs])
    day = np.concatenate([day, *extra_days])
    product_row = pair_product[event_pair]

    # Each need is bought on one of its shop's order days; none after the end or after a shop lapsed.
    rhythms = build_rhythms(retailers, demand_dates, events, WEEKDAY_PROFILE, rng, last_day=history_days - 1)
    order_day, placed = snap_to_order_days(rhythms, pair_retailer[event_pair], day, pair_start[event_pair])
    event_pair, need_day, day, product_row = event_pair[placed], day[placed], order_day[placed], product_row[placed]

    quantity = base_quantity[event_pair] * quantity_multiplier[product_row, need_day] * rng.lognormal(0, 0.25, len(day))
    pack = products["pack_size"].to_numpy()[product_row]
    quantity = np.maximum(1, np.round(quantity / pack)) * pack

    lines = pd.DataFrame(
        {
            "retailer_row": pair_retailer[event_pair],
            "product_row": product_row,
            "day": day,
            "quantity": quantity.astype(np.int64),
        }
    )
    lines = lines.groupby(["day", "retailer_row", "product_row"], as_index=False, sort=True)["quantity"].sum()
    # Whether a retailer cancels is decided when it orders, so cancelled lines take no stock.
    _, order_of_line = np.unique(
        lines["day"].to_numpy() * len(retailers) + lines["retailer_row"].to_numpy(), return_inverse=True
    )
    cancelled = (rng.random(order_of_line.max() + 1) < CANCELLED_SHARE)[order_of_line]
    replenishment = simulate_replenishment(lines, cancelled, catalog, dates, rng)
    keep = replenishment.shipped_or_cancelled
    refused_lines = lines[~keep & ~cancelled]
    lines = lines[keep].assign(cancelled=cancelled[keep]).reset_index(drop=True)
    refused = _refused_frame(refused_lines, lines, retailers, products, dates)
    orders, lines = _assemble(lines, catalog, dates, prices, promo_id, promotions, rng)
    inventory = build_inventory(replenishment, orders, lines, catalog, dates)
    return History(
        orders,
        lines,
        promotions,
        promotion_products,
        inventory.stockouts,
        prices[:, :history_days],
        inventory,
        refused,
    )


def _refused_frame(
    refused_lines: pd.DataFrame,
    kept_lines: pd.DataFrame,
    retailers: pd.DataFrame,
    products: pd.DataFrame,
    dates: pd.DatetimeIndex,
) -> pd.DataFrame:
    """The refused lines with their retailer, warehouse and order. An order is one retailer's day (see
    `_assemble`, which numbers orders by that key in sorted order from 1), so a refused line belongs to the order
    its day's shipped lines made; a day whose every line was refused made no order. Draws nothing at random."""
    order_keys = np.unique(kept_lines["day"].to_numpy() * len(retailers) + kept_lines["retailer_row"].to_numpy())
    refused_keys = refused_lines["day"].to_numpy() * len(retailers) + refused_lines["retailer_row"].to_numpy()
    position = np.searchsorted(order_keys, refused_keys)
    found = position < len(order_keys)
    found[found] = order_keys[position[found]] == refused_keys[found]
    retailer_row = refused_lines["retailer_row"].to_numpy()
    return pd.DataFrame(
        {
            "product_id": products["id"].to_numpy()[refused_lines["product_row"].to_numpy()],
            "placed_on": dates[refused_lines["day"].to_numpy()].date,
            "quantity": refused_lines["quantity"].to_numpy(),
            "retailer_id": retailers["id"].to_numpy()[retailer_row],
            "warehouse_id": retailers["warehouse_id"].to_numpy()[retailer_row],
            "order_id": pd.Series(np.where(found, position + 1, 0), dtype="Int64").where(found),
        }
    )


def _assemble(
    lines: pd.DataFrame,
    catalog: Catalog,
    dates: pd.DatetimeIndex,
    prices: np.ndarray,
    promo_id: np.ndarray,
    promotions: pd.DataFrame,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    retailers, products = catalog.retailers, catalog.products
    last_day = len(dates) - 1
    order_key = lines["day"].to_numpy() * len(retailers) + lines["retailer_row"].to_numpy()
    order_index, order_keys = pd.factorize(order_key, sort=True)
    order_day = order_keys // len(retailers)
    order_retailer = order_keys % len(retailers)
    n_orders = len(order_keys)
    seconds = rng.integers(3 * 3600, 14 * 3600, n_orders)  # 08:30 to 19:30 in India, stored in UTC
    placed_at = pd.to_datetime(dates[order_day]) + pd.to_timedelta(seconds, unit="s")
    status = np.full(n_orders, "delivered", dtype=object)
    age = last_day - order_day
    status[age <= 4] = "shipped"
    status[age <= 2] = "confirmed"
    status[age == 0] = "placed"
    cancelled = np.zeros(n_orders, dtype=bool)
    cancelled[order_index] = lines["cancelled"].to_numpy()
    status[cancelled] = "cancelled"
    orders = pd.DataFrame(
        {
            "id": np.arange(1, n_orders + 1),
            "external_id": [f"SO{i:08d}" for i in range(1, n_orders + 1)],
            "retailer_id": retailers["id"].to_numpy()[order_retailer],
            "warehouse_id": retailers["warehouse_id"].to_numpy()[order_retailer],
            "placed_at": placed_at.tz_localize("UTC"),
            "status": status,
            "kind": "sale",
            "returns_order_id": pd.array([pd.NA] * n_orders, dtype="Int64"),
            "cancelled_at": pd.Series(placed_at.tz_localize("UTC") + pd.Timedelta(hours=5)).where(cancelled),
        }
    )

    p, d = lines["product_row"].to_numpy(), lines["day"].to_numpy()
    promo = promo_id[p, d]
    promo_discount = promotions.set_index("id")["discount_rate"].reindex(promo).fillna(0).to_numpy()
    segment = retailers["segment"].to_numpy()[lines["retailer_row"].to_numpy()]
    trade_discount = np.where(np.isin(segment, ["wholesale", "supermarket"]) & (rng.random(len(lines)) < 0.3), 0.03, 0)
    lines = pd.DataFrame(
        {
            "order_id": order_index + 1,
            "product_id": products["id"].to_numpy()[p],
            "quantity": lines["quantity"].to_numpy(),
            "unit_price": prices[p, d],
            "discount_rate": np.where(promo > 0, promo_discount, trade_discount).round(4),
            "on_promotion": promo > 0,
            "promotion_id": pd.Series(promo, dtype="Int64").where(promo > 0),
            "retailer_id": retailers["id"].to_numpy()[lines["retailer_row"].to_numpy()],
            "placed_on": dates[d].date,
        }
    )
    lines["line_number"] = lines.groupby("order_id").cumcount() + 1
    lines["id"] = np.arange(1, len(lines) + 1)
    return _add_returns(orders, lines, order_day, last_day, dates, products, rng)


def _add_returns(
    orders: pd.DataFrame,
    lines: pd.DataFrame,
    order_day: np.ndarray,
    last_day: int,
    dates: pd.DatetimeIndex,
    products: pd.DataFrame,
    rng: np.random.Generator,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A small share of delivered lines come back a few days later as return orders, in whole packs."""
    # A shop sends back a few products of about one delivery in fifty, whatever the size of its orders.
    order_row = lines["order_id"].to_numpy() - 1
    delivered = orders["status"].to_numpy()[order_row] == "delivered"
    draw = rng.random(len(lines))
    first_drawn = pd.Series(draw).groupby(order_row).transform("max").to_numpy() == draw
    chosen = (rng.random(len(orders)) < RETURNED_SHARE)[order_row]
    returned = lines[delivered & chosen & (first_drawn | (draw < 0.25))].copy()
    lag = rng.integers(2, 11, len(returned))
    return_day = order_day[returned["order_id"].to_numpy() - 1] + lag
    returned = returned[return_day <= last_day]
    return_day = return_day[return_day <= last_day]
    if returned.empty:
        return orders, lines
    pack = products.set_index("id")["pack_size"].loc[returned["product_id"]].to_numpy()
    originals = returned["order_id"].unique()
    new_ids = pd.Series(np.arange(len(orders) + 1, len(orders) + 1 + len(originals)), index=originals)
    first_return_day = pd.Series(return_day, index=returned["order_id"].to_numpy()).groupby(level=0).min()
    source = orders.set_index("id").loc[originals]
    return_orders = pd.DataFrame(
        {
            "id": new_ids.to_numpy(),
            "external_id": [f"RT{i:08d}" for i in new_ids.to_numpy()],
            "retailer_id": source["retailer_id"].to_numpy(),
            "warehouse_id": source["warehouse_id"].to_numpy(),
            "placed_at": pd.to_datetime(dates[first_return_day.loc[originals].to_numpy()]).tz_localize("UTC")
            + pd.Timedelta(hours=6),
            "status": "delivered",
            "kind": "return",
            "returns_order_id": pd.array(originals, dtype="Int64"),
            "cancelled_at": pd.Series(pd.NaT, index=range(len(originals)), dtype=orders["cancelled_at"].dtype),
        }
    )
    return_lines = returned.assign(
        order_id=new_ids.loc[returned["order_id"]].to_numpy(),
        quantity=(np.maximum(1, returned["quantity"] * rng.uniform(0.1, 0.5, len(returned)) // pack) * pack).astype(
            np.int64
        ),
        placed_on=return_orders.set_index("id")
        .loc[new_ids.loc[returned["order_id"]].to_numpy(), "placed_at"]
        .dt.date.to_numpy(),
    )
    return_lines["line_number"] = return_lines.groupby("order_id").cumcount() + 1
    return_lines["id"] = np.arange(len(lines) + 1, len(lines) + 1 + len(return_lines))
    return pd.concat([orders, return_orders], ignore_index=True), pd.concat([lines, return_lines], ignore_index=True)

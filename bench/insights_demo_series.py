"""Weekly shop and product series of a generated demo marketplace, two long CSVs for bench/anomaly_eval.py:

    .venv/bin/python bench/insights_demo_series.py --size large [--seed 7] [--end 2026-06-30]
                                                   [--shops /tmp/demo_shops_weekly.csv.gz]
                                                   [--products /tmp/demo_products_weekly.csv.gz]

Shops: retailer_id, week, value (net order value of sale orders not cancelled), lines, event. Products:
product_id, week, units, promo (days of the week a promotion of the product ran), event. ``event`` names the
festival or holiday whose window touches the week ('' when none), the calendar a detector may know. Weeks start
on Monday; the partial first and last weeks are dropped; every shop and product keeps every week, zero when
nothing was ordered.
"""

import argparse
import datetime as dt
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from retailiq.demo.generator import DemoMarketplace, generate_marketplace  # noqa: E402
from retailiq.demo.sizes import SIZES  # noqa: E402


def full_weeks(start: dt.date, end: dt.date) -> pd.DatetimeIndex:
    first = pd.Timestamp(start) + pd.Timedelta(days=(7 - pd.Timestamp(start).dayofweek) % 7)
    last = pd.Timestamp(end) - pd.Timedelta(days=6)
    return pd.date_range(first, last, freq="W-MON")


def week_events(weeks: pd.DatetimeIndex, events: pd.DataFrame) -> np.ndarray:
    names = np.full(len(weeks), "", dtype=object)
    for window in events.sort_values("starts_on").itertuples():
        touches = (weeks <= pd.Timestamp(window.ends_on)) & (
            weeks + pd.Timedelta(days=6) >= pd.Timestamp(window.starts_on)
        )
        names[touches & (names == "")] = window.name
    return names


def weekly_series(market: DemoMarketplace) -> tuple[pd.DataFrame, pd.DataFrame]:
    orders, lines = market.history.orders, market.history.lines
    sale = orders.loc[(orders["kind"] == "sale") & (orders["status"] != "cancelled"), "id"]
    sold = lines[lines["order_id"].isin(sale)].copy()
    day = pd.to_datetime(sold["placed_on"])
    sold["week"] = day - pd.to_timedelta(day.dt.dayofweek, unit="D")
    sold["value"] = sold["quantity"] * sold["unit_price"] * (1 - sold["discount_rate"])
    weeks = full_weeks(market.start, market.end)
    event = week_events(weeks, market.events)

    retailers = market.catalog.retailers["id"].to_numpy()
    shop = sold.groupby(["retailer_id", "week"]).agg(value=("value", "sum"), lines=("id", "size"))
    grid = pd.MultiIndex.from_product([retailers, weeks], names=["retailer_id", "week"])
    shops = shop.reindex(grid, fill_value=0).reset_index()
    shops["value"] = shops["value"].round(2)
    shops["event"] = np.tile(event, len(retailers))

    products = market.catalog.products["id"].to_numpy()
    units = sold.groupby(["product_id", "week"])["quantity"].sum()
    grid = pd.MultiIndex.from_product([products, weeks], names=["product_id", "week"])
    product = units.reindex(grid, fill_value=0).rename("units").reset_index()
    dates = pd.date_range(market.start, market.end, freq="D")
    promo_days = np.zeros((len(products), len(dates)))
    promotions = market.history.promotions.set_index("id")
    for member in market.history.promotion_products.itertuples():
        offer = promotions.loc[member.promotion_id]
        promo_days[member.product_id - 1, offer["start"] : offer["end"] + 1] = 1.0  # ids are 1..n in catalog order
    week_of_day = np.searchsorted(weeks.to_numpy(), dates.to_numpy(), side="right") - 1
    inside = (week_of_day >= 0) & (dates < weeks[-1] + pd.Timedelta(days=7))
    promo = np.zeros((len(products), len(weeks)))
    for w in range(len(weeks)):
        promo[:, w] = promo_days[:, inside & (week_of_day == w)].sum(axis=1)
    product["promo"] = promo.ravel()
    product["event"] = np.tile(event, len(products))
    return shops, product


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="large")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--end", type=dt.date.fromisoformat, default=dt.date(2026, 6, 30))
    parser.add_argument("--shops", type=Path, default=Path("/tmp/demo_shops_weekly.csv.gz"))
    parser.add_argument("--products", type=Path, default=Path("/tmp/demo_products_weekly.csv.gz"))
    args = parser.parse_args(argv)
    market = generate_marketplace(size=args.size, seed=args.seed, end=args.end)
    shops, products = weekly_series(market)
    shops.to_csv(args.shops, index=False)
    products.to_csv(args.products, index=False)
    print(f"{args.shops}: {shops['retailer_id'].nunique()} shops x {shops['week'].nunique()} weeks")
    print(f"{args.products}: {products['product_id'].nunique()} products x {products['week'].nunique()} weeks")


if __name__ == "__main__":
    main()

"""Daily (or weekly) product demand of a generated demo marketplace as a long CSV,
without a database, for bench/forecast_eval.py:

    .venv/bin/python bench/demo_series.py --size large --out /tmp/demo_large_daily.csv.gz
                                          [--seed 7] [--end 2026-06-30] [--days N] [--freq D|W]

--days replaces the size's history length (e.g. 1,092 days: three years of the `large`
shape); --freq W sums each product's days into weeks starting Monday (partial weeks at
either end dropped), with the week's mean price and the share of its days under a
promotion or an event.

units are sales: lines of sale orders that were not cancelled and were shipped. Returns
are separate orders (kind "return") and cancelled orders keep their lines with status
"cancelled" (retailiq/demo/history.py); both are left out. A warehouse refuses a line it
has no stock for (retailiq/demo/replenishment.py), so sales are demand cut by stock:

- ordered: what retailers asked for, the shipped units plus the refused lines' units
  (orders not cancelled), the demand a forecast is for;
- stockout_share: the share of the period's warehouse-days the product was out of stock,
  over the warehouses that stock it (in the demo every warehouse has a stock level row
  for every product, so all of them), from the generator's stockout periods;
- censored: 1 where the app's forecasting would mark the period a stockout (lost sales,
  not zero demand): a day when every warehouse stocking the product was out
  (forecasting/drivers.py), a week when more than half its days were (matrix.to_weekly).

A line refused while some stock was left (less than the line, more than a pack) makes no
stockout period, so ordered can exceed units in periods that are not censored.

Every product has every day, zero when nothing sold. Beside these it writes drivers known
in advance: the day's list price net of any promotion discount (price), whether a
promotion runs (promo) and whether a festival or holiday window covers the day (event).
"""

import argparse
import datetime as dt
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from retailiq.demo.generator import generate_marketplace  # noqa: E402
from retailiq.demo.sizes import SIZES  # noqa: E402

SERIES_COLUMNS = ("units", "ordered", "stockout_share", "censored", "price", "promo", "event")


def daily_demand(size: str, *, seed: int, end: dt.date) -> pd.DataFrame:
    market = generate_marketplace(size=size, seed=seed, end=end)
    orders, lines = market.history.orders, market.history.lines
    sale_orders = orders.loc[(orders["kind"] == "sale") & (orders["status"] != "cancelled"), "id"]
    sold = lines[lines["order_id"].isin(sale_orders)]
    dates = pd.date_range(market.start, market.end, freq="D")
    products = market.catalog.products["id"].to_numpy()
    units = _per_day(sold, products, dates)
    ordered = units + _per_day(market.history.refused, products, dates)
    out_warehouses = _out_warehouses(market.history.stockouts, products, dates)
    stocking = len(market.catalog.warehouses)
    promo = np.zeros((len(products), len(dates)))
    discount = np.zeros_like(promo)
    promotions = market.history.promotions.set_index("id")
    for member in market.history.promotion_products.itertuples():
        offer = promotions.loc[member.promotion_id]
        row = member.product_id - 1  # product ids are 1..n in catalog order
        promo[row, offer["start"] : offer["end"] + 1] = 1.0
        discount[row, offer["start"] : offer["end"] + 1] = offer["discount_rate"]
    event = np.zeros(len(dates))
    for window in market.events.itertuples():
        event[(dates >= pd.Timestamp(window.starts_on)) & (dates <= pd.Timestamp(window.ends_on))] = 1.0
    return pd.DataFrame(
        {
            "product_id": np.repeat(products, len(dates)),
            "date": np.tile(dates.date, len(products)),
            "units": units.to_numpy().ravel(),
            "ordered": ordered.to_numpy().ravel(),
            "stockout_share": (out_warehouses / stocking).ravel(),
            "censored": (out_warehouses >= stocking).astype(np.int64).ravel(),
            "price": (market.history.prices * (1 - discount)).round(2).ravel(),
            "promo": promo.ravel(),
            "event": np.tile(event, len(products)),
        }
    )


def _per_day(lines: pd.DataFrame, products: np.ndarray, dates: pd.DatetimeIndex) -> pd.DataFrame:
    """Units per product (rows) and day (columns), zero where none."""
    return (
        lines.assign(date=pd.to_datetime(lines["placed_on"]))
        .pivot_table(index="product_id", columns="date", values="quantity", aggfunc="sum", fill_value=0)
        .reindex(index=products, columns=dates, fill_value=0)
    )


def _out_warehouses(stockouts: pd.DataFrame, products: np.ndarray, dates: pd.DatetimeIndex) -> np.ndarray:
    """Per product and day, how many warehouses were out of it. A period still going (no end) runs through the
    last day, as in forecasting/drivers.py; a pair's periods never overlap (runs of one stock series)."""
    start = (pd.to_datetime(stockouts["started_on"]) - dates[0]).dt.days.to_numpy()
    ended = pd.to_datetime(stockouts["ended_on"])
    end = np.where(ended.isna(), len(dates) - 1, (ended - dates[0]).dt.days.fillna(0).to_numpy()).astype(np.int64)
    row = pd.Index(products).get_indexer(stockouts["product_id"])
    # Difference array: +1 on each period's first day, -1 the day after its last.
    steps = np.zeros((len(products), len(dates) + 1))
    np.add.at(steps, (row, np.clip(start, 0, len(dates))), 1)
    np.add.at(steps, (row, np.clip(end + 1, 0, len(dates))), -1)
    return np.cumsum(steps, axis=1)[:, :-1]


def weekly(frame: pd.DataFrame) -> pd.DataFrame:
    """Weeks starting Monday; only weeks with all seven days. A week is censored when more than half its days
    were, as forecasting/ml/matrix.py's to_weekly has it."""
    day = pd.to_datetime(frame["date"])
    week = day - pd.to_timedelta(day.dt.dayofweek, unit="D")
    grouped = frame.assign(week=week).groupby(["product_id", "week"])
    result = grouped.agg(
        units=("units", "sum"),
        ordered=("ordered", "sum"),
        stockout_share=("stockout_share", "mean"),
        censored=("censored", "mean"),
        price=("price", "mean"),
        promo=("promo", "mean"),
        event=("event", "mean"),
        n=("units", "size"),
    ).reset_index()
    result = result[result.pop("n") == 7].rename(columns={"week": "date"})
    result["date"] = result["date"].dt.date
    result["price"] = result["price"].round(2)
    result["censored"] = (result["censored"] > 0.5).astype(np.int64)
    return result[["product_id", "date", *SERIES_COLUMNS]]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=sorted(SIZES), default="large")
    parser.add_argument("--out", type=Path, default=Path("/tmp/demo_large_daily.csv.gz"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--end", type=dt.date.fromisoformat, default=dt.date(2026, 6, 30))
    parser.add_argument("--days", type=int, default=0, help="history length in days (0: the size's own)")
    parser.add_argument("--freq", choices=("D", "W"), default="D")
    args = parser.parse_args(argv)
    size = args.size
    if args.days:
        # The same shape (vendors, retailers, products) over a longer or shorter history.
        size = f"{args.size}_{args.days}d"
        SIZES[size] = replace(SIZES[args.size], days=args.days)
    frame = daily_demand(size, seed=args.seed, end=args.end)
    if args.freq == "W":
        frame = weekly(frame)
    frame.to_csv(args.out, index=False)
    print(
        f"{args.out}: {frame['product_id'].nunique()} products x {frame['date'].nunique()} "
        f"{'weeks' if args.freq == 'W' else 'days'}, "
        f"{int(frame['units'].sum()):,} units sold of {int(frame['ordered'].sum()):,} ordered, "
        f"{frame['censored'].mean():.2%} of periods censored"
    )


if __name__ == "__main__":
    main()

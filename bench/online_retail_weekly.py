"""The UCI Online Retail transactions as weekly product demand, a long CSV that
bench/forecast_eval.py reads:

    .venv/bin/python bench/online_retail_weekly.py [--source ../shared/data/online-retail/online_retail.csv.gz]
                                                   [--out /tmp/online_retail_weekly.csv.gz] [--top 500]

Sales only: cancellations (invoice numbers starting with C) and negative or zero
quantities are dropped, and so are the codes that are not products (postage POST/DOT,
carriage C2, manual M, discount D, samples S, bank charges, Amazon fees, CRUK charity
commission, bad-debt adjustment B; every other code without a digit is a real product,
e.g. the party bags DCGSSBOY). Weeks start on Monday; the partial first
week (data starts on Wednesday 2010-12-01) and last week (ends Friday 2011-12-09) are
dropped, since half a week reads as a demand collapse. Every product keeps every week,
zero when nothing sold. The top N products by total units are kept.

Beside the units, two columns observed with the sales (history-only drivers: known up to
a forecast's origin, never ahead of it): `orders`, the distinct invoices with a sale of the
product that week (a week's units are its orders times units per order), and
`max_line_units`, the week's largest single line (zero in weeks without a sale).
"""

import argparse
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "data" / "online-retail" / "online_retail.csv.gz"
NOT_PRODUCTS = {"POST", "DOT", "M", "BANK CHARGES", "AMAZONFEE", "CRUK", "D", "C2", "S", "B"}


def weekly_demand(source: Path, *, top: int) -> pd.DataFrame:
    frame = pd.read_csv(
        source,
        usecols=["InvoiceNo", "StockCode", "Quantity", "InvoiceDate"],
        dtype={"InvoiceNo": str, "StockCode": str},
    )
    code = frame["StockCode"].str.strip().str.upper()
    sales = frame[~frame["InvoiceNo"].str.startswith("C") & (frame["Quantity"] > 0) & ~code.isin(NOT_PRODUCTS)].assign(
        StockCode=code
    )
    day = pd.to_datetime(sales["InvoiceDate"]).dt.normalize()
    week = day - pd.to_timedelta(day.dt.dayofweek, unit="D")
    first_full = day.min() if day.min().dayofweek == 0 else week.min() + pd.Timedelta(days=7)
    last_full = week.max() if day.max().dayofweek == 6 else week.max() - pd.Timedelta(days=7)
    sales = sales.assign(week=week)
    sales = sales[(sales["week"] >= first_full) & (sales["week"] <= last_full)]
    totals = sales.groupby("StockCode")["Quantity"].sum().nlargest(top).index
    grouped = sales[sales["StockCode"].isin(totals)].groupby(["StockCode", "week"])
    weekly = pd.DataFrame(
        {
            "units": grouped["Quantity"].sum(),
            "orders": grouped["InvoiceNo"].nunique(),
            "max_line_units": grouped["Quantity"].max(),
        }
    )
    grid = pd.MultiIndex.from_product(
        [sorted(totals), pd.date_range(first_full, last_full, freq="W-MON")], names=["StockCode", "week"]
    )
    return weekly.reindex(grid, fill_value=0).reset_index()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--out", type=Path, default=Path("/tmp/online_retail_weekly.csv.gz"))
    parser.add_argument("--top", type=int, default=500)
    args = parser.parse_args(argv)
    if not args.source.exists():
        sys.exit(
            f"{args.source} is absent: the UCI Online Retail file lives under ../shared/data/online-retail/ "
            "(see ../shared/data/README.md); pass --source to point at a copy."
        )
    frame = weekly_demand(args.source, top=args.top)
    frame.to_csv(args.out, index=False)
    print(
        f"{args.out}: {frame['StockCode'].nunique()} products x {frame['week'].nunique()} weeks "
        f"({frame['week'].min().date()} to {frame['week'].max().date()}), {int(frame['units'].sum()):,} units"
    )


if __name__ == "__main__":
    main()

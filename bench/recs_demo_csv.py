"""The demo generator's orders as one transactions CSV that bench/recs_eval.py reads, so the engine is judged on
the demo marketplace exactly as on Online Retail: one line per order line, with the product's name, category and
price and the shop's segment (its peer group).

    .venv/bin/python bench/recs_demo_csv.py --size large --out /tmp/recs_large.csv.gz
    .venv/bin/python bench/recs_eval.py --csv /tmp/recs_large.csv.gz --customer retailer_id --product product_id \\
        --date date --quantity quantity --category category_id --name name --price unit_price --peer segment \\
        --split time --test-days 30

The last two years of orders are written, as bench/recs_serving.py trains on."""

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.recs_serving import frames  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="large")
    parser.add_argument("--out", type=Path, required=True, help="CSV to write (.gz compresses it)")
    args = parser.parse_args()
    orders, products, shops = frames(args.size)
    lines = orders.merge(products, on="product_id", how="left").merge(shops, on="retailer_id", how="left")
    lines["date"] = lines["date"].dt.strftime("%Y-%m-%d")
    lines.to_csv(args.out, index=False)
    print(f"{args.size}: {len(lines):,} lines, {lines['retailer_id'].nunique():,} shops, written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

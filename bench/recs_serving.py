"""On-demand recommendation latency for one shop, without a cache: the engine trained as the adapter trains it on a
generated demo marketplace, then each list asked for one shop at a time, as ``predict`` does.

    .venv/bin/python bench/recs_serving.py --size large --shops 200

Prints p50/p95/max milliseconds per list. It times the engine (candidates, ranker, rules, reasons), not the
database reads the adapter adds for the rules (inactive products, dismissals, stock for one shop) and reorder's
probabilities, which are indexed single-shop queries."""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from recommendations.ml.rules import BusinessRules  # noqa: E402
from recommendations.training import build_recommender  # noqa: E402
from retailiq.demo.generator import generate_marketplace  # noqa: E402


def frames(size: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    market = generate_marketplace(size=size, seed=7)
    lines, catalog = market.history.lines, market.catalog
    orders = pd.DataFrame(
        {
            "retailer_id": lines["retailer_id"].astype("int64"),
            "product_id": lines["product_id"].astype("int64"),
            "date": pd.to_datetime(lines["placed_on"]),
            "quantity": lines["quantity"].astype(float),
        }
    )
    orders = orders[orders["date"] > orders["date"].max() - pd.Timedelta(days=730)]
    products = pd.DataFrame(
        {
            "product_id": catalog.products["id"],
            "name": catalog.products["name"],
            "category_id": catalog.products["category_id"],
            "brand": catalog.products["brand_id"],
            "unit_price": catalog.products["unit_price"].astype(float),
        }
    )
    shops = catalog.retailers[["id", "segment", "city"]].rename(columns={"id": "retailer_id"})
    return orders, products, shops


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="large")
    parser.add_argument("--shops", type=int, default=200)
    parser.add_argument("--label-days", type=int, default=180)
    args = parser.parse_args()
    orders, products, shops = frames(args.size)
    started = time.perf_counter()
    model = build_recommender({"label_days": args.label_days}).fit(orders, products, shops)
    print(
        f"{args.size}: {len(orders):,} lines, {orders['retailer_id'].nunique()} shops; fit {time.perf_counter() - started:.1f} s"
    )
    rng = np.random.default_rng(0)
    picked = rng.choice(shops["retailer_id"].to_numpy(), size=min(args.shops, len(shops)), replace=False)
    rules = BusinessRules()
    for kind in ("discover", "buy_again", "bundle"):
        times = []
        for shop in picked:
            started = time.perf_counter()
            if kind == "bundle":
                lift = model.generators_["co_purchase"]
                row = int(lift._rows([shop])[0])
                anchors = lift.product_ids_[lift.recent_[row].indices] if row >= 0 else []
                model.bundle(list(anchors), k=10, retailer_id=shop, rules=rules)
            else:
                model.recommend([shop], kind=kind, k=10, rules=rules)
            times.append((time.perf_counter() - started) * 1000)
        p50, p95 = np.percentile(times, [50, 95])
        print(f"  {kind:<10} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  max {max(times):6.1f} ms  ({len(times)} shops)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

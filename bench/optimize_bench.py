"""Order-plan speed and quality at 1,000 to 100,000 pairs, on demand taken from Online Retail: each stock code's daily
demand over the last 26 weeks, split over warehouses by seeded shares, lead times of 7 to 21 days with a spread,
a weekly review. Costs: unit cost 60% of the median price, shortage cost the lost margin, holding 25% a year over
the protection period; pack sizes and MOQs from the typical invoice quantity; seeded volumes and stock on hand.
The budget is --budget-share of what the unconstrained newsvendor plan would spend (so it binds), each
warehouse's capacity --capacity-share of that plan's volume there.

    .venv/bin/python bench/optimize_bench.py --csv /work/shared/data/online-retail/online_retail.csv.gz \\
        [--sizes 1000,5000,20000,100000] [--milp-sizes 1000,5000] [--time-limit 30] [--gap 0.005]

For every size: the default path (Lagrangian plan, proven by its own bound or handed to CBC as a warm start), the same
path handing over to HiGHS when highspy is installed, CBC and HiGHS forced to run on the full MILP (for
--milp-sizes), and the scaled newsvendor.
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from optimization.solver.heuristic import newsvendor_scaled  # noqa: E402
from optimization.solver.plan import PlanOptions, plan_orders  # noqa: E402
from optimization.solver.solvers import highs_available  # noqa: E402

WHERE_TO_GET = "Online Retail is read in place from /work/shared/data/online-retail/ (see its README); pass --csv."


def product_demand(path: Path) -> pd.DataFrame:
    raw = pd.read_csv(path, usecols=["InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "UnitPrice"],
                      dtype={"InvoiceNo": str, "StockCode": str})  # fmt: skip
    raw = raw[(raw["Quantity"] > 0) & (raw["UnitPrice"] > 0) & ~raw["InvoiceNo"].str.startswith("C")]
    raw = raw[raw["StockCode"].str.match(r"^\d{5}")]
    raw["day"] = pd.to_datetime(raw["InvoiceDate"]).dt.normalize()
    last = raw["day"].max()
    recent = raw[raw["day"] > last - pd.Timedelta(weeks=26)]
    days = pd.date_range(last - pd.Timedelta(weeks=26) + pd.Timedelta(days=1), last)
    daily = (
        recent.groupby(["StockCode", "day"])["Quantity"].sum().unstack(fill_value=0).reindex(columns=days, fill_value=0)
    )
    stats = pd.DataFrame({"mean_per_day": daily.mean(axis=1), "std_per_day": daily.std(axis=1)})
    typical = raw.groupby("StockCode").agg(price=("UnitPrice", "median"), quantity=("Quantity", "median"))
    return stats.join(typical).query("mean_per_day > 0").reset_index(names="product")


def items_for(products: pd.DataFrame, n_pairs: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    warehouses = int(np.ceil(n_pairs / len(products)))
    share = rng.dirichlet(np.ones(warehouses) * 2, size=len(products))
    rows = []
    for w in range(warehouses):
        frame = products.assign(warehouse=f"W{w:02d}", share=share[:, w])
        rows.append(frame)
    pairs = pd.concat(rows, ignore_index=True).iloc[:n_pairs].copy()
    n = len(pairs)
    lead, lead_std, review = rng.integers(7, 22, n).astype(float), rng.uniform(1, 5, n), 7.0
    mu = pairs["mean_per_day"].to_numpy() * pairs["share"].to_numpy()
    sigma = pairs["std_per_day"].to_numpy() * np.sqrt(pairs["share"].to_numpy())
    period = lead + review
    cost = 0.6 * pairs["price"].to_numpy()
    pack = np.array([1, 6, 12, 24, 48, 100])[np.clip(np.searchsorted([2, 8, 16, 36, 80], pairs["quantity"]), 0, 5)]
    pairs = pd.DataFrame({
        "product": pairs["product"].to_numpy(), "warehouse": pairs["warehouse"].to_numpy(),
        "on_hand": np.floor(mu * period * rng.uniform(0, 1.2, n)), "on_order": 0.0, "unit_cost": cost,
        "unit_volume": rng.uniform(0.05, 1.5, n), "pack_size": pack.astype(float),
        "moq": np.where(rng.uniform(size=n) < 0.3, 2 * pack, 0).astype(float), "order_cost": rng.uniform(5, 25, n),
        "holding_cost": 0.25 * cost * period / 365 + 0.02 * cost, "shortage_cost": pairs["price"].to_numpy() - cost,
        "demand_mean": mu * period, "demand_std": np.sqrt(period * sigma**2 + mu**2 * lead_std**2),
    })  # fmt: skip
    return pairs


def limits(items: pd.DataFrame, budget_share: float, capacity_share: float) -> tuple[float, dict[str, float]]:
    free = newsvendor_scaled(items, {}, None)
    value = float((free["order_qty"] * items["unit_cost"]).sum())
    volume = (free["order_qty"] * items["unit_volume"]).groupby(items["warehouse"]).sum()
    return budget_share * value, {w: capacity_share * float(v) for w, v in volume.items()}


def run(items, capacity, budget, options) -> tuple[str, float, float, float]:
    started = time.perf_counter()
    result = plan_orders(items, capacity, options)
    return result.status, result.gap, time.perf_counter() - started, result.objective


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--csv", type=Path, default=Path("/work/shared/data/online-retail/online_retail.csv.gz"))
    parser.add_argument("--sizes", default="1000,5000,20000,100000")
    parser.add_argument("--milp-sizes", default="1000,5000", help="sizes at which CBC also runs on the full MILP")
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--gap", type=float, default=0.005)
    parser.add_argument("--budget-share", type=float, default=0.5)
    parser.add_argument("--capacity-share", type=float, default=0.8)
    args = parser.parse_args(argv)
    if not args.csv.exists():
        print(f"{args.csv} does not exist. {WHERE_TO_GET}", file=sys.stderr)
        return 1
    products = product_demand(args.csv)
    print(f"{len(products)} stock codes with demand in the last 26 weeks; budget {args.budget_share:.0%} and "
          f"capacity {args.capacity_share:.0%} of the unconstrained newsvendor plan; time limit {args.time_limit:.0f} s, "
          f"gap {args.gap:.1%}; highspy {'installed' if highs_available() else 'not installed'}")  # fmt: skip
    header = f"{'pairs':>7} {'method':<22}{'status':>10}{'gap':>9}{'seconds':>9}{'objective':>15}{'vs heuristic':>14}"
    print(header)
    print("-" * len(header))
    milp_sizes = {int(s) for s in args.milp_sizes.split(",") if s}
    for size in [int(s) for s in args.sizes.split(",")]:
        items = items_for(products, size)
        budget, capacity = limits(items, args.budget_share, args.capacity_share)
        started = time.perf_counter()
        heuristic = float(newsvendor_scaled(items, capacity, budget)["expected_cost"].sum())
        heuristic_seconds = time.perf_counter() - started
        base = PlanOptions(budget=budget, time_limit=args.time_limit, gap=args.gap)
        methods = [("lagrangian+cbc (default)", base)]
        if highs_available():
            methods.append(("lagrangian+highs", PlanOptions(**{**base.__dict__, "solver": "highs"})))
        if size in milp_sizes:
            methods.append(("cbc, full MILP", PlanOptions(**{**base.__dict__, "stop_at_proven_start": False})))
            if highs_available():
                methods.append(("highs, full MILP", PlanOptions(**{**base.__dict__, "solver": "highs",
                                                                     "stop_at_proven_start": False})))  # fmt: skip
        for name, options in methods:
            status, gap, seconds, objective = run(items, capacity, budget, options)
            saving = 1 - objective / heuristic
            print(f"{size:>7} {name:<22}{status:>10}{gap:>9.3%}{seconds:>9.1f}{objective:>15,.0f}{saving:>13.1%} ")
        print(f"{size:>7} {'scaled newsvendor':<22}{'-':>10}{'-':>9}{heuristic_seconds:>9.1f}{heuristic:>15,.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

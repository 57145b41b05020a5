"""Order plan on any items and capacity CSVs (the evaluation contract of issue 16); prints JSON.

    .venv/bin/python bench/optimize_eval.py --items ITEMS.csv --capacity CAPACITY.csv --budget AMOUNT \\
        [--service-level P] [--time-limit S] [--gap G] [--solver cbc|highs|lagrangian] --json

ITEMS.csv: product, warehouse, on_hand, on_order, unit_cost, unit_volume, pack_size, moq, order_cost, holding_cost,
shortage_cost, demand_mean, demand_std (normal demand over the protection period). CAPACITY.csv: warehouse,
capacity (volume each warehouse can receive in this order).
"""

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pandas as pd  # noqa: E402

from optimization.solver.plan import PlanOptions, plan_orders  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", required=True, type=Path)
    parser.add_argument("--capacity", type=Path)
    parser.add_argument("--budget", type=float)
    parser.add_argument("--service-level", type=float)
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--gap", type=float, default=0.005)
    parser.add_argument("--solver", default="cbc", choices=["cbc", "highs", "lagrangian"])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", action="store_true", help="print the contract's JSON (the only output there is)")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    for path in filter(None, [args.items, args.capacity]):
        if not path.exists():
            print(f"{path} does not exist", file=sys.stderr)
            return 1
    items = pd.read_csv(args.items, dtype={"product": str, "warehouse": str})
    capacity = {}
    if args.capacity:
        frame = pd.read_csv(args.capacity, dtype={"warehouse": str})
        capacity = dict(zip(frame["warehouse"], frame["capacity"].astype(float), strict=True))
    options = PlanOptions(
        budget=args.budget, service_level=args.service_level, time_limit=args.time_limit, gap=args.gap,
        solver=args.solver, threads=args.threads,
    )  # fmt: skip
    try:
        result = plan_orders(items, capacity, options)
    except ValueError as error:
        print(json.dumps({"status": "invalid", "explanation": str(error)}))
        return 2
    print(json.dumps(result.to_json()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

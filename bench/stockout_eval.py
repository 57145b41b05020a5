"""Stockout risk: XGBoost against the analyst's rule ("lead time + its spread > days of cover", counting orders due
in time) and a logistic regression on the same features. Weekly cutoffs; the last --test-weeks are the test set, the
two cutoffs before them calibrate, and no training label reaches past the first test cutoff.

    .venv/bin/python bench/stockout_eval.py --demo large [--test-weeks 8] [--seed 7] [--json]
    .venv/bin/python bench/stockout_eval.py --csv /work/shared/data/online-retail/online_retail.csv.gz \\
        [--products 1500] [--test-weeks 8] [--seed 0] [--json]

--demo reads the demo generator's ledger in memory (bench/demo_ledger.py: the rows `manage.py generate_demo_data
--size SIZE` would load, no database), with its festivals, marketplace sales and promotions ahead as features.
--csv simulates a ledger (optimization.ml.ledger) on real Online Retail demand: each stock code replenished by an
(s, S) policy on a trailing mean, with stochastic lead times and a quarter of vendors late and short; Online Retail
has no warehouses, festivals or promotions, so those features read "none ahead" there.
"""

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from optimization.ml.ledger import LedgerOptions, simulate_ledger  # noqa: E402
from optimization.ml.stockout import FEATURES, HORIZON, StockoutModel, cover_rule_score  # noqa: E402
from optimization.ml.training import FIRST_CUTOFF, frame_at  # noqa: E402

WHERE_TO_GET = "Online Retail is read in place from /work/shared/data/online-retail/ (see its README); pass --csv."


def daily_demand(path: Path, products: int) -> tuple[np.ndarray, np.ndarray]:
    raw = pd.read_csv(path, usecols=["InvoiceNo", "StockCode", "Quantity", "InvoiceDate", "UnitPrice"],
                      dtype={"InvoiceNo": str, "StockCode": str})  # fmt: skip
    raw = raw[(raw["Quantity"] > 0) & (raw["UnitPrice"] > 0) & ~raw["InvoiceNo"].str.startswith("C")]
    raw = raw[raw["StockCode"].str.match(r"^\d{5}")]
    raw["day"] = pd.to_datetime(raw["InvoiceDate"]).dt.normalize()
    busiest = raw.groupby("StockCode")["day"].nunique().nlargest(products).index
    raw = raw[raw["StockCode"].isin(busiest)]
    days = pd.date_range(raw["day"].min(), raw["day"].max())
    wide = raw.groupby(["StockCode", "day"])["Quantity"].sum().unstack(fill_value=0).reindex(columns=days, fill_value=0)
    price = raw.groupby("StockCode")["UnitPrice"].median().reindex(wide.index)
    return wide.to_numpy(float), price.to_numpy(float)


def scores(y, p, top: int = 100) -> dict:
    order = np.argsort(-p, kind="stable")[:top]
    return {"roc_auc": float(roc_auc_score(y, p)), "pr_auc": float(average_precision_score(y, p)),
            "brier": float(brier_score_loss(y, np.clip(p, 0, 1))), "precision_at_100": float(np.mean(y[order]))}  # fmt: skip


def evaluate(daily, deliveries, price, *, test_weeks: int, calendar=None, first: int = FIRST_CUTOFF) -> dict:
    days = int(daily["day"].max()) + 1
    cutoffs = list(range(first, days - HORIZON + 1, 7))
    test_start = cutoffs[-test_weeks]
    frames = {c: frame_at(daily, deliveries, c, calendar=calendar) for c in cutoffs}
    train_cutoffs = [c for c in cutoffs if c + HORIZON <= test_start]
    train = pd.concat([frames[c] for c in train_cutoffs[:-2]], ignore_index=True)
    calibration = pd.concat([frames[c] for c in train_cutoffs[-2:]], ignore_index=True)
    test = pd.concat([frames[c] for c in cutoffs if c >= test_start], ignore_index=True)
    model = StockoutModel().fit(train, calibration)
    predicted = model.predict(test, price=price[test["pair"].to_numpy()])
    y = test["stockout_14"].to_numpy()
    logistic = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    fitted = pd.concat([train, calibration])
    logistic.fit(fitted[list(FEATURES)], fitted["stockout_14"])
    rule = cover_rule_score(test).to_numpy()
    truth = test["days_to_stockout"].to_numpy()
    results = {
        "cover rule": {**scores(y, rule), "brier": float(brier_score_loss(y, (rule > 1).astype(float))),
                       "mae_days_to_stockout": float(np.mean(np.abs(np.clip(test["cover_days"], 0, HORIZON) - truth)))},
        "logistic": scores(y, logistic.predict_proba(test[list(FEATURES)])[:, 1]),
        "xgboost": {**scores(y, predicted["p_stockout_14"].to_numpy()),
                    "mae_days_to_stockout": float(np.mean(np.abs(predicted["days_to_stockout"] - truth)))},
        "xgboost_lead_time": scores(test["stockout_lead_time"].to_numpy(), predicted["p_stockout_lead_time"].to_numpy()),
    }  # fmt: skip
    better = max(results["cover rule"]["pr_auc"], results["logistic"]["pr_auc"])
    summary = {"pairs": int(daily["pair"].nunique()), "days": days, "train_rows": len(train), "test_rows": len(test),
               "test_positive_rate": float(y.mean()), "pr_auc_ratio_to_better_baseline": results["xgboost"]["pr_auc"] / better}  # fmt: skip
    return {"summary": summary, "models": results}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--demo", choices=["tiny", "demo", "large"], help="the demo generator's ledger, in memory")
    parser.add_argument("--csv", type=Path, default=Path("/work/shared/data/online-retail/online_retail.csv.gz"))
    parser.add_argument("--products", type=int, default=1500)
    parser.add_argument("--test-weeks", type=int, default=8)
    parser.add_argument("--seed", type=int, default=None, help="the demo's seed (7) or the simulated ledger's (0)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.demo:
        from bench.demo_ledger import demo_ledger
        from retailiq.demo.generator import generate_marketplace

        ledger = demo_ledger(generate_marketplace(size=args.demo, seed=7 if args.seed is None else args.seed))
        out = evaluate(ledger.daily, ledger.deliveries, ledger.price, test_weeks=args.test_weeks,
                       calendar=ledger.calendar)  # fmt: skip
        out["summary"]["data"] = f"demo {args.demo}"
    else:
        if not args.csv.exists():
            print(f"{args.csv} does not exist. {WHERE_TO_GET}", file=sys.stderr)
            return 1
        demand, price = daily_demand(args.csv, args.products)
        daily, deliveries = simulate_ledger(demand, LedgerOptions(seed=args.seed or 0))
        out = evaluate(daily, deliveries, price, test_weeks=args.test_weeks, first=70)
        out["summary"]["data"] = f"online retail, {args.products} stock codes"
    out["summary"]["seconds"] = round(time.perf_counter() - started, 1)
    if args.json:
        print(json.dumps(out))
        return 0
    print(f"stockout within 14 days: {out['summary']}")
    print(f"{'model':<20}{'ROC AUC':>9}{'PR AUC':>9}{'Brier':>9}{'P@100':>8}{'MAE days':>10}")
    for name, s in out["models"].items():
        mae = s.get("mae_days_to_stockout")
        print(f"{name:<20}{s['roc_auc']:>9.3f}{s['pr_auc']:>9.3f}{s['brier']:>9.4f}{s['precision_at_100']:>8.2f}"
              f"{'' if mae is None else f'{mae:>10.2f}'}")  # fmt: skip
    print("the cover rule's Brier score is for its yes/no answer (cover < lead time + spread); its days to stockout "
          "are its days of cover")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())

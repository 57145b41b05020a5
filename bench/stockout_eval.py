"""Stockout risk on a simulated ledger from real Online Retail demand: XGBoost against the analyst's rule
("lead time + its spread > days of cover", counting orders due in time) and a logistic regression on the same
features. Weekly cutoffs; the last --test-weeks are the test set, the two cutoffs before them calibrate, and no
training label reaches past the first test cutoff.

    .venv/bin/python bench/stockout_eval.py --csv /work/shared/data/online-retail/online_retail.csv.gz \\
        [--products 1500] [--test-weeks 8] [--seed 0] [--json]

The ledger (optimization.ml.ledger) replenishes each stock code by an (s, S) policy on a trailing mean, with
stochastic lead times and a quarter of vendors late and short; Online Retail has no warehouses, festivals or
promotions, so those features are absent here.
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
from optimization.ml.stockout import FEATURES, StockoutModel, cover_rule_score, stockout_frame  # noqa: E402

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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--csv", type=Path, default=Path("/work/shared/data/online-retail/online_retail.csv.gz"))
    parser.add_argument("--products", type=int, default=1500)
    parser.add_argument("--test-weeks", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not args.csv.exists():
        print(f"{args.csv} does not exist. {WHERE_TO_GET}", file=sys.stderr)
        return 1
    started = time.perf_counter()
    demand, price = daily_demand(args.csv, args.products)
    daily, deliveries = simulate_ledger(demand, LedgerOptions(seed=args.seed))
    days = demand.shape[1]
    cutoffs = list(range(70, days - 14 + 1, 7))
    test_start = cutoffs[-args.test_weeks]
    frames = {c: stockout_frame(daily, deliveries, c) for c in cutoffs}
    train_cutoffs = [c for c in cutoffs if c + 14 <= test_start]
    train = pd.concat([frames[c] for c in train_cutoffs[:-2]], ignore_index=True)
    calibration = pd.concat([frames[c] for c in train_cutoffs[-2:]], ignore_index=True)
    test = pd.concat([frames[c] for c in cutoffs if c >= test_start], ignore_index=True)
    model = StockoutModel().fit(train, calibration)
    predicted = model.predict(test, price=price[test["pair"].to_numpy()])
    y = test["stockout_14"].to_numpy()
    logistic = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
    logistic.fit(pd.concat([train, calibration])[list(FEATURES)], pd.concat([train, calibration])["stockout_14"])
    rule = cover_rule_score(test).to_numpy()
    results = {
        "cover rule": {**scores(y, rule), "brier": float(brier_score_loss(y, (rule > 1).astype(float)))},
        "logistic": scores(y, logistic.predict_proba(test[list(FEATURES)])[:, 1]),
        "xgboost": scores(y, predicted["p_stockout_14"].to_numpy()),
    }
    results["xgboost"]["mae_days_to_stockout"] = float(np.mean(np.abs(predicted["days_to_stockout"] -
                                                                      test["days_to_stockout"])))  # fmt: skip
    results["xgboost_lead_time"] = scores(
        test["stockout_lead_time"].to_numpy(), predicted["p_stockout_lead_time"].to_numpy()
    )
    better = max(results["cover rule"]["pr_auc"], results["logistic"]["pr_auc"])
    summary = {"pairs": int(demand.shape[0]), "train_rows": len(train), "test_rows": len(test),
               "test_positive_rate": float(y.mean()), "pr_auc_ratio_to_better_baseline": results["xgboost"]["pr_auc"] / better,
               "seconds": time.perf_counter() - started}  # fmt: skip
    if args.json:
        print(json.dumps({"summary": summary, "models": results}))
        return 0
    print(f"stockout within 14 days: {summary}")
    print(f"{'model':<20}{'ROC AUC':>9}{'PR AUC':>9}{'Brier':>9}{'P@100':>8}{'MAE days':>10}")
    for name, s in results.items():
        mae = s.get("mae_days_to_stockout")
        print(f"{name:<20}{s['roc_auc']:>9.3f}{s['pr_auc']:>9.3f}{s['brier']:>9.4f}{s['precision_at_100']:>8.2f}"
              f"{'' if mae is None else f'{mae:>10.2f}'}")  # fmt: skip
    print("the cover rule's Brier score is for its yes/no answer (cover < lead time + spread)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

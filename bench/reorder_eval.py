"""Reorder prediction on any transactions CSV: every RetailIQ model and the ensemble against two baselines, on a
temporal split; prints one table (or JSON with --json).

    .venv/bin/python bench/reorder_eval.py --csv FILE --customer COL --product COL --date COL --quantity COL \\
        [--price COL] [--invoice COL] --horizon-days N [--train-until YYYY-MM-DD] [--step-days D] \\
        [--members LIST] [--epochs E] [--max-train-rows R] [--max-eval-rows R] [--param KEY=VALUE ...] [--json]

The cutoffs come from the history's length (reorder.ml.schedule) unless given: every --step-days days (default
about a thirtieth of the history, 1 to 14 days) after a warm-up, the last one leaving N days of labels. Cutoffs on
or after --train-until are the test set (default: the last cutoffs over at most 13 weeks, about 30% of the span);
earlier ones whose N-day label window ends by then train, the last one or two validate (early stopping, blend
weights, calibration, F1 thresholds, and whether the ensemble or the strong baseline serves); cutoffs whose labels
would straddle the test start are dropped, so no test-period order ever reaches training. The output says what was
chosen. Three months of history work without flags.

Returns and cancellations (negative quantity, or an invoice starting with "C" when --invoice is given), lines
without a customer and lines with a non-positive price are dropped first.

Online Retail (UCI, id 352: https://archive.ics.uci.edu/dataset/352/online+retail), as the bench reads it:

    .venv/bin/python bench/reorder_eval.py --csv /work/shared/data/online-retail/online_retail.csv.gz \\
        --customer CustomerID --product StockCode --date InvoiceDate --quantity Quantity --price UnitPrice \\
        --invoice InvoiceNo --horizon-days 14
"""

import argparse
import json
import logging
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from reorder.ml.history import validate_history  # noqa: E402
from reorder.ml.training import BASELINES, ENSEMBLE, train_ensemble  # noqa: E402

log = logging.getLogger("reorder_eval")
JSON_FIELDS = ("roc_auc", "pr_auc", "f1", "brier", "precision_at_100", "fit_seconds")
WHERE_TO_GET = (
    "Online Retail is the UCI data set 352 (https://archive.ics.uci.edu/dataset/352/online+retail); "
    "save its sheet as CSV (gzip is fine) and pass the file with --csv."
)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--csv", required=True, type=Path)
    parser.add_argument("--customer", required=True)
    parser.add_argument("--product", required=True)
    parser.add_argument("--date", required=True)
    parser.add_argument("--quantity", required=True)
    parser.add_argument("--price", help="unit price column; without it every line is priced 1")
    parser.add_argument("--invoice", help="invoice column; invoices starting with C (cancellations) are dropped")
    parser.add_argument("--horizon-days", type=int, required=True)
    parser.add_argument("--train-until", help="first test cutoff (default: chosen from the history's length)")
    parser.add_argument("--step-days", type=int, help="days between cutoffs (default: chosen from the history)")
    parser.add_argument(
        "--members",
        default="lightgbm",
        help="e.g. lightgbm,ffn,lstm for the nets too; lightgbm,logreg_strong blends in the strong baseline's "
        "logistic regression",
    )
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--max-train-rows", type=int, default=400_000)
    parser.add_argument("--max-eval-rows", type=int, default=800_000, help="cap on validation and test rows (sampled)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a training option over the defaults, the value as JSON where it parses "
        "(e.g. decay_features=false, 'lightgbm={\"two_stage_horizons\": []}' for one stage at every horizon)",
    )
    parser.add_argument("--json", action="store_true", help="print only the JSON scores")
    return parser.parse_args(argv)


def load_history(args: argparse.Namespace) -> pd.DataFrame:
    """The CSV as the long history format, returns, cancellations and unusable lines dropped."""
    columns = [args.customer, args.product, args.date, args.quantity, *filter(None, [args.price, args.invoice])]
    text_columns = [args.customer, args.product, *filter(None, [args.invoice])]
    raw = pd.read_csv(args.csv, usecols=columns, dtype=dict.fromkeys(text_columns, str))
    keep = raw[args.customer].notna() & (pd.to_numeric(raw[args.quantity], errors="coerce") > 0)
    if args.price:
        keep &= pd.to_numeric(raw[args.price], errors="coerce") > 0
    if args.invoice:
        keep &= ~raw[args.invoice].astype(str).str.upper().str.startswith("C")
    raw = raw[keep]
    history = pd.DataFrame(
        {
            "retailer_id": raw[args.customer].str.strip().to_numpy(),
            "product_id": raw[args.product].astype(str).str.strip().to_numpy(),
            "date": pd.to_datetime(raw[args.date]).to_numpy(),
            "quantity": pd.to_numeric(raw[args.quantity]).astype(float).to_numpy(),
            "unit_price": pd.to_numeric(raw[args.price]).astype(float).to_numpy() if args.price else 1.0,
        }
    )
    log.info("%d of %d lines kept after dropping returns, cancellations and unusable lines", len(history), len(keep))
    return validate_history(history)


def training_params(args: argparse.Namespace) -> dict:
    """Every cutoff the history allows (no cap), the test period and step chosen from its length unless given."""
    return {
        "horizon_days": args.horizon_days,
        "n_cutoffs": 0,
        "step_days": args.step_days,
        "test_cutoffs": 0,
        "test_start": args.train_until,
        "max_train_rows": args.max_train_rows,
        "max_eval_rows": args.max_eval_rows,
        "members": [m.strip() for m in args.members.split(",") if m.strip()],
        "epochs": args.epochs,
        "refit": False,  # the scores come from the models fitted before the test period; a refit is for serving
        "seed": args.seed,
        **dict(_param(item) for item in args.param),
    }


def _param(item: str) -> tuple[str, object]:
    key, sep, value = item.partition("=")
    if not sep or not key:
        raise SystemExit(f"--param {item!r}: expected KEY=VALUE")
    try:
        return key.strip(), json.loads(value)
    except json.JSONDecodeError:
        return key.strip(), value


def report(metrics: dict, horizon: int) -> dict:
    evaluation = metrics["evaluation"]
    models = evaluation["horizons"][str(horizon)]["models"]
    return {
        "models": {name: {key: scores.get(key) for key in JSON_FIELDS} for name, scores in models.items()},
        "served": evaluation["selection"]["served"],
        "schedule": evaluation["schedule"],
    }


def print_table(metrics: dict, horizon: int, seconds: float, command: str) -> None:
    evaluation = metrics["evaluation"]
    at_horizon = evaluation["horizons"][str(horizon)]
    models = at_horizon["models"]
    order = [*BASELINES, *[m for m in evaluation["members"] if m in models], ENSEMBLE]
    header = f"{'model':<18}{'ROC AUC':>9}{'PR AUC':>9}{'F1':>8}{'Brier':>9}{'P@100':>8}{'fit s':>8}"
    header += f"{'qty MAE':>10}{'qty RMSE':>10}{'qty R2':>8}"
    print(f"reorder within {horizon} days: {command}")
    print(f"schedule: {evaluation['schedule']['description']}")
    print(f"rows {evaluation['rows']}; test reorder rate {at_horizon['positive_rate_test']:.3%}")
    print(header)
    print("-" * len(header))
    for name in order:
        s = models[name]
        print(
            f"{name:<18}{_fmt(s['roc_auc'], 9)}{_fmt(s['pr_auc'], 9)}{_fmt(s['f1'], 8)}{_fmt(s['brier'], 9, 4)}"
            f"{_fmt(s['precision_at_100'], 8, 2)}{_fmt(s['fit_seconds'], 8, 1)}"
            f"{_fmt(s.get('quantity_mae'), 10, 1)}{_fmt(s.get('quantity_rmse'), 10, 1)}{_fmt(s.get('quantity_r2'), 8)}"
        )
    selection = evaluation["selection"]
    scores = ", ".join(
        f"{name} ROC AUC {v['roc_auc']:.3f} PR AUC {v['pr_auc']:.3f}" for name, v in selection["validation"].items()
    )
    print(f"serves: {selection['served']} ({selection['rule']}; validation: {scores})")
    ensemble = models[ENSEMBLE]
    print(
        f"ensemble weights {at_horizon['weights']}; quantity weights {evaluation['quantity_weights']}; "
        f"calibration {at_horizon['calibration']['method']}: ECE {ensemble['ece_before']:.4f} -> "
        f"{ensemble['ece_after']:.4f}, Brier {ensemble['brier_before']:.4f} -> {ensemble['brier']:.4f}"
    )
    print(
        "baselines' quantity is the mean of the pair's last three orders; precision@100 is averaged over test cutoffs"
    )
    print(f"wall time {seconds:.0f} s")


def _fmt(value, width: int, digits: int = 3) -> str:
    return f"{'-':>{width}}" if value is None or not np.isfinite(value) else f"{value:>{width}.{digits}f}"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.json else logging.INFO, format="%(message)s", stream=sys.stderr)
    if not args.csv.exists():
        print(f"{args.csv} does not exist. {WHERE_TO_GET}", file=sys.stderr)
        return 1
    started = time.perf_counter()
    history = load_history(args)
    params = training_params(args)
    result = train_ensemble(
        history,
        horizons=(args.horizon_days,),
        params=params,
        progress=lambda stage, percent, message: log.info("[%3d%%] %s: %s", percent, stage, message),
    )
    seconds = time.perf_counter() - started
    if args.json:
        print(json.dumps(report(result.metrics, args.horizon_days)))
    else:
        command = " ".join(["bench/reorder_eval.py", *(argv if argv is not None else sys.argv[1:])])
        print_table(result.metrics, args.horizon_days, seconds, command)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Which reorder features earn their place: LightGBM on the base features and with each added set (the repeat and
rhythm features of reorder.ml.rhythm_features, the horizon and co-occurrence features of
reorder.ml.horizon_features), under one or more LightGBM settings, against the strong logistic baseline, on the same
cutoffs; prints one line per model with its validation and test ROC AUC and PR AUC.

    .venv/bin/python bench/reorder_ablation.py --csv FILE --customer COL --product COL --date COL --quantity COL \\
        [--price COL] [--invoice COL] --horizon-days N --test-start YYYY-MM-DD --cache DIR \\
        [--sets base,horizon,cooc,horizon+cooc] [--lgbm "" --lgbm learning_rate=0.02,min_data_in_leaf=200] \\
        [--rounds 600]

Cutoffs run every 14 days back from the last one that leaves 30 days of labels, from 60 days after the first day;
each cutoff's features and labels (14 and 30 days) are written once to --cache (a pair-hash sample: 50% of the
pairs from 31 days before --test-start on, 25% before) and reused by later runs; the horizon and co-occurrence
features are cached apart (horizon_*.parquet), so caches written before them stay usable.
Cutoffs on or after --test-start test; the two latest whose labels end by then validate (early stopping, and the
choice of features and settings: pick on the validation columns, read the test columns only for the pick);
earlier ones whose labels end by the first validation cutoff train. Online Retail, as in docs/benchmarks.md:

    .venv/bin/python bench/reorder_ablation.py --csv /work/shared/data/online-retail/online_retail.csv.gz \\
        --customer CustomerID --product StockCode --date InvoiceDate --quantity Quantity --price UnitPrice \\
        --invoice InvoiceNo --horizon-days 14 --test-start 2011-09-01 --cache /tmp/reorder_ablation
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import lightgbm as lgb  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import reorder_eval  # noqa: E402
from sklearn.metrics import average_precision_score, roc_auc_score  # noqa: E402

from reorder.ml.baselines import RecencyFrequencyLogit, StrongLogit  # noqa: E402
from reorder.ml.features import KEYS, feature_columns, features_from_valid_history, orders_before  # noqa: E402
from reorder.ml.horizon_features import COOCCURRENCE_PREFIXES, HORIZON_PREFIXES, horizon_features  # noqa: E402
from reorder.ml.labels import labels_from_valid_history  # noqa: E402
from reorder.ml.lgbm import LightGBMOptions  # noqa: E402
from reorder.ml.training.rows import pair_hash  # noqa: E402

NEW = (
    "repeat_",
    "baskets_since",
    "pair_basket_share",
    "product_interval_",
    "product_n_intervals",
    "overdue_vs_product",
)
NEW += ("retailer_order_hazard", "retailer_gap_median", "retailer_weekday", "two_stage")
# What each --sets name adds to the base features: prefixes of columns.
SETS = {
    "base": (),
    "new": NEW,
    "horizon": HORIZON_PREFIXES,
    "gamma": ("horizon_pair_gamma_",),
    "product_within": ("horizon_product_within_",),
    "cooc": COOCCURRENCE_PREFIXES,
    "horizon+cooc": HORIZON_PREFIXES + COOCCURRENCE_PREFIXES,
    "all": NEW + HORIZON_PREFIXES + COOCCURRENCE_PREFIXES,
}
LABELS = (14, 30)


def build(history: pd.DataFrame, test_start: pd.Timestamp, cache: Path) -> pd.DataFrame:
    cache.mkdir(parents=True, exist_ok=True)
    latest = history["date"].max() + pd.Timedelta(days=1 - max(LABELS))
    first = history["date"].min() + pd.Timedelta(days=60)
    cutoffs = sorted(c for c in (latest - pd.Timedelta(days=14 * k) for k in range(60)) if c >= first)
    frames = []
    for cutoff in cutoffs:
        path = cache / f"cut_{cutoff.date()}.parquet"
        if not path.exists():
            frame = features_from_valid_history(history, cutoff, rhythm=True).merge(
                labels_from_valid_history(history, cutoff, LABELS), on=KEYS, how="left"
            )
            keep = 0.5 if cutoff >= test_start - pd.Timedelta(days=31) else 0.25
            frame = frame[pair_hash(frame[KEYS]) < keep].reset_index(drop=True)
            frame["cutoff"] = cutoff
            floats = frame.select_dtypes("float64").columns
            frame[floats] = frame[floats].astype("float32")
            frame.to_parquet(path)
        frame = pd.read_parquet(path)
        # The horizon and co-occurrence features are cached apart, so caches written before them stay usable.
        extra_path = cache / f"horizon_{cutoff.date()}.parquet"
        if not extra_path.exists():
            _, orders = orders_before(history, cutoff)
            extra = horizon_features(orders).drop(columns="pair")
            extra = extra.merge(frame[KEYS], on=KEYS, how="inner")
            floats = extra.select_dtypes("float64").columns
            extra[floats] = extra[floats].astype("float32")
            extra.to_parquet(extra_path)
        frames.append(frame.merge(pd.read_parquet(extra_path), on=KEYS, how="left"))
    return pd.concat(frames, ignore_index=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for name in ("--csv", "--customer", "--product", "--date", "--quantity", "--test-start", "--cache"):
        parser.add_argument(name, required=True)
    parser.add_argument("--price")
    parser.add_argument("--invoice")
    parser.add_argument("--horizon-days", type=int, required=True, choices=LABELS)
    parser.add_argument("--sets", default="base,horizon,cooc,horizon+cooc", help=f"feature sets: {', '.join(SETS)}")
    parser.add_argument(
        "--lgbm",
        action="append",
        default=[],
        help='LightGBM settings to try ("" for the defaults), e.g. learning_rate=0.02,min_data_in_leaf=200',
    )
    parser.add_argument("--rounds", type=int, default=600, help="most boosting rounds (early stopping on validation)")
    args = parser.parse_args()
    args.csv = Path(args.csv)
    history = reorder_eval.load_history(args)
    test_start = pd.Timestamp(args.test_start)
    frames = build(history, test_start, Path(args.cache))
    labels = frames.drop(columns=["next_order_quantity", "days_to_next_order"])
    every = feature_columns(labels)
    added = tuple(prefix for prefixes in SETS.values() for prefix in prefixes)
    base = [c for c in every if not c.startswith(added)]
    horizon, y = args.horizon_days, f"ordered_within_{args.horizon_days}"
    cutoffs = sorted(frames["cutoff"].unique())
    test = [c for c in cutoffs if c >= test_start]
    rest = [c for c in cutoffs if c + pd.Timedelta(days=horizon) <= test_start]
    validation = rest[-2:]
    train = [c for c in rest[:-2] if c + pd.Timedelta(days=horizon) <= validation[0]]
    parts = {
        name: frames[frames["cutoff"].isin(chosen)].reset_index(drop=True)
        for name, chosen in (("train", train), ("validation", validation), ("test", test))
    }
    print(
        f"within {horizon} days; rows and reorder rate: "
        + ", ".join(f"{k} {len(v):,} {v[y].mean():.2%}" for k, v in parts.items())
    )
    print(f"test cutoffs {test[0].date()}..{test[-1].date()} ({len(test)}); {len(base)} base features")
    print(f"validation cutoffs {', '.join(str(c.date()) for c in validation)}; {len(train)} training cutoffs")
    scores = {}

    def report(name: str, p_val, p_test, seconds: float) -> None:
        scores[name] = (roc_auc_score(parts["test"][y], p_test), average_precision_score(parts["test"][y], p_test))
        val = roc_auc_score(parts["validation"][y], p_val), average_precision_score(parts["validation"][y], p_val)
        line = f"{name:<40} validation ROC AUC {val[0]:.4f} PR AUC {val[1]:.4f} | test ROC AUC {scores[name][0]:.4f}"
        line += f" PR AUC {scores[name][1]:.4f} | {seconds:5.0f} s"
        if "baseline_logreg_strong" in scores and name != "baseline_logreg_strong":
            strong = scores["baseline_logreg_strong"]
            line += f" | vs strong {scores[name][0] - strong[0]:+.4f}, PR x{scores[name][1] / strong[1]:.3f}"
        print(line, flush=True)

    for name, model in (("baseline_logreg", RecencyFrequencyLogit()), ("baseline_logreg_strong", StrongLogit())):
        started = time.perf_counter()
        model.fit(parts["train"], parts["train"][y])
        proba = [model.predict_proba(parts[p])[:, 1] for p in ("validation", "test")]
        report(name, *proba, time.perf_counter() - started)
    window = f"two_stage_{min((7, 14, 30), key=lambda w: abs(w - horizon))}d"
    report(f"{window} alone", parts["validation"][window], parts["test"][window], 0.0)
    settings = args.lgbm or [""]  # an empty --lgbm "" is the default settings
    for key in args.sets.split(","):
        columns = base + [c for c in every if SETS[key] and c.startswith(SETS[key])]
        for setting in settings:
            # LightGBM's shared settings, not the per-horizon overrides of the default: each line names what it changes.
            params = LightGBMOptions(num_threads=1).booster_params("binary")
            params.update({k: float(v) for k, v in (item.split("=") for item in setting.split(",") if item)})
            for integer in ("num_leaves", "min_data_in_leaf", "max_depth"):
                if integer in params:
                    params[integer] = int(params[integer])
            name = "lightgbm" + (f" {key}" if key != "base" else "") + (f" [{setting}]" if setting else "")
            started = time.perf_counter()
            matrix = {p: parts[p][columns].to_numpy(np.float32) for p in parts}
            train_set = lgb.Dataset(matrix["train"], parts["train"][y])
            valid = lgb.Dataset(matrix["validation"], parts["validation"][y], reference=train_set)
            booster = lgb.train(
                params,
                train_set,
                args.rounds,
                valid_sets=[valid],
                callbacks=[lgb.early_stopping(30, verbose=False)],
            )
            seconds = time.perf_counter() - started
            report(
                f"{name} ({len(columns)}f, {booster.best_iteration}it)",
                booster.predict(matrix["validation"]),
                booster.predict(matrix["test"]),
                seconds,
            )


if __name__ == "__main__":
    main()

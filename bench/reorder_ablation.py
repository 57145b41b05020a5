"""Which reorder features earn their place: LightGBM on the base features and with each added set (the repeat and
rhythm features of reorder.ml.rhythm_features, the horizon and co-occurrence features of
reorder.ml.horizon_features), under one or more LightGBM settings, against the strong logistic baseline, on the same
cutoffs; prints one line per model with its validation and test ROC AUC and PR AUC. The decayed repeat and
shop rhythm features of reorder.ml.decay_features are the sets decay (all), decay_pair, decay_shop and
decay_two_stage; "a+b" joins sets. With --two-stage, each set and setting also runs as two stages: P(the shop
orders anything within the horizon) x P(the pair | the shop orders).

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
from reorder.ml.decay_features import decay_features  # noqa: E402
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
    # reorder.ml.decay_features, whole and in parts: pair repeat scores, shop rhythm, the two-stage products
    "decay": ("decay_",),
    "decay_pair": ("decay_pair_",),
    "decay_shop": ("decay_shop_",),
    "decay_two_stage": ("decay_two_stage_",),
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
        frame = frame.merge(pd.read_parquet(extra_path), on=KEYS, how="left")
        # The decayed repeat and rhythm features likewise (reorder.ml.decay_features).
        decay_path = cache / f"decay_{cutoff.date()}.parquet"
        if not decay_path.exists():
            _, orders = orders_before(history, cutoff)
            pairs = orders.drop_duplicates("pair").set_index("pair")[KEYS]
            extra = decay_features(orders, cutoff).join(pairs, on="pair").drop(columns="pair")
            extra = extra.merge(frame[KEYS], on=KEYS, how="inner")
            floats = extra.select_dtypes("float64").columns
            # Filled as features_from_valid_history fills them (a shop with one basket has no median gap).
            extra[floats] = extra[floats].fillna(0.0).astype("float32")
            extra.to_parquet(decay_path)
        frames.append(frame.merge(pd.read_parquet(decay_path), on=KEYS, how="left"))
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
    parser.add_argument(
        "--two-stage",
        action="store_true",
        help="also P(shop orders within the horizon) x P(pair | the shop orders), for each set and setting",
    )
    parser.add_argument("--only-two-stage", action="store_true", help="with --two-stage: skip the single model")
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
    window = f"decay_two_stage_rate_{horizon}d"
    report(f"{window} alone", parts["validation"][window], parts["test"][window], 0.0)
    settings = args.lgbm or [""]  # an empty --lgbm "" is the default settings
    if args.two_stage:
        # Stage one's label: did the shop order anything at all within the horizon after the cutoff.
        for part in parts.values():
            part["shop_orders"] = _shop_orders_within(history, part, horizon)
    for key in args.sets.split(","):
        # "a+b" is the union of sets a and b (unless named in SETS itself, like "horizon+cooc").
        prefixes = SETS[key] if key in SETS else tuple(p for part in key.split("+") for p in SETS[part])
        columns = base + [c for c in every if prefixes and c.startswith(prefixes)]
        for setting in settings:
            # LightGBM's shared settings, not the per-horizon overrides of the default: each line names what it changes.
            params = LightGBMOptions(num_threads=1).booster_params("binary")
            params.update({k: float(v) for k, v in (item.split("=") for item in setting.split(",") if item)})
            for integer in ("num_leaves", "min_data_in_leaf", "max_depth"):
                if integer in params:
                    params[integer] = int(params[integer])
            name = "lightgbm" + (f" {key}" if key != "base" else "") + (f" [{setting}]" if setting else "")
            started = time.perf_counter()
            if not (args.two_stage and args.only_two_stage):
                proba, rounds = _fit_predict(parts, columns, y, params, args.rounds)
                report(f"{name} ({len(columns)}f, {rounds}it)", *proba, time.perf_counter() - started)
            if not args.two_stage:
                continue
            # Two stages: P(the shop orders within the horizon), from one row per shop and cutoff with the shop's
            # columns, times P(the pair is in it | the shop orders), trained on the rows whose shop ordered.
            started = time.perf_counter()
            shop_columns = [c for c in columns if c.startswith(("retailer_", "decay_shop_", "cutoff_"))]
            shops = {p: v.drop_duplicates(["retailer_id", "cutoff"]).reset_index(drop=True) for p, v in parts.items()}
            (shop_val, shop_test), shop_rounds = _fit_predict(shops, shop_columns, "shop_orders", params, args.rounds)
            ordering = {p: v[v["shop_orders"] > 0].reset_index(drop=True) for p, v in parts.items()}
            # The second stage scores every row (its shop's order is not known when scoring).
            (given_val, given_test), given_rounds = _fit_predict(ordering, columns, y, params, args.rounds, parts)
            p_val = _by_shop(parts["validation"], shops["validation"], shop_val) * given_val
            p_test = _by_shop(parts["test"], shops["test"], shop_test) * given_test
            report(f"two-stage {name} ({shop_rounds}+{given_rounds}it)", p_val, p_test, time.perf_counter() - started)


def _fit_predict(parts: dict, columns: list[str], y: str, params: dict, rounds: int, score: dict | None = None):
    """LightGBM on parts["train"], stopped early on parts["validation"]'s log loss: its chances on the validation
    and test rows of ``score`` (default ``parts``), and the rounds kept."""
    score = parts if score is None else score
    matrix = {p: parts[p][columns].to_numpy(np.float32) for p in ("train", "validation")}
    train_set = lgb.Dataset(matrix["train"], parts["train"][y])
    valid = lgb.Dataset(matrix["validation"], parts["validation"][y], reference=train_set)
    booster = lgb.train(
        params, train_set, rounds, valid_sets=[valid], callbacks=[lgb.early_stopping(30, verbose=False)]
    )
    chances = [booster.predict(score[p][columns].to_numpy(np.float32)) for p in ("validation", "test")]
    return chances, booster.best_iteration


def _shop_orders_within(history: pd.DataFrame, part: pd.DataFrame, horizon: int) -> np.ndarray:
    """1 where the row's shop has any line within ``horizon`` days from the row's cutoff."""
    ordered = set()
    for cutoff in part["cutoff"].unique():
        window = history[(history["date"] >= cutoff) & (history["date"] < cutoff + pd.Timedelta(days=horizon))]
        ordered.update((shop, cutoff) for shop in window["retailer_id"].unique())
    keys = zip(part["retailer_id"], part["cutoff"], strict=True)
    return np.fromiter(((shop, cutoff) in ordered for shop, cutoff in keys), dtype=float, count=len(part))


def _by_shop(rows: pd.DataFrame, shops: pd.DataFrame, chance: np.ndarray) -> np.ndarray:
    """Each row's shop's chance, from one chance per (shop, cutoff) row of ``shops``."""
    index = pd.MultiIndex.from_frame(shops[["retailer_id", "cutoff"]])
    return pd.Series(chance, index=index).reindex(pd.MultiIndex.from_frame(rows[["retailer_id", "cutoff"]])).to_numpy()


if __name__ == "__main__":
    main()

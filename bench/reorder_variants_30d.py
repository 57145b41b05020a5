"""Variants of the 30-day two-stage classifier on the ablation's cached rows (bench/reorder_ablation.py): the
default, other LightGBM objectives and weights, other stage-one columns, columns left out, and averages of
several fits; prints one line per variant with its validation and test ROC AUC and PR AUC, and saves each
variant's validation and test chances to --out so blends can be scored afterwards (--blends).

    .venv/bin/python bench/reorder_variants_30d.py --csv /work/shared/data/online-retail/online_retail.csv.gz \\
        --customer CustomerID --product StockCode --date InvoiceDate --quantity Quantity --price UnitPrice \\
        --invoice InvoiceNo --test-start 2011-09-01 --cache /tmp/reorder_ablation --out /tmp/reorder_variants \\
        --variants default,seed1,seed2,seed3,seed4,one_stage,fourteen_day --blends

The cache, split and two stages are the ablation's (`--sets horizon+cooc+decay_shop+decay_two_stage --two-stage`):
the choice between variants is made on the validation columns; the test columns are read for the goals only.
"""

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import lightgbm as lgb  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import reorder_ablation as ablation  # noqa: E402
import reorder_eval  # noqa: E402
from scipy.special import expit, logit  # noqa: E402
from sklearn.metrics import average_precision_score, roc_auc_score  # noqa: E402

from reorder.ml.baselines import StrongLogit  # noqa: E402
from reorder.ml.features import feature_columns  # noqa: E402
from reorder.ml.lgbm import LightGBMOptions  # noqa: E402
from reorder.ml.two_stage import SHOP_PREFIXES  # noqa: E402

HORIZON = 30
LABEL = f"ordered_within_{HORIZON}"
EVALUATED = ("validation", "test")
# Piecewise-linear trees (a linear model in each leaf), for both stages: they extrapolate where the test cutoffs'
# longer histories lie beyond the training values, where constant leaves stay flat.
LINEAR = {"linear_tree": True, "linear_lambda": 1.0}
# Columns that are one number per cutoff (the marketplace's size): on a history that starts in December they grow
# with the cutoff, so the test cutoffs lie beyond every training value.
MARKET_SIZE = (
    "city_retailer_count",
    "segment_retailer_count",
    "segment_mean_value",
    "category_total_quantity",
    "category_n_products",
    "vendor_total_quantity",
    "vendor_n_retailers",
)
# Cumulative counts and ages of the pair, shop and product, which grow with the history's length likewise.
CUMULATIVE = (
    "pair_age_days",
    "retailer_age_days",
    "retailer_n_products",
    "retailer_total_value",
    "product_n_retailers",
    "product_total_quantity",
    "product_n_orders",
    "lifetime_quantity",
    "lifetime_value",
)


def booster_params(**changes) -> dict:
    """The 30-day classifier's settings (LightGBM's shared ones, one thread), with ``changes``."""
    params = LightGBMOptions(num_threads=1).booster_params("binary", HORIZON)
    params.update(changes)
    return params


class Bench:
    def __init__(self, parts: dict[str, pd.DataFrame], columns: list[str], every: list[str], base: list[str]):
        self.parts, self.columns, self.every, self.base = parts, columns, every, base
        self.shops = {k: v.drop_duplicates(["retailer_id", "cutoff"]).reset_index(drop=True) for k, v in parts.items()}
        self.ordering = {k: v[v["shop_orders"] > 0].reset_index(drop=True) for k, v in parts.items()}

    def fit(self, frames: dict, columns: list[str], label: str, params: dict, weight=None) -> lgb.Booster:
        train = lgb.Dataset(frames["train"][columns].to_numpy(np.float32), frames["train"][label], weight=weight)
        valid = lgb.Dataset(
            frames["validation"][columns].to_numpy(np.float32), frames["validation"][label], reference=train
        )
        return lgb.train(params, train, 600, valid_sets=[valid], callbacks=[lgb.early_stopping(30, verbose=False)])

    def predict(self, booster: lgb.Booster, frames: dict, columns: list[str]) -> list[np.ndarray]:
        return [booster.predict(frames[part][columns].to_numpy(np.float32)) for part in EVALUATED]

    def two_stages(
        self,
        columns: list[str] | None = None,
        shop_params: dict | None = None,
        pair_params: dict | None = None,
        shop_extra: tuple[str, ...] = (),
        pair_weight: Callable[[pd.DataFrame], np.ndarray] | None = None,
    ) -> tuple[list[np.ndarray], str]:
        """P(the shop orders within 30 days) from one row per shop and cutoff, times P(the pair | it orders)."""
        columns = columns or self.columns
        shop_columns = [c for c in columns if c.startswith(SHOP_PREFIXES)] + list(shop_extra)
        shop = self.fit(self.shops, shop_columns, "shop_orders", shop_params or booster_params())
        shop_chance = [
            ablation._by_shop(self.parts[part], self.shops[part], chance)
            for part, chance in zip(EVALUATED, self.predict(shop, self.shops, shop_columns), strict=True)
        ]
        weight = pair_weight(self.ordering["train"]) if pair_weight else None
        pair = self.fit(self.ordering, columns, LABEL, pair_params or booster_params(), weight)
        given = self.predict(pair, self.parts, columns)
        return [s * g for s, g in zip(shop_chance, given, strict=True)], f"{shop.num_trees()}+{pair.num_trees()} trees"

    def one_stage(self, columns: list[str], label: str = LABEL, params: dict | None = None):
        booster = self.fit(self.parts, columns, label, params or booster_params())
        return self.predict(booster, self.parts, columns), f"{booster.num_trees()} trees"

    def rank_given_order(self) -> tuple[list[np.ndarray], str]:
        """Stage two as LambdaRank within each shop and cutoff (mean average precision), squashed by a sigmoid."""
        shop_columns = [c for c in self.columns if c.startswith(SHOP_PREFIXES)]
        shop = self.fit(self.shops, shop_columns, "shop_orders", booster_params())
        shop_chance = [
            ablation._by_shop(self.parts[part], self.shops[part], chance)
            for part, chance in zip(EVALUATED, self.predict(shop, self.shops, shop_columns), strict=True)
        ]
        sets = {}
        for part in ("train", "validation"):
            rows = self.ordering[part].sort_values(["cutoff", "retailer_id"], kind="stable")
            groups = rows.groupby(["cutoff", "retailer_id"], sort=False).size().to_numpy()
            sets[part] = lgb.Dataset(
                rows[self.columns].to_numpy(np.float32),
                rows[LABEL],
                group=groups,
                reference=sets.get("train"),
            )
        params = booster_params(objective="lambdarank", metric="map", eval_at=[1000])
        pair = lgb.train(
            params,
            sets["train"],
            600,
            valid_sets=[sets["validation"]],
            callbacks=[lgb.early_stopping(30, verbose=False)],
        )
        given = [expit(g) for g in self.predict(pair, self.parts, self.columns)]
        return [s * g for s, g in zip(shop_chance, given, strict=True)], f"{shop.num_trees()}+{pair.num_trees()} trees"

    def later_cutoffs_weighted(self, strength: float) -> Callable[[pd.DataFrame], np.ndarray]:
        order = {c: i for i, c in enumerate(sorted(self.parts["train"]["cutoff"].unique()))}
        last = max(max(order.values()), 1)
        return lambda rows: np.exp(strength * rows["cutoff"].map(order).to_numpy(float) / last)

    def without(self, names: tuple[str, ...]) -> list[str]:
        return [c for c in self.columns if c not in set(names)]

    def variants(self) -> dict[str, Callable[[], tuple[list[np.ndarray], str]]]:
        rhythm = tuple(c for c in self.every if c.startswith(("retailer_order_hazard", "retailer_gap_median")))
        weekdays = tuple(c for c in self.every if c.startswith("retailer_weekday"))
        fourteen = self.base + [c for c in self.every if c.startswith(ablation.SETS["horizon+cooc"])]
        seeds = {
            f"seed{k}": (lambda k=k: self.two_stages(None, booster_params(seed=k), booster_params(seed=k)))
            for k in range(1, 5)
        }
        linear = {
            f"linear_trees{f'_seed{k}' if k else ''}": (
                lambda k=k: self.two_stages(None, booster_params(**LINEAR, seed=k), booster_params(**LINEAR, seed=k))
            )
            for k in range(3)
        }
        return {
            "default": lambda: self.two_stages(),
            **seeds,
            "one_stage": lambda: self.one_stage(self.columns),
            "fourteen_day": lambda: self.one_stage(
                fourteen, "ordered_within_14", booster_params(min_data_in_leaf=300, lambda_l2=10.0)
            ),
            "pos_weight3": lambda: self.two_stages(pair_params=booster_params(scale_pos_weight=3)),
            "pos_weight3_ap_stop": lambda: self.two_stages(
                pair_params=booster_params(scale_pos_weight=3, metric="average_precision")
            ),
            "ap_stop": lambda: self.two_stages(pair_params=booster_params(metric="average_precision")),
            "lambdarank": self.rank_given_order,
            "regularised": lambda: self.two_stages(
                pair_params=booster_params(min_data_in_leaf=200, lambda_l2=10.0, feature_fraction=0.6)
            ),
            "leaves15": lambda: self.two_stages(pair_params=booster_params(num_leaves=15, min_data_in_leaf=100)),
            "linear_trees_pair": lambda: self.two_stages(pair_params=booster_params(**LINEAR)),
            **linear,
            "shop_hazard": lambda: self.two_stages(shop_extra=rhythm),
            "shop_hazard_weekdays": lambda: self.two_stages(shop_extra=rhythm + weekdays),
            "no_market_size": lambda: self.two_stages(self.without(MARKET_SIZE)),
            "no_market_size_month": lambda: self.two_stages(
                self.without((*MARKET_SIZE, "cutoff_month_sin", "cutoff_month_cos"))
            ),
            "no_cumulative": lambda: self.two_stages(self.without(MARKET_SIZE + CUMULATIVE)),
            "later_cutoffs_x2.7": lambda: self.two_stages(pair_weight=self.later_cutoffs_weighted(1.0)),
            "later_cutoffs_x7.4": lambda: self.two_stages(pair_weight=self.later_cutoffs_weighted(2.0)),
        }


def blends(out: Path, report: Callable) -> None:
    """Averages of the saved seeds, and those averaged with the one-stage and 14-day models at a few weights."""

    def saved(name: str) -> list[np.ndarray] | None:
        path = out / f"{name}.npz"
        return [np.load(path)[part] for part in EVALUATED] if path.exists() else None

    seeds = [s for s in (saved(n) for n in ("default", "seed1", "seed2", "seed3", "seed4")) if s is not None]
    if len(seeds) < 2:
        return
    mean = [np.mean([s[i] for s in seeds], axis=0) for i in range(2)]
    report(f"mean of {len(seeds)} seeds", mean, "")
    for name in ("one_stage", "fourteen_day"):
        other = saved(name)
        for weight in (0.1, 0.2, 0.3) if other is not None else ():
            blended = [expit((1 - weight) * logit(m) + weight * logit(o)) for m, o in zip(mean, other, strict=True)]
            report(f"seeds + {name} (log-odds, weight {weight})", blended, "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for name in ("--csv", "--customer", "--product", "--date", "--quantity", "--test-start", "--cache", "--out"):
        parser.add_argument(name, required=True)
    parser.add_argument("--price")
    parser.add_argument("--invoice")
    parser.add_argument("--variants", default="default", help="comma-separated; 'all' for every one")
    parser.add_argument("--blends", action="store_true", help="also score blends of the variants saved in --out")
    args = parser.parse_args()
    args.csv = Path(args.csv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    history = reorder_eval.load_history(args)
    test_start = pd.Timestamp(args.test_start)
    frames = ablation.build(history, test_start, Path(args.cache))
    every = feature_columns(frames.drop(columns=["next_order_quantity", "days_to_next_order"]))
    added = tuple(prefix for prefixes in ablation.SETS.values() for prefix in prefixes)
    base = [c for c in every if not c.startswith(added)]
    default_sets = ablation.SETS["horizon+cooc"] + ("decay_shop_", "decay_two_stage_")
    columns = base + [c for c in every if c.startswith(default_sets)]
    cutoffs = sorted(frames["cutoff"].unique())
    rest = [c for c in cutoffs if c + pd.Timedelta(days=HORIZON) <= test_start]
    validation = rest[-2:]
    chosen = {
        "train": [c for c in rest[:-2] if c + pd.Timedelta(days=HORIZON) <= validation[0]],
        "validation": validation,
        "test": [c for c in cutoffs if c >= test_start],
    }
    parts = {name: frames[frames["cutoff"].isin(c)].reset_index(drop=True) for name, c in chosen.items()}
    for part in parts.values():
        part["shop_orders"] = ablation._shop_orders_within(history, part, HORIZON)
    labels = {part: parts[part][LABEL].to_numpy() for part in EVALUATED}
    print(f"rows {', '.join(f'{k} {len(v):,}' for k, v in parts.items())}; {len(columns)} columns")
    strong_scores = {}

    def report(name: str, chances: list[np.ndarray], note: str) -> None:
        (vr, vp), (tr, tp) = (
            (roc_auc_score(labels[p], c), average_precision_score(labels[p], c))
            for p, c in zip(EVALUATED, chances, strict=True)
        )
        line = f"{name:<44} validation ROC AUC {vr:.4f} PR AUC {vp:.4f} | test ROC AUC {tr:.4f} PR AUC {tp:.4f}"
        if strong_scores:
            line += f" | vs strong {tr - strong_scores['roc']:+.4f}, PR x{tp / strong_scores['pr']:.3f}"
        print(f"{line} {note}", flush=True)

    strong = StrongLogit().fit(parts["train"], parts["train"][LABEL])
    chances = [strong.predict_proba(parts[p])[:, 1] for p in EVALUATED]
    report("baseline_logreg_strong", chances, "")
    strong_scores.update(
        roc=roc_auc_score(labels["test"], chances[1]), pr=average_precision_score(labels["test"], chances[1])
    )
    bench = Bench(parts, columns, every, base)
    variants = bench.variants()
    names = list(variants) if args.variants == "all" else args.variants.split(",")
    for name in names:
        started = time.perf_counter()
        chances, note = variants[name]()
        report(name, chances, f"({note}, {time.perf_counter() - started:.0f} s)")
        np.savez(out / f"{name}.npz", validation=chances[0], test=chances[1])
    if args.blends:
        blends(out, report)


if __name__ == "__main__":
    main()

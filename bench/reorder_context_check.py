"""The horizon and co-occurrence features through the market context, checked against an earlier implementation on
real data: at each cutoff of bench/reorder_ablation.py (every 14 days), the features computed from a
:class:`~reorder.ml.horizon_features.HorizonContext` must equal, bit for bit, those of the module given with
--old (an earlier ``reorder/ml/horizon_features.py``, e.g. ``git show REV:reorder/ml/horizon_features.py``), bit for
bit but for co-occurrence means an ulp outside [0, 1], now clipped, so every benchmark figure measured with the old
module stands; then, at the last cutoff, shops one at a time with the whole
marketplace's context must get the rows of one pass over every shop. Prints the sizes of the context. Asserts.

    git show b4c34ae:reorder/ml/horizon_features.py > /tmp/old_horizon_features.py
    .venv/bin/python bench/reorder_context_check.py --old /tmp/old_horizon_features.py [--step 1] [--shops 150] \\
        --csv ../shared/data/online-retail/online_retail.csv.gz --customer CustomerID --product StockCode \\
        --date InvoiceDate --quantity Quantity --price UnitPrice --invoice InvoiceNo
"""

import argparse
import importlib.util
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import reorder_eval  # noqa: E402

from reorder.ml.features import KEYS, features_from_valid_history, market_context, orders_before  # noqa: E402
from reorder.ml.horizon_features import horizon_context, horizon_features  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--old", required=True, help="an earlier reorder/ml/horizon_features.py")
    parser.add_argument("--step", type=int, default=1, help="check every step-th cutoff")
    parser.add_argument("--shops", type=int, default=150, help="shops served one at a time at the last cutoff")
    known, rest = parser.parse_known_args()
    args = reorder_eval.parse_args([*rest, "--horizon-days", "14"])
    spec = importlib.util.spec_from_file_location("old_horizon_features", known.old)
    old = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(old)

    history = reorder_eval.load_history(args)
    # The ablation's cutoffs: every 14 days back from the last one that leaves 30 days of labels.
    latest = history["date"].max() + pd.Timedelta(days=1 - 30)
    first = history["date"].min() + pd.Timedelta(days=60)
    cutoffs = sorted(c for c in (latest - pd.Timedelta(days=14 * k) for k in range(60)) if c >= first)
    for cutoff in cutoffs[:: known.step]:
        _, orders = orders_before(history, cutoff)
        expected = old.horizon_features(orders)
        started = time.perf_counter()
        context = horizon_context(orders)
        seconds = time.perf_counter() - started
        got = horizon_features(orders, context=context)
        # The co-occurrence means are now clipped into [0, 1], where taking the own term back out of the sum left an
        # ulp on either side (which the feature set's bounds refuse): only those values may differ, and by little.
        values, old_values = got.drop(columns=KEYS).to_numpy(), expected.drop(columns=KEYS).to_numpy()
        differ = values != old_values
        pd.testing.assert_frame_equal(got[KEYS], expected[KEYS], check_exact=True)
        moved = got.drop(columns=KEYS).columns[differ.any(axis=0)]
        assert moved.str.startswith("cooc_due").all(), f"only co-occurrence may move, not {list(moved)}"
        largest = float(np.abs(values - old_values).max())
        assert largest < 1e-6, largest
        counts = context.cooccurrence
        size = counts.data.nbytes + counts.indices.nbytes + counts.indptr.nbytes
        print(
            f"{cutoff.date()}: {len(expected):7d} pairs, {int(differ.sum())} of {differ.size} values differ "
            f"(largest by {largest:.1e}); context {seconds:5.1f} s, "
            f"{len(context.basket_products)} products, {context.n_baskets} baskets, "
            f"{counts.nnz} co-occurring product pairs ({size / 1e6:.1f} MB)",
            flush=True,
        )
    cutoff = cutoffs[-1]
    every = features_from_valid_history(history, cutoff, horizon=True)
    context = market_context(history, cutoff, horizon=True)
    shops = (
        every["retailer_id"].drop_duplicates().sample(min(known.shops, every["retailer_id"].nunique()), random_state=0)
    )
    by_shop = dict(tuple(history.groupby("retailer_id")))
    seconds = []
    for shop in shops:
        started = time.perf_counter()
        alone = features_from_valid_history(by_shop[shop], cutoff, horizon=True, context=context)
        seconds.append(time.perf_counter() - started)
        expected = every[every["retailer_id"] == shop].reset_index(drop=True)
        pd.testing.assert_frame_equal(alone, expected, check_exact=False, rtol=1e-9)
    print(
        f"{cutoff.date()}: {len(shops)} shops, each alone with the context, equal the one-pass rows; "
        f"features per shop p50 {np.median(seconds) * 1000:.0f} ms, max {max(seconds) * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()

"""Reorder's on-demand answer for one shop, uncached, before and after the feature store.

"before" is the path the adapter took until the store: read every shop's history of the serving window, compute
every pair's features, keep the shop's. "after" is the store's online path: the shop's own lines and the market
context, which is computed once per day and data version (its cold cost is printed apart) and then read from the
cache. Both are timed for the features alone and for the full answer of the serving model (or the baseline when
none is trained), with the prediction cache bypassed. Prints p50/p95/max; asserts nothing. Read-only apart from the
cache.

    DATABASE_URL=... .venv/bin/python bench/feature_latency.py [--shops 30] [--before-shops 5]
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "retailiq.settings.dev")


def _percentiles(seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return f"p50 {statistics.median(ms):8.1f} ms   p95 {p95:8.1f} ms   max {ms[-1]:8.1f} ms   n={len(ms)}"


def _timed(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shops", type=int, default=30, help="shops timed on the new path")
    parser.add_argument("--before-shops", type=int, default=5, help="shops timed on the old path (seconds each)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    import django

    django.setup()
    import datetime as dt

    import pandas as pd

    from reorder.adapter import ReorderAdapter
    from reorder.conf import reorder_settings
    from reorder.features import market_context_at, offline_pair_features, online_pair_features
    from reorder.selectors import CAPABILITY, active_retailer_ids, latest_order_day, order_history_before
    from retailiq.registry.selectors import as_of_after
    from retailiq.registry.services import active_model_version
    from retailiq.registry.services.scoring import loaded_model

    last = latest_order_day()
    if last is None:
        sys.exit("No orders: load a demo first (`manage.py generate_demo_data`).")
    as_of = as_of_after(last)
    shops = active_retailer_ids(start=as_of - dt.timedelta(days=reorder_settings().active_days), end=last)
    random.Random(args.seed).shuffle(shops)
    adapter = ReorderAdapter()
    version = active_model_version(capability=CAPABILITY)
    model = loaded_model(version) if version else adapter.baseline()
    label = f"version {version.pk} ({version.algorithm})" if version else "the baseline (no trained model)"
    print(f"as of {as_of}, {len(shops)} active shops, answers by {label}")

    def old_features(shop: int) -> pd.DataFrame:
        features = offline_pair_features(order_history_before(as_of=as_of, retailer_ids=None), as_of)
        return features[features["retailer_id"] == shop]

    def old_answer(shop: int) -> None:
        history = order_history_before(as_of=as_of, retailer_ids=None)
        predicted = model.predict(history, pd.Timestamp(as_of))
        predicted[predicted["retailer_id"] == shop]

    before = shops[: args.before_shops]
    before_features = [_timed(lambda s=s: old_features(s)) for s in before]
    before_answers = [_timed(lambda s=s: old_answer(s)) for s in before]

    from django.core.cache import cache

    cache.clear()
    context_cold = _timed(lambda: market_context_at(as_of))
    chosen = shops[: args.shops]
    online_pair_features(retailer_id=chosen[0], as_of=as_of)  # first-call imports outside the timings
    after_features = [_timed(lambda s=s: online_pair_features(retailer_id=s, as_of=as_of)) for s in chosen]
    after_answers = [
        _timed(lambda s=s: adapter.predict(model, {"retailer_id": s, "as_of": as_of.isoformat()})) for s in chosen
    ]
    print(f"  before: features, whole marketplace read   {_percentiles(before_features)}")
    print(f"  before: answer, whole marketplace read     {_percentiles(before_answers)}")
    print(f"  market context, cold (once per day/data)   {context_cold * 1000:8.1f} ms")
    print(f"  after:  features, shop's lines + context   {_percentiles(after_features)}")
    print(f"  after:  answer (prediction cache bypassed) {_percentiles(after_answers)}")


if __name__ == "__main__":
    main()

"""On-demand answers, uncached, before and after the feature store: reorder for one shop, forecasting for one
product.

"before" is the path the adapter took until the store: read every shop's history of the serving window, compute
every pair's features, keep the shop's. "after" is the store's online path: the shop's own lines and the market
context, which is computed once per day and data version (its cold cost is printed apart) and then read from the
cache. Both are timed for the features alone and for the full answer of the serving model (or the baseline when
none is trained), with the prediction cache bypassed. For forecasting, "before" aggregated one product's sale lines
per day and "after" reads its rows of the per-product daily rollup, and the same for its prices (the price
driver's paid and regular revenue and units per day, lookback included); the full answer is the serving model's (the
adapter's predict, prediction cache bypassed). Recommendations: one shop's discover and buy-again lists from the
serving model (or the baseline), the adapter's predict with the prediction cache bypassed. Prints p50/p95/max and
the load average before and after; asserts nothing. Read-only apart from the cache. ``--profile N`` runs N more
answers of each kind under cProfile and prints where their time goes.

    DATABASE_URL=... .venv/bin/python bench/feature_latency.py [--shops 30] [--before-shops 5] [--profile 10]
"""

import argparse
import cProfile
import io
import os
import pstats
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


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _profiled(label: str, calls: list, top: int) -> None:
    """Run ``calls`` under cProfile and print the functions with the most cumulative and own time."""
    if not calls:
        return
    profiler = cProfile.Profile()
    profiler.enable()
    for call in calls:
        call()
    profiler.disable()
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(top)
        print(f"--- profile: {label}, {len(calls)} answers, by {order} ---")
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:12000], flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shops", type=int, default=30, help="shops timed on the new path")
    parser.add_argument("--before-shops", type=int, default=3, help="shops timed on the old path (seconds each)")
    parser.add_argument("--skip-reorder", action="store_true", help="leave reorder out")
    parser.add_argument("--skip-forecasting", action="store_true", help="leave forecasting out")
    parser.add_argument("--skip-recommendations", action="store_true", help="leave recommendations out")
    parser.add_argument("--profile", type=int, default=0, help="answers per case run again under cProfile")
    parser.add_argument("--profile-top", type=int, default=30, help="functions printed per profile")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    import django

    django.setup()
    print(f"load average before: {_load()}", flush=True)
    if not args.skip_forecasting:
        _forecasting(args)
    if not args.skip_reorder:
        _reorder(args)
    if not args.skip_recommendations:
        _recommendations(args)
    print(f"load average after: {_load()}", flush=True)


def _reorder(args) -> None:
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
    print(f"as of {as_of}, {len(shops)} active shops, answers by {label}", flush=True)

    def old_features(shop: int) -> pd.DataFrame:
        features = offline_pair_features(order_history_before(as_of=as_of, retailer_ids=None), as_of)
        return features[features["retailer_id"] == shop]

    def old_answer(shop: int) -> None:
        history = order_history_before(as_of=as_of, retailer_ids=None)
        predicted = model.predict(history, pd.Timestamp(as_of))
        predicted[predicted["retailer_id"] == shop]

    from django.core.cache import cache

    # The new path first: the old one reads the whole marketplace for each shop and takes minutes on `large`.
    cache.clear()
    context_cold = _timed(lambda: market_context_at(as_of))
    print(f"  market context, cold (once per day/data)   {context_cold * 1000:8.1f} ms", flush=True)
    chosen = shops[: args.shops]
    online_pair_features(retailer_id=chosen[0], as_of=as_of)  # first-call imports outside the timings
    after_features = [_timed(lambda s=s: online_pair_features(retailer_id=s, as_of=as_of)) for s in chosen]
    print(f"  after:  features, shop's lines + context   {_percentiles(after_features)}", flush=True)
    after_answers = [
        _timed(lambda s=s: adapter.predict(model, {"retailer_id": s, "as_of": as_of.isoformat()})) for s in chosen
    ]
    print(f"  after:  answer (prediction cache bypassed) {_percentiles(after_answers)}", flush=True)
    profiled = shops[args.shops : args.shops + args.profile] or chosen[: args.profile]
    _profiled(
        "reorder answer",
        [lambda s=s: adapter.predict(model, {"retailer_id": s, "as_of": as_of.isoformat()}) for s in profiled],
        args.profile_top,
    )
    before = shops[: args.before_shops]
    if before:
        before_features = [_timed(lambda s=s: old_features(s)) for s in before]
        print(f"  before: features, whole marketplace read   {_percentiles(before_features)}", flush=True)
        before_answers = [_timed(lambda s=s: old_answer(s)) for s in before]
        print(f"  before: answer, whole marketplace read     {_percentiles(before_answers)}", flush=True)


def _recommendations(args) -> None:
    import random

    from recommendations.adapter import RecommendationsAdapter
    from recommendations.selectors import CAPABILITY, latest_order_day, scoring_retailer_ids
    from retailiq.registry.selectors import as_of_after
    from retailiq.registry.services import active_model_version
    from retailiq.registry.services.scoring import loaded_model

    last = latest_order_day()
    if last is None:
        print("recommendations: no orders, skipped")
        return
    as_of = as_of_after(last)
    shops = scoring_retailer_ids(as_of=as_of)
    random.Random(args.seed).shuffle(shops)
    adapter = RecommendationsAdapter()
    version = active_model_version(capability=CAPABILITY)
    model = loaded_model(version) if version else adapter.baseline()
    label = f"version {version.pk} ({version.algorithm})" if version else "the baseline (no trained model)"
    print(f"recommendations as of {as_of}, {len(shops)} shops, lists by {label}", flush=True)
    chosen = shops[: args.shops]

    def answer(shop: int, kind: str) -> None:
        adapter.predict(model, {"retailer_id": shop, "as_of": as_of.isoformat(), "kind": kind, "k": 10})

    for kind in ("discover", "buy_again", "bundle"):
        answer(chosen[0], kind)  # first-call imports and per-day fits outside the timings
        timings = [_timed(lambda s=s, kind=kind: answer(s, kind)) for s in chosen]
        print(f"  {kind:<10} one shop's list (prediction cache bypassed) {_percentiles(timings)}", flush=True)
        profiled = shops[args.shops : args.shops + args.profile] or chosen[: args.profile]
        _profiled(
            f"recommendations {kind}", [lambda s=s, kind=kind: answer(s, kind) for s in profiled], args.profile_top
        )


def _forecasting(args) -> None:
    import datetime as dt
    import random

    from django.db.models import Sum

    from forecasting.adapter import SERVING_HISTORY_DAYS
    from forecasting.drivers import PRICE_LOOKBACK_DAYS, paid_per_day, paid_per_day_from_lines
    from forecasting.selectors import daily_product_demand, latest_sales_day
    from retailiq.orders.selectors import sale_lines
    from retailiq.registry.adapters import adapter_for
    from retailiq.registry.services import active_model_version
    from retailiq.registry.services.scoring import loaded_model

    version = active_model_version(capability="forecasting")
    last = latest_sales_day()
    if last is None:
        print("forecasting: no sales, skipped")
        return
    start = last - dt.timedelta(days=SERVING_HISTORY_DAYS - 1)
    price_start = start - dt.timedelta(days=PRICE_LOOKBACK_DAYS)
    products = sorted(daily_product_demand(start=last - dt.timedelta(days=27), end=last)["series_id"].unique())
    random.Random(args.seed).shuffle(products)
    chosen = [int(p) for p in products[: args.shops]]

    def lines_read(product: int) -> None:
        lines = sale_lines().filter(product_id=product, placed_on__gte=start, placed_on__lte=last)
        list(lines.values_list("product_id", "placed_on").annotate(units=Sum("quantity")).order_by())

    def prices(read, product: int) -> None:
        read(product_ids=[product], start=price_start, end=last)

    before = [_timed(lambda p=p: lines_read(p)) for p in chosen]
    after = [_timed(lambda p=p: daily_product_demand(start=start, end=last, product_ids=[p])) for p in chosen]
    prices_before = [_timed(lambda p=p: prices(paid_per_day_from_lines, p)) for p in chosen]
    prices_after = [_timed(lambda p=p: prices(paid_per_day, p)) for p in chosen]
    print(f"forecasting, {len(chosen)} products, serving window {SERVING_HISTORY_DAYS} days")
    print(f"  before: one product's history from its sale lines  {_percentiles(before)}")
    print(f"  after:  one product's history from the rollup       {_percentiles(after)}")
    print(f"  before: one product's prices from its sale lines   {_percentiles(prices_before)}")
    print(f"  after:  one product's prices from the rollup        {_percentiles(prices_after)}", flush=True)
    if version is None:
        print("  no trained model: answers skipped")
        return
    adapter, model = adapter_for("forecasting"), loaded_model(version)
    inputs = {"as_of": last.isoformat(), "horizon": 14}
    adapter.predict(model, {**inputs, "product_id": chosen[0]})  # first-call imports outside the timings
    answers = [_timed(lambda p=p: adapter.predict(model, {**inputs, "product_id": p})) for p in chosen]
    print(f"  version {version.pk} ({version.algorithm}), horizon 14 days")
    print(f"  after:  answer (prediction cache bypassed)          {_percentiles(answers)}", flush=True)


if __name__ == "__main__":
    main()

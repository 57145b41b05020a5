"""One shop's reorder answer on demand, uncached, on the shops with the most active pairs (the p95 tail):
each answer run ``--repeats`` times, the fastest wall time and the fastest process CPU time kept per shop (CPU time
drops the time spent waiting for the cores, so it is steadier on a shared machine). Also times the shop's decayed
features alone (best of ``--repeats``). ``--profile N`` runs N answers more under cProfile. Prints p50/p95/max and
the load average before and after; asserts nothing. Read-only apart from the cache.

    DATABASE_URL=... OMP_NUM_THREADS=1 .venv/bin/python bench/reorder_answer_cpu.py [--shops 30] [--profile 30]
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "retailiq.settings.dev")


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _summary(label: str, seconds: list[float]) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return f"  {label:<34} p50 {statistics.median(ms):7.1f}  p95 {p95:7.1f}  max {ms[-1]:7.1f} ms  n={len(ms)}"


def _best(call, repeats: int) -> tuple[float, float]:
    wall, cpu = [], []
    for _ in range(repeats):
        w, c = time.perf_counter(), time.process_time()
        call()
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return min(wall), min(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shops", type=int, default=30, help="shops with the most active pairs")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--profile", type=int, default=0, help="answers run again under cProfile")
    parser.add_argument("--profile-top", type=int, default=35)
    args = parser.parse_args()

    import django

    django.setup()
    import datetime as dt

    import pandas as pd

    from reorder.adapter import ReorderAdapter
    from reorder.conf import reorder_settings
    from reorder.features import market_context_at, shop_history
    from reorder.ml.decay_features import decay_features
    from reorder.ml.features import orders_before
    from reorder.selectors import CAPABILITY, active_retailer_ids, latest_order_day
    from retailiq.registry.selectors import as_of_after
    from retailiq.registry.services import active_model_version
    from retailiq.registry.services.scoring import loaded_model

    print(f"load average before: {_load()}", flush=True)
    as_of = as_of_after(latest_order_day())
    active_days = reorder_settings().active_days
    shops = active_retailer_ids(start=as_of - dt.timedelta(days=active_days), end=as_of - dt.timedelta(days=1))
    adapter = ReorderAdapter()
    version = active_model_version(capability=CAPABILITY)
    model = loaded_model(version) if version else adapter.baseline()
    market_context_at(as_of)
    cutoff = pd.Timestamp(as_of)

    def active_pairs(shop: int) -> int:
        history = shop_history(retailer_id=shop, as_of=as_of)
        last = history.groupby("product_id")["date"].max()
        return int((last >= cutoff - pd.Timedelta(days=active_days)).sum())

    sizes = sorted(((active_pairs(s), s) for s in shops), reverse=True)[: args.shops]
    chosen = [s for _, s in sizes]
    print(
        f"as of {as_of}, {len(shops)} active shops; the {len(chosen)} with most active pairs "
        f"({sizes[-1][0]} to {sizes[0][0]}); version {version.pk if version else None}",
        flush=True,
    )

    def answer(shop: int) -> None:
        adapter.predict(model, {"retailer_id": shop, "as_of": as_of.isoformat()})

    answer(chosen[0])  # first-call imports outside the timings
    timings = [_best(lambda s=s: answer(s), args.repeats) for s in chosen]
    print(_summary("answer, wall (best of repeats)", [w for w, _ in timings]))
    print(_summary("answer, CPU (best of repeats)", [c for _, c in timings]), flush=True)
    decay = []
    for shop in chosen:
        _, orders = orders_before(shop_history(retailer_id=shop, as_of=as_of), cutoff)
        decay.append(_best(lambda o=orders: decay_features(o, cutoff), max(args.repeats, 5))[1])
    print(_summary("decayed features alone, CPU", decay), flush=True)
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for shop in chosen[: args.profile]:
            answer(shop)
        profiler.disable()
        for order in ("cumulative", "tottime"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(args.profile_top)
            print(f"--- profile, {min(args.profile, len(chosen))} answers, by {order} ---")
            print("\n".join(line for line in out.getvalue().splitlines() if line.strip()), flush=True)
    print(f"load average after: {_load()}", flush=True)


if __name__ == "__main__":
    main()

"""On-demand forecast latency: POST /api/v1/predictions/demand answered by the serving
forecasting model, for random products, first uncached (the model reads the product's
history and drivers, every member forecasts, LightGBM explains) and then again from the
prediction cache. Prints p50/p95/max per case; asserts nothing.

    DATABASE_URL=... .venv/bin/python bench/forecast_latency.py [--requests 40] [--horizon 14]

It needs a database with sales and a trained forecasting model (`make demo`, or
`manage.py generate_demo_data` then `manage.py train_models --capability forecasting`).
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
    return f"p50 {statistics.median(ms):7.1f} ms   p95 {p95:7.1f} ms   max {ms[-1]:7.1f} ms   n={len(ms)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--horizon", type=int, default=14)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.cache import cache
    from rest_framework.test import APIClient

    from forecasting.selectors import daily_product_demand, latest_sales_day
    from retailiq.accounts.models import Role, User
    from retailiq.registry.services import active_model_version

    version = active_model_version(capability="forecasting")
    last = latest_sales_day()
    if version is None or last is None:
        sys.exit("No trained forecasting model or no sales: run `make demo` (or train_models) first.")
    analyst = User.objects.filter(role__in=[Role.ANALYST, Role.ADMIN]).first()
    if analyst is None:
        sys.exit("No analyst or admin user to call the API as; load the demo data first.")
    products = sorted(daily_product_demand(start=last.replace(day=1), end=last)["series_id"].unique().tolist())
    random.Random(args.seed).shuffle(products)
    chosen = products[: args.requests]
    client = APIClient()
    client.force_authenticate(analyst)

    def ask(product_id: int) -> float:
        started = time.perf_counter()
        response = client.post(
            "/api/v1/predictions/demand", {"product_id": product_id, "horizon": args.horizon}, format="json"
        )
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            sys.exit(f"Product {product_id}: {response.status_code} {response.content[:300]!r}")
        return elapsed

    ask(chosen[0])  # load the model (artifact read, TensorFlow import) outside the timings
    cache.clear()
    ask(chosen[0])  # and warm every member's first-call path
    cache.clear()
    uncached = [ask(p) for p in chosen]
    cached = [ask(p) for p in chosen]
    print(
        f"forecasting version {version.pk} ({version.algorithm}), horizon {args.horizon} days, {len(chosen)} products"
    )
    print(f"  uncached (model runs)   {_percentiles(uncached)}")
    print(f"  cached (same inputs)    {_percentiles(cached)}")


if __name__ == "__main__":
    main()

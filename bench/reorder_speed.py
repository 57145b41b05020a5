"""Reorder training and batch-scoring time on whatever database DATABASE_URL points at.

The goals: training on the `large` demo (600 shops, 1,200 products, about 1.45 M order lines) in under 120 s on
2 cores, and scoring every active retailer x product pair in under 60 s. Each step runs through the capability's
adapter exactly as a training or scoring job does (reading the history from the database included), and its wall
time is printed; nothing is asserted.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/retailiq_reorder_bench \\
        .venv/bin/python bench/reorder_speed.py [--load] [--size large] [--members lightgbm,ffn,lstm] [--param NAME=VALUE ...]

`--load` first replaces the database's marketplace with the `--size` demo (`generate_demo_data --size large
--reset`, about 2 minutes). Scoring writes its predictions with no model version, as rows a bench leaves behind.
"""

import argparse
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "retailiq.settings.dev")


def _timed(label: str, step):
    started = time.perf_counter()
    value = step()
    print(f"{label:<44} {time.perf_counter() - started:8.1f} s", flush=True)
    return value, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--load", action="store_true", help="replace the marketplace with a demo first")
    parser.add_argument("--size", default="large", help="the demo size --load generates (tiny, demo, large)")
    parser.add_argument("--members", default="", help="comma-separated members; default: the settings' choice")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="training parameter")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command

    from reorder.models import ReorderPrediction
    from retailiq.registry.adapters import adapter_for

    if args.load:
        _timed(f"loading the {args.size} demo", lambda: call_command("generate_demo_data", size=args.size, reset=True))
    params = dict(item.split("=", 1) for item in args.param)
    if args.members:
        params["members"] = args.members
    adapter = adapter_for("reorder")

    data, read_seconds = _timed("reading the order history", lambda: adapter.load_training_data(segment="", params={}))
    print(f"  {len(data.frame):,} order lines, {data.data_start} to {data.data_end}")

    def progress(stage: str, percent: int, message: str) -> None:
        print(f"  [{percent:3d}%] {stage}: {message}", flush=True)

    trained, train_seconds = _timed("training", lambda: adapter.train(data, params=params, progress=progress))
    metrics = trained.metrics
    print(f"  algorithm {trained.algorithm}, artifact {len(trained.artifact_bytes) / 1e6:.1f} MB")
    for name in ("roc_auc", "pr_auc", "f1", "brier", "precision_at_100", "quantity_mae"):
        if name in metrics:
            print(f"  {name:<18} {metrics[name]:.4f}")

    evaluation = metrics.get("evaluation", {})
    primary = evaluation.get("horizons", {}).get(str(metrics.get("horizon_days")), {}).get("models", {})
    seconds = ", ".join(f"{name} {m['fit_seconds']:.0f} s" for name, m in primary.items() if m.get("fit_seconds"))
    print(f"  fit seconds: {seconds}; refit {evaluation.get('refit_seconds', 0):.0f} s; rows {evaluation.get('rows')}")

    model, _ = _timed("loading the artifact", lambda: adapter.load(trained.artifact_bytes, algorithm=trained.algorithm))
    scoring = adapter.scoring_params({})
    entities, _ = _timed("listing active shops", lambda: adapter.scoring_entities(segment="", params=scoring))
    rows, score_seconds = _timed("scoring every active pair", lambda: adapter.score(model, entities, params=scoring))
    _, write_seconds = _timed(
        "writing the predictions", lambda: adapter.write_predictions(model_version_id=None, predictions=rows)
    )
    ReorderPrediction.objects.filter(model_version__isnull=True, as_of=scoring["as_of"]).delete()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print()
    print(f"training end to end (read + fit):  {read_seconds + train_seconds:7.1f} s   goal < 120 s (large)")
    print(
        f"scoring {len(rows):,} pairs of {len(entities):,} shops:  {score_seconds + write_seconds:7.1f} s   goal < 60 s"
    )
    print(f"peak memory {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()

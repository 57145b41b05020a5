"""Wall time of the app's forecast training (EnsembleForecaster.train: every member
backtested on the origins, weights and interval widths fitted, the weighted members
refitted) on a long-format CSV, with the app's default members and settings:

    .venv/bin/python bench/forecast_train_time.py --csv FILE --id COL --date COL --target COL \\
        --freq D|W --horizon H [--exog COLS] [--top N] [--origins 3] [--epochs 5] [--rounds 300] \\
        [--processes 2]

Prints the total wall and CPU seconds (CPU: what this process and its worker processes
used, all their threads; on a shared machine the steadier of the two), each member's mean
fit + predict wall seconds per origin, and the weights. --processes is the app's
RETAILIQ_FORECAST_TRAINING_PROCESSES (1: every fit in this process).
"""

import argparse
import importlib
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from functools import partial  # noqa: E402

from bench.forecast_eval import APP_MEMBERS, RETAILIQ, load_matrix  # noqa: E402
from forecasting.ml.ensemble import EnsembleForecaster  # noqa: E402


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for name in ("csv", "id", "date", "target"):
        parser.add_argument(f"--{name}", required=True)
    parser.add_argument("--freq", choices=("D", "W"), required=True)
    parser.add_argument("--horizon", type=int, required=True)
    parser.add_argument("--exog", default="")
    parser.add_argument("--top", type=int, default=0)
    parser.add_argument("--origins", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args(argv)
    matrix = load_matrix(args)
    options = {"lightgbm": {"num_boost_round": args.rounds}, "cnn_lstm": {"epochs": args.epochs}}
    # Classes with their arguments bound, as the app's factories: they pickle for the worker processes.
    members = {name: partial(_class(RETAILIQ[name]), **options.get(name, {})) for name in APP_MEMBERS}
    started, cpu_started = time.perf_counter(), _cpu()
    _, report = EnsembleForecaster.train(
        matrix, members, horizon=args.horizon, n_origins=args.origins, processes=args.processes
    )
    seconds, cpu = time.perf_counter() - started, _cpu() - cpu_started
    print(
        f"{matrix.n_series} series x {matrix.n_periods} periods ({matrix.freq}): "
        f"training {seconds:.1f} s wall, {cpu:.1f} s CPU"
    )
    for name, scores in report["models"].items():
        if "fit_seconds" in scores:
            print(f"  {name:<16} fit + predict per origin {scores['fit_seconds']:.1f} s")
    print("weights " + json.dumps({k: [round(w, 3) for w in v] for k, v in report["weights"].items()}))


def _class(dotted: str) -> type:
    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)


def _cpu() -> float:
    """CPU seconds of this process and of its finished worker processes."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


if __name__ == "__main__":
    main()

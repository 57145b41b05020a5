"""The reorder benchmark's command line on a tiny generated transactions CSV, in a subprocess: returns and
cancellations dropped, every model scored, JSON only on stdout; and a clear message when the file is missing."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "reorder_eval.py"
FIELDS = {"roc_auc", "pr_auc", "f1", "brier", "precision_at_100", "fit_seconds"}
COLUMNS = ("--customer", "cust", "--product", "sku", "--date", "when", "--quantity", "qty", "--price", "price")


def write_csv(path: Path, days: int = 200) -> Path:
    """Shops reordering products on their own cycles, plus a cancelled invoice, a return and an anonymous line."""
    rng = np.random.default_rng(2)
    rows = []
    for shop in range(25):
        for sku in rng.choice(15, size=5, replace=False):
            period = int(rng.integers(4, 25))
            for day in range(int(rng.integers(0, period)), days, period):
                when = pd.Timestamp("2024-01-01") + pd.Timedelta(days=day, hours=9)
                rows.append((f"{shop}-{day}", shop, f"P{sku}", when, int(rng.integers(1, 12)), 2.5))
    rows += [("C9", 1, "P1", pd.Timestamp("2024-03-01"), 3, 2.5), ("9", 1, "P1", pd.Timestamp("2024-03-02"), -3, 2.5)]
    rows += [("10", None, "P2", pd.Timestamp("2024-03-03"), 3, 2.5), ("11", 2, "P2", pd.Timestamp("2024-03-03"), 3, 0)]
    pd.DataFrame(rows, columns=["invoice", "cust", "sku", "when", "qty", "price"]).to_csv(path, index=False)
    return path


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=120)


def test_json_scores_every_model_against_the_baselines(tmp_path):
    csv = write_csv(tmp_path / "orders.csv.gz")
    done = run(
        *("--csv", str(csv), *COLUMNS, "--invoice", "invoice", "--horizon-days", "7"),
        *("--train-until", "2024-05-20", "--members", "lightgbm", "--json"),
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)  # stdout holds the JSON and nothing else
    assert list(report) == ["models", "served", "schedule"]
    baselines = {"baseline_overdue", "baseline_logreg", "baseline_logreg_strong"}
    assert set(report["models"]) == {*baselines, "lightgbm", "retailiq_ensemble"}
    assert report["served"] in ("retailiq_ensemble", "baseline_logreg_strong")
    assert report["schedule"]["test_start"] >= "2024-05-20"  # the first cutoff on or after --train-until
    for name, scores in report["models"].items():
        assert set(scores) == FIELDS, name
        assert 0 <= scores["roc_auc"] <= 1 and scores["fit_seconds"] >= 0, name
    assert report["models"]["retailiq_ensemble"]["roc_auc"] > 0.7


def test_three_months_need_no_flag_and_the_table_says_what_was_chosen(tmp_path):
    csv = write_csv(tmp_path / "orders.csv", days=91)
    done = run(*("--csv", str(csv), *COLUMNS, "--horizon-days", "14", "--members", "lightgbm"))
    assert done.returncode == 0, done.stderr
    assert "schedule: 91 days of history: cutoffs every 3 days after a 15-day warm-up" in done.stdout
    assert "serves: " in done.stdout and "baseline_logreg_strong" in done.stdout


def test_a_missing_csv_exits_with_a_clear_message(tmp_path):
    done = run("--csv", str(tmp_path / "absent.csv"), *COLUMNS, "--horizon-days", "14", "--json")
    assert done.returncode == 1 and not done.stdout
    assert "absent.csv does not exist" in done.stderr and "archive.ics.uci.edu" in done.stderr


def _bench_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("reorder_eval_bench", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_param_sets_training_options_over_the_defaults_with_json_values():
    bench = _bench_module()
    args = bench.parse_args(
        [
            *("--csv", "x.csv", *COLUMNS, "--horizon-days", "30"),
            *("--param", "decay_features=false", "--param", 'lightgbm={"two_stage_horizons": []}'),
            *("--param", "validation_cutoffs=2", "--param", "members=lightgbm,ffn", "--param", "refit=true"),
        ]
    )
    params = bench.training_params(args)
    assert params["decay_features"] is False
    assert params["lightgbm"] == {"two_stage_horizons": []}
    assert params["validation_cutoffs"] == 2
    assert params["members"] == "lightgbm,ffn"  # not JSON: kept as text, as the training options read it
    assert params["refit"] is True  # a --param wins over the bench's own default
    assert params["horizon_days"] == 30 and params["n_cutoffs"] == 0


def test_a_param_without_a_value_exits_naming_it():
    import pytest

    bench = _bench_module()
    args = bench.parse_args(["--csv", "x.csv", *COLUMNS, "--horizon-days", "7", "--param", "decay_features"])
    with pytest.raises(SystemExit, match="--param 'decay_features': expected KEY=VALUE"):
        bench.training_params(args)

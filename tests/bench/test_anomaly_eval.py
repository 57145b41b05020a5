"""The anomaly benchmark's command line on a tiny seeded CSV, in a subprocess: the scores file of the contract
(one row per input row, the id and date columns as named), and the evaluation's JSON with both baselines."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "anomaly_eval.py"


def write_csv(path: Path) -> Path:
    rng = np.random.default_rng(3)
    weeks = pd.date_range("2025-01-06", periods=40, freq="W-MON")
    frames = []
    for sku in range(12):
        units = rng.poisson(rng.uniform(20, 60), size=len(weeks)).astype(float)
        promo = np.zeros(len(weeks))
        promo[[10, 30]] = 1
        units[[10, 30]] *= 2.5
        event = np.where(np.arange(len(weeks)) == 25, "Diwali", "")
        frames.append(pd.DataFrame({"sku": f"P{sku}", "week": weeks.date, "qty": units, "promo": promo, "fest": event}))
    pd.concat(frames).to_csv(path, index=False)
    return path


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_scores_file_has_one_row_per_input_row(tmp_path):
    source = write_csv(tmp_path / "series.csv")
    out = tmp_path / "scores.csv"
    done = run("--csv", str(source), "--id", "sku", "--date", "week", "--target", "qty", "--freq", "W",
               "--exog", "promo,fest", "--out", str(out))  # fmt: skip
    assert done.returncode == 0, done.stderr
    scores = pd.read_csv(out)
    assert list(scores.columns) == ["sku", "week", "score", "flag"]
    assert len(scores) == 12 * 40
    assert set(scores["flag"]) <= {0, 1}


def test_evaluation_reports_every_method_beside_the_baselines(tmp_path):
    source = write_csv(tmp_path / "series.csv")
    done = run("--csv", str(source), "--id", "sku", "--date", "week", "--target", "qty", "--freq", "W",
               "--exog", "promo,fest", "--evaluate", "--rate", "0.02", "--methods", "robust,hampel,median13",
               "--json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["anomalies"] > 0 and report["points"] == 480
    assert set(report["methods"]) == {"robust", "hampel", "median13"}
    assert {"pr_auc", "precision", "recall", "f1", "best_f1"} <= set(report["methods"]["robust"])
    assert "pr_auc_met" in report["goal"]


def test_a_missing_column_is_named(tmp_path):
    source = write_csv(tmp_path / "series.csv")
    done = run("--csv", str(source), "--id", "sku", "--date", "day", "--target", "qty", "--freq", "W",
               "--out", str(tmp_path / "x.csv"))  # fmt: skip
    assert done.returncode != 0 and "day" in done.stderr

"""The forecast benchmark's command line, end to end on a tiny synthetic CSV (peers included).
The full run is in-process (the libraries are imported once); the missing-file case goes
through a real subprocess, exit status and all."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from bench import forecast_eval

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "forecast_eval.py"
FIELDS = {"rmsse", "mase", "wape", "smape", "coverage_80", "coverage_95", "fit_seconds"}


def write_csv(path: Path, *, n_series: int = 16, days: int = 84) -> Path:
    """Weekly-patterned Poisson demand, with a few missing rows (zero demand) and a gzip."""
    rng = np.random.default_rng(4)
    dates = pd.date_range("2025-03-03", periods=days, freq="D")
    weekly = np.array([1.3, 1.0, 1.0, 1.0, 1.2, 1.5, 0.2])[dates.dayofweek]
    rows = [
        {"sku": f"P{i:02d}", "day": d.date(), "qty": int(q)}
        for i in range(n_series)
        for d, q in zip(dates, rng.poisson(rng.uniform(2, 20) * weekly), strict=True)
        if q > 0
    ]
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=120)


def test_json_scores_every_model_on_the_same_origins(tmp_path, capsys):
    csv = write_csv(tmp_path / "demand.csv.gz")
    models = "naive,seasonal_naive,moving_average,retailiq_ensemble,statsforecast_autoets,mlforecast_lgbm"
    forecast_eval.main(
        [
            *("--csv", str(csv), "--id", "sku", "--date", "day", "--target", "qty", "--freq", "D"),
            *("--horizon", "7", "--origins", "2", "--inner-origins", "2", "--models", models, "--json"),
        ]
    )
    report = json.loads(capsys.readouterr().out)  # stdout holds the JSON and nothing else
    assert list(report) == ["models"]
    assert set(report["models"]) == set(models.split(","))
    for name, scores in report["models"].items():
        assert set(scores) == FIELDS, name
        assert 0 <= scores["coverage_80"] <= scores["coverage_95"] <= 1, name
        assert scores["rmsse"] > 0 and scores["fit_seconds"] >= 0, name
    ensemble, naive = report["models"]["retailiq_ensemble"], report["models"]["naive"]
    # A strong weekly rhythm: yesterday's sales are a poor guess, the ensemble learns that.
    assert ensemble["rmsse"] < naive["rmsse"]
    assert ensemble["rmsse"] <= report["models"]["seasonal_naive"]["rmsse"] * 1.05


def test_a_missing_csv_exits_with_a_clear_message(tmp_path):
    done = run(
        *("--csv", str(tmp_path / "absent.csv"), "--id", "a", "--date", "b", "--target", "c"),
        *("--freq", "W", "--horizon", "4", "--json"),
    )
    assert done.returncode == 1 and "absent.csv does not exist" in done.stderr and not done.stdout


def test_the_peers_get_their_documented_settings_for_the_history():
    from bench import peers

    short, long = peers.settings("W", 52), peers.settings("W", 156)
    assert "season_length=1" in short["statsforecast_autoets"] and "season_length=52" in long["statsforecast_autoets"]
    assert short["statsforecast_mstl"].startswith("left out") and "[52]" in long["statsforecast_mstl"]
    assert "lags [1, 2, 4]," in short["mlforecast_lgbm"] and "lags [1, 2, 4, 52]" in long["mlforecast_lgbm"]
    assert "no differencing" in long["mlforecast_lgbm"]
    assert "[7, 364]" in peers.settings("D", 1000)["statsforecast_mstl"]


def test_the_goals_say_plainly_which_are_met():
    row = {"rmsse": 0.7, "wape": 0.3, "coverage_80": 0.79, "coverage_95": 0.90}
    lines = forecast_eval.goals(
        {"seasonal_naive": {**row, "rmsse": 1.0}, "retailiq_ensemble": row, "mlforecast_lgbm": {**row, "wape": 0.2}}
    )
    assert "0.700x, met" in lines[0] and lines[1].endswith("NOT met")
    assert lines[2].endswith(": 0.790, met") and lines[3].endswith(": 0.900, NOT met")


def test_by_class_says_where_each_model_loses_and_what_the_ensemble_weighed(tmp_path, capsys):
    csv = write_csv(tmp_path / "demand.csv.gz")
    models = "naive,seasonal_naive,moving_average,retailiq_ensemble"
    forecast_eval.main(
        [
            *("--csv", str(csv), "--id", "sku", "--date", "day", "--target", "qty", "--freq", "D"),
            *("--horizon", "7", "--origins", "2", "--inner-origins", "2", "--models", models),
            *("--members", "naive,seasonal_naive,moving_average", "--by-class", "--json"),
        ]
    )
    report = json.loads(capsys.readouterr().out)
    names = set(models.split(","))
    assert set(report["class_counts"]) == set(report["classes"])
    for scores in report["classes"].values():
        assert set(scores) == names and all({"rmsse", "wape"} <= set(s) for s in scores.values())
    assert all(len(v) == 2 for v in report["rmsse_by_origin"].values())  # one per scored origin
    assert len(report["weights"]) == 2
    for weights in report["weights"]:
        for shares in weights.values():
            assert set(shares) == {"naive", "seasonal_naive", "moving_average"}
            assert abs(sum(shares.values()) - 1) < 1e-6


def naive_wape(wide: pd.DataFrame, actual: pd.DataFrame, cutoffs: list[int], horizon: int, keep=None) -> float:
    """Last-value forecasts from `wide` at each cutoff, scored against `actual` where `keep` is True."""
    errors, totals = 0.0, 0.0
    for cutoff in cutoffs:
        forecast = wide.iloc[:, cutoff - 1].to_numpy()[:, None]
        window = actual.iloc[:, cutoff : cutoff + horizon].to_numpy()
        mask = np.ones_like(window, bool) if keep is None else keep.iloc[:, cutoff : cutoff + horizon].to_numpy()
        errors += np.abs(window - forecast)[mask].sum()
        totals += window[mask].sum()
    return errors / totals


def test_demand_column_scores_against_it_and_censor_column_leaves_stockouts_out(tmp_path, capsys):
    """Sales cut by stock in the last week: against sales the stockout days are left out of the errors; against
    what was ordered every day counts, and the models still learned from sales alone."""
    rng = np.random.default_rng(11)
    days, n_series = 70, 6
    dates = pd.date_range("2025-03-03", periods=days, freq="D")
    sold = rng.poisson(10, (n_series, days)).astype(float)
    ordered = sold + rng.poisson(3, (n_series, days)) * (np.arange(days) >= days - 14)  # refusals, last 2 weeks
    out = np.zeros((n_series, days))
    out[:2, -3:] = 1  # two products out for the last three days: nothing sold
    sold[out > 0] = 0
    frame = pd.DataFrame(
        {
            "sku": np.repeat([f"P{i}" for i in range(n_series)], days),
            "day": np.tile(dates.date, n_series),
            "qty": sold.ravel(),
            "ordered": ordered.ravel(),
            "out": out.ravel(),
        }
    )
    csv = tmp_path / "demand.csv"
    frame.to_csv(csv, index=False)
    common = [
        *("--csv", str(csv), "--id", "sku", "--date", "day", "--target", "qty", "--freq", "D"),
        *("--horizon", "7", "--origins", "2", "--inner-origins", "0", "--models", "naive", "--json"),
    ]
    wide = {c: frame.pivot(index="sku", columns="day", values=c) for c in ("qty", "ordered", "out")}
    cutoffs = [days - 14, days - 7]

    forecast_eval.main([*common, "--demand-column", "ordered", "--censor-column", "out"])
    report = json.loads(capsys.readouterr().out)
    against_ordered = naive_wape(wide["qty"], wide["ordered"], cutoffs, 7)
    against_sales = naive_wape(wide["qty"], wide["qty"], cutoffs, 7, keep=wide["out"] == 0)
    assert report["models"]["naive"]["wape"] == round(against_ordered, 4)
    assert report["against_target"]["models"]["naive"]["wape"] == round(against_sales, 4)
    assert against_ordered != against_sales

    forecast_eval.main(common)  # without the options: sales, every day counted, as before
    plain = json.loads(capsys.readouterr().out)
    assert list(plain) == ["models"]
    assert plain["models"]["naive"]["wape"] == round(naive_wape(wide["qty"], wide["qty"], cutoffs, 7), 4)

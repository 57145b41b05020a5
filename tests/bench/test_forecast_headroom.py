"""The headroom bench on a tiny weekly panel that starts in December: the hindsight bounds
are bounds, and the Christmas-lift groups find the products whose December stood out."""

import json

import numpy as np
import pandas as pd

from bench import forecast_headroom


def write_csv(path, *, n_series: int = 24, weeks: int = 40):
    """Weekly Poisson demand from the first Monday of December; a third of the products sell
    five times their later level in December, and a few weeks hold one bulk order."""
    rng = np.random.default_rng(11)
    weeks_index = pd.date_range("2024-12-02", periods=weeks, freq="W-MON")
    rows = []
    for i in range(n_series):
        level = rng.uniform(3, 30)
        demand = rng.poisson(level, weeks).astype(float)
        if i % 3 == 0:
            demand[weeks_index.month == 12] *= 5
        if i % 5 == 0:
            demand[rng.integers(20, weeks)] += 40 * level
        rows += [
            {"sku": f"P{i:02d}", "week": d.date(), "qty": int(q)} for d, q in zip(weeks_index, demand, strict=True)
        ]
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_bounds_and_christmas_groups(tmp_path, capsys):
    csv = write_csv(tmp_path / "weekly.csv")
    forecast_headroom.main(
        [
            *("--csv", str(csv), "--id", "sku", "--date", "week", "--target", "qty", "--freq", "W"),
            *("--horizon", "4", "--origins", "2", "--inner-origins", "2", "--models", "naive,seasonal_naive,lightgbm"),
            *("--rounds", "20", "--seeds", "1", "--json"),
        ]
    )
    report = json.loads(capsys.readouterr().out)
    models = report["models"]
    assert set(models) == {"naive", "seasonal_naive", "lightgbm", "lightgbm_seed1", "oracle_mean", "best_member"}
    assert len(report["inner"]) == 2 and len(report["cutoffs"]) == 4
    members = ("naive", "seasonal_naive", "lightgbm", "lightgbm_seed1")
    for k in range(4):
        # Hindsight per series and origin is never worse than any model there.
        assert models["best_member"]["per_origin"][k] <= min(models[m]["per_origin"][k] for m in members) + 1e-9
        # Each series' true horizon mean is the best flat forecast of it; the members here are
        # near-flat over four weeks, so it beats them all.
        assert models["oracle_mean"]["per_origin"][k] < models["lightgbm"]["per_origin"][k]
    for origin, lightgbm in zip(report["origins"], models["lightgbm"]["per_origin"], strict=True):
        assert 0 < origin["worst_share"] <= 1 and 0 <= origin["under_share"] <= 1
        assert origin["best_multiplier_rmsse"] <= lightgbm + 1e-9  # the factor 1.0 is among those tried
    groups = report["christmas_lift"]
    assert [g["series"] for g in groups.values()] == [8, 8, 8]
    # The December sellers (every third product) are exactly the high-lift group.
    lift = forecast_headroom.christmas_lift(forecast_headroom.load_matrix(_args(csv))[0])
    high = np.argsort(lift)[-8:]
    assert sorted(high.tolist()) == list(range(0, 24, 3))


def test_no_lift_without_a_first_december(tmp_path):
    csv = write_csv(tmp_path / "weekly.csv")
    frame = pd.read_csv(csv)
    frame = frame[pd.to_datetime(frame["week"]) >= "2025-01-06"]
    frame.to_csv(csv, index=False)
    assert forecast_headroom.christmas_lift(forecast_headroom.load_matrix(_args(csv))[0]) is None


def _args(csv):
    class Args:
        id, date, target, freq, exog, top, censor_column, demand_column = "sku", "week", "qty", "W", "", 0, "", ""

    Args.csv = str(csv)
    return Args

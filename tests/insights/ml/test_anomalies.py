"""Anomaly detection on seeded weekly and daily series: unexplained spikes and drops are flagged, a promotion or
festival spike is explained and not flagged."""

import numpy as np
import pandas as pd
import pytest

from insights.ml import ANOMALY_COLUMNS, SCORE_VERSION, AnomalyConfig, calendar_from_windows, detect_anomalies

from .synthetic import weekly_series


def test_output_has_one_row_per_input_row_in_input_order():
    series = weekly_series().sample(frac=1.0, random_state=1)
    result = detect_anomalies(series, freq="W")
    assert list(result.columns) == ANOMALY_COLUMNS
    assert result.index.equals(series.index)
    assert result["value"].equals(series["value"].astype(float))
    assert (result["lower"] <= result["expected"]).all() and (result["expected"] <= result["upper"]).all()
    assert isinstance(SCORE_VERSION, str) and SCORE_VERSION


def test_an_unexplained_spike_and_a_drop_are_flagged_with_their_direction():
    series = weekly_series()
    spike = series.index[(series["series_id"] == 1)][30]
    drop = series.index[(series["series_id"] == 2)][40]
    series.loc[spike, "value"] *= 4
    series.loc[drop, "value"] = 0
    result = detect_anomalies(series, freq="W")
    assert result.loc[spike, "flag"] and result.loc[spike, "direction"] == "spike"
    assert result.loc[drop, "flag"] and result.loc[drop, "direction"] == "drop"
    assert result["flag"].sum() <= 4  # Poisson noise alone is rarely flagged
    assert result.loc[spike, "score"] > result.loc[~result["flag"], "score"].max()


def test_a_promotion_spike_is_explained_while_the_same_spike_without_one_is_flagged():
    series = weekly_series(n_series=8)
    promoted = []
    for series_id in range(8):  # every series has promotions that lift demand about 2.5x
        rows = series.index[series["series_id"] == series_id][[15, 35]]
        series.loc[rows, "on_promotion"] = 1
        series.loc[rows, "value"] *= 2.5
        promoted.extend(rows)
    unexplained = series.index[series["series_id"] == 3][50]
    series.loc[unexplained, "value"] *= 2.5
    result = detect_anomalies(series, freq="W", exog=["on_promotion"])
    assert not result.loc[promoted, "flag"].any()
    assert (result.loc[promoted, "explained_by"] == "promotion").sum() >= len(promoted) // 2
    assert result.loc[unexplained, "flag"] and result.loc[unexplained, "explained_by"] == ""


def test_a_festival_spike_is_explained_by_its_name():
    series = weekly_series(n_series=4, weeks=60)
    diwali_week = pd.Timestamp(series["date"].unique()[42])
    calendar = calendar_from_windows(
        pd.DataFrame({"name": ["Diwali"], "starts_on": [diwali_week + pd.Timedelta(days=2)], "ends_on": [
            diwali_week + pd.Timedelta(days=4)
        ]})
    )  # fmt: skip
    festive = series["date"] == diwali_week
    series.loc[festive, "value"] *= 3
    result = detect_anomalies(series, freq="W", calendar=calendar)
    assert not result.loc[festive, "flag"].any()
    assert set(result.loc[festive, "explained_by"]) == {"festival:Diwali"}
    without = detect_anomalies(series, freq="W")
    assert without.loc[festive, "flag"].all()


def test_a_week_every_series_shares_is_market_wide_not_an_anomaly():
    series = weekly_series(n_series=12)
    closed = series["date"] == series["date"].unique()[30]  # the marketplace's warehouse closed that week
    series.loc[closed, "value"] *= 0.2
    result = detect_anomalies(series, freq="W")
    assert not result.loc[closed, "flag"].any()
    assert (result.loc[closed, "explained_by"] == "market-wide").all()


def test_daily_series_learn_their_weekday_pattern():
    rng = np.random.default_rng(4)
    days = pd.date_range("2025-01-06", periods=140, freq="D")
    shape = np.array([1.0, 1.0, 1.0, 1.0, 1.2, 3.0, 0.3])
    values = rng.poisson(30 * shape[days.dayofweek]).astype(float)
    series = pd.DataFrame({"series_id": "a", "date": days, "value": values})
    result = detect_anomalies(series, freq="D")
    # Busy Saturdays and quiet Sundays are the series' rhythm; Poisson noise alone rarely crosses the threshold.
    assert not result.loc[days.dayofweek >= 5, "flag"].any()
    assert result["flag"].sum() <= 2


def test_bad_input_names_the_missing_column_and_bad_method():
    with pytest.raises(ValueError, match="value"):
        detect_anomalies(pd.DataFrame({"series_id": [1], "date": ["2025-01-06"]}), freq="W")
    with pytest.raises(ValueError, match="method"):
        AnomalyConfig(method="magic")
    assert detect_anomalies(pd.DataFrame(columns=["series_id", "date", "value"]), freq="W").empty


def test_isolation_forest_candidate_scores_the_spike_highest():
    series = weekly_series()
    spike = series.index[(series["series_id"] == 1)][30]
    series.loc[spike, "value"] *= 6
    result = detect_anomalies(series, freq="W", config=AnomalyConfig(method="isolation_forest"))
    assert result["score"].idxmax() == spike


def test_lstm_autoencoder_candidate_runs_on_a_tiny_model():
    series = weekly_series(n_series=3, weeks=40)
    spike = series.index[(series["series_id"] == 1)][30]
    series.loc[spike, "value"] *= 8
    config = AnomalyConfig(method="lstm_ae", lstm_window=6, lstm_units=4, lstm_epochs=2, lstm_max_windows=200)
    result = detect_anomalies(series, freq="W", config=config)
    assert list(result.columns) == ANOMALY_COLUMNS and np.isfinite(result["score"]).all()
    assert result.loc[spike, "score"] >= result["score"].quantile(0.9)

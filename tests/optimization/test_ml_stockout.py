"""Stockout risk: the simulated ledger balances, features see nothing after the cutoff, the XGBoost model learns
something, round-trips through its JSON artifact and explains its warnings in words."""

import numpy as np
import pandas as pd
import pytest

from optimization.ml.ledger import LedgerOptions, simulate_ledger
from optimization.ml.stockout import (
    AHEAD,
    StockoutModel,
    StockoutOptions,
    cover_rule_score,
    early_warnings,
    stockout_frame,
)


@pytest.fixture(scope="module")
def ledger():
    rng = np.random.default_rng(0)
    demand = rng.poisson(rng.gamma(2, 2, (40, 1)) * (1 + 0.5 * np.sin(np.arange(160) / 9)), (40, 160)).astype(float)
    return demand, *simulate_ledger(demand, LedgerOptions(seed=1))


def test_ledger_balances(ledger):
    _, daily, deliveries = ledger
    assert np.allclose(daily["sales"] + daily["lost"], daily["demand"])
    pair = daily[daily["pair"] == 3].sort_values("day")
    next_day = pair["on_hand"].to_numpy()[:-1] - pair["sales"].to_numpy()[:-1] + pair["received"].to_numpy()[1:]
    assert np.allclose(next_day, pair["on_hand"].to_numpy()[1:])
    assert (daily["lost"] > 0).any() and (deliveries["arrival_day"] > deliveries["promised_day"]).any()


def test_features_do_not_look_ahead(ledger):
    _, daily, deliveries = ledger
    cutoff = 100
    changed = daily.copy()
    later = changed["day"] >= cutoff + 1
    changed.loc[later, ["demand", "lost", "on_hand"]] *= 3
    moved = deliveries.copy()
    moved.loc[moved["ordered_day"] >= cutoff, "arrival_day"] += 5
    features = ["on_hand", "mean_per_day", "cover_days", "lead_time_mean", "late_share", "stockout_days_56"]
    before = stockout_frame(daily, deliveries, cutoff)[features]
    after = stockout_frame(changed, moved, cutoff)[features]
    pd.testing.assert_frame_equal(before, after)


def test_model_beats_chance_round_trips_and_warns(ledger, tmp_path):
    _, daily, deliveries = ledger
    frames = [stockout_frame(daily, deliveries, c) for c in range(35, 140, 7)]
    train, calibration, test = pd.concat(frames[:-4]), pd.concat(frames[-4:-2]), pd.concat(frames[-2:])
    model = StockoutModel(StockoutOptions(n_estimators=30)).fit(train, calibration)
    predicted = model.predict(test)
    from sklearn.metrics import roc_auc_score

    assert roc_auc_score(test["stockout_14"], predicted["p_stockout_14"]) > 0.7
    assert predicted["p_stockout_14"].between(0, 1).all()
    model.save(tmp_path / "stockout")
    again = StockoutModel.load(tmp_path / "stockout").predict(test)
    pd.testing.assert_frame_equal(predicted, again)
    warnings = early_warnings(test.drop_duplicates("pair"), predicted.drop_duplicates("pair"), top=5)
    assert len(warnings) == 5 and warnings["reason"].str.contains("days of cover|no recent demand").all()
    assert np.isfinite(cover_rule_score(test)).all()


def test_festivals_and_promotions_ahead_are_features_and_reasons(ledger):
    _, daily, deliveries = ledger
    cutoff = 100
    calendar = pd.DataFrame(
        [(-1, cutoff + 9, cutoff + 12, "Diwali", "festival"), (-1, cutoff - 40, cutoff - 38, "Holi", "festival"),
         (-1, cutoff + 60, cutoff + 61, "Christmas", "festival"), (2, cutoff - 1, cutoff + 5, "Spring offer", "promotion"),
         (3, cutoff + 1, cutoff + 7, "Summer offer", "promotion")],
        columns=["pair", "first_day", "last_day", "name", "kind"],
    )  # fmt: skip
    frame = stockout_frame(daily, deliveries, cutoff, calendar=calendar)
    assert (frame["days_to_festival"] == 9).all() and (frame["festival"] == "Diwali").all()
    assert frame.loc[frame["pair"] == 2, "days_to_promotion"].item() == 0  # on now
    assert frame.loc[frame["pair"] == 3, "days_to_promotion"].item() == 1
    assert (frame.loc[~frame["pair"].isin([2, 3]), "days_to_promotion"] == AHEAD).all()
    none = stockout_frame(daily, deliveries, cutoff)
    assert (none["days_to_festival"] == AHEAD).all() and (none["festival"] == "").all()

    predicted = frame[["pair"]].assign(
        p_stockout_14=0.5, days_to_stockout=3.0, expected_lost_revenue=100.0 - frame["pair"]
    )
    reasons = early_warnings(frame, predicted, top=len(frame)).set_index("pair")["reason"]
    assert reasons[2].endswith("Diwali in 9 days, Spring offer now")
    assert reasons[3].endswith("Diwali in 9 days, Summer offer in 1 day")
    assert "Christmas" not in " ".join(reasons) and "Holi" not in " ".join(reasons)

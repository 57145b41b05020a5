"""Cutoffs chosen from the history's length: three months work without options, and nothing of the test period
reaches training."""

import pandas as pd
import pytest

from reorder.ml.pipeline import train_reorder_model
from reorder.ml.schedule import ScheduleError, auto_step_days, plan_schedule
from tests.reorder.synthetic import START, periodic_history


def _no_leak(schedule, horizon: int) -> None:
    for cutoff in (*schedule.train, *schedule.validation):
        assert cutoff + pd.Timedelta(days=horizon) <= schedule.test[0]
    assert max(schedule.train) < min(schedule.validation) <= max(schedule.validation) < min(schedule.test)


@pytest.mark.parametrize("days", [90, 120, 180, 374, 730])
@pytest.mark.parametrize("horizon", [7, 14, 30])
def test_every_history_of_three_months_or_more_gets_a_schedule(days, horizon):
    last = START + pd.Timedelta(days=days - 1)
    schedule = plan_schedule(START, last, longest_horizon=horizon)
    _no_leak(schedule, horizon)
    assert schedule.train and schedule.validation and schedule.test
    assert schedule.step_days == auto_step_days(days)
    assert schedule.test[-1] + pd.Timedelta(days=horizon) == last + pd.Timedelta(days=1)
    assert (schedule.test[-1] - schedule.test[0]).days <= 91
    assert f"{days} days of history" in schedule.describe()


def test_three_months_and_a_month_ahead_says_what_it_chose():
    schedule = plan_schedule(START, START + pd.Timedelta(days=89), longest_horizon=30)
    assert (schedule.warmup_days, schedule.step_days) == (15, 3)
    assert (len(schedule.train), len(schedule.validation), len(schedule.test)) == (1, 1, 5)
    assert "cutoffs every 3 days" in schedule.describe()


def test_a_long_history_keeps_a_horizon_between_training_and_validation():
    schedule = plan_schedule(START, START + pd.Timedelta(days=729), longest_horizon=30, max_cutoffs=12)
    assert schedule.step_days == 14 and schedule.gap_days == 30 and not schedule.notes
    assert len(schedule.train) + len(schedule.validation) + len(schedule.test) <= 12
    assert schedule.train[-1] + pd.Timedelta(days=30) <= schedule.validation[0]


def test_too_short_a_history_is_refused_with_the_days_it_needs():
    with pytest.raises(ScheduleError, match="too short for a 30-day horizon: at least"):
        plan_schedule(START, START + pd.Timedelta(days=49), longest_horizon=30)


def test_training_on_three_months_needs_no_option():
    history = periodic_history(n_retailers=25, n_products=12, days=90, seed=3)
    result = train_reorder_model(history, params={"members": ["lightgbm"], "refit": False, "test_cutoffs": 0})
    schedule = result.metrics["evaluation"]["schedule"]
    days = (history["date"].max() - history["date"].min()).days + 1
    assert schedule["history_days"] == days and "cutoffs every 3 days" in schedule["description"]
    assert result.metrics["served_model"] in ("retailiq_ensemble", "baseline_logreg_strong")

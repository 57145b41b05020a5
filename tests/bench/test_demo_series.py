"""The demo series for the forecast bench: sales beside what was ordered and the stockouts, on a tiny generated
marketplace (seeded, no database)."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from bench import demo_series
from retailiq.demo.generator import generate_marketplace

END = dt.date(2026, 6, 30)


@pytest.fixture(scope="module")
def daily():
    return demo_series.daily_demand("tiny", seed=3, end=END)


def test_ordered_is_sales_plus_the_refused_lines(daily):
    market = generate_marketplace(size="tiny", seed=3, end=END)
    refused = market.history.refused
    assert len(refused) and (refused["quantity"] > 0).all()
    assert (daily["ordered"] >= daily["units"]).all()
    gap = daily.assign(gap=daily["ordered"] - daily["units"]).query("gap > 0")
    by_day = refused.groupby(["product_id", "placed_on"])["quantity"].sum()
    assert gap.set_index(["product_id", "date"])["gap"].sort_index().equals(by_day.sort_index())
    # Refused lines are no sales: none of them is among the orders' lines.
    orders, lines = market.history.orders, market.history.lines
    sold = lines[
        lines["order_id"].isin(orders.loc[(orders["kind"] == "sale") & (orders["status"] != "cancelled"), "id"])
    ]
    assert int(sold["quantity"].sum()) == int(daily["units"].sum())


def test_stockout_share_counts_the_warehouse_days_out(daily):
    market = generate_marketplace(size="tiny", seed=3, end=END)
    stockouts = market.history.stockouts
    assert len(stockouts)
    ended = pd.to_datetime(stockouts["ended_on"]).fillna(pd.Timestamp(END))
    days_out = ((ended - pd.to_datetime(stockouts["started_on"])).dt.days + 1).sum()
    warehouses = len(market.catalog.warehouses)
    assert daily["stockout_share"].between(0, 1).all()
    assert np.isclose(daily["stockout_share"].sum() * warehouses, days_out)
    # The app's rule: a day is censored when every warehouse stocking the product was out, and then nothing sells.
    censored = daily["censored"] == 1
    assert (censored == np.isclose(daily["stockout_share"], 1)).all()
    assert (daily.loc[censored, "units"] == 0).all()


def test_weeks_sum_the_days_and_are_censored_when_most_days_were(daily):
    weeks = demo_series.weekly(daily)
    assert list(weeks.columns) == ["product_id", "date", *demo_series.SERIES_COLUMNS]
    assert weeks["stockout_share"].between(0, 1).all() and (weeks["ordered"] >= weeks["units"]).all()
    day = pd.to_datetime(daily["date"])
    monday = (day - pd.to_timedelta(day.dt.dayofweek, unit="D")).dt.date
    first = weeks[weeks["date"] == weeks["date"].min()]
    days = daily[monday == first["date"].iloc[0]]
    totals = days.groupby("product_id")[["units", "ordered", "censored"]].agg(["sum", "mean"])
    assert (first.set_index("product_id")["ordered"] == totals[("ordered", "sum")]).all()
    assert (first.set_index("product_id")["censored"] == (totals[("censored", "mean")] > 0.5).astype(int)).all()


def test_a_week_is_censored_only_when_more_than_half_its_days_were():
    days = pd.date_range("2026-06-01", periods=14, freq="D")  # two weeks from a Monday
    censored = np.r_[[1, 1, 1, 1, 0, 0, 0], [1, 1, 1, 0, 0, 0, 0]]
    daily = pd.DataFrame(
        {
            "product_id": 1,
            "date": days.date,
            "units": np.where(censored == 1, 0, 5),
            "ordered": np.full(14, 5),
            "stockout_share": censored * 1.0,
            "censored": censored,
            "price": 10.0,
            "promo": 0.0,
            "event": 0.0,
        }
    )
    weeks = demo_series.weekly(daily)
    assert weeks["censored"].tolist() == [1, 0]
    assert weeks["units"].tolist() == [15, 20] and weeks["ordered"].tolist() == [35, 35]
    assert np.allclose(weeks["stockout_share"], [4 / 7, 3 / 7])

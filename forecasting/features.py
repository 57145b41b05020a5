"""Forecasting's features in the feature store: the daily demand feature set, the offline rows of every product at
a cutoff and the online row of one product now, from the one function
:func:`forecasting.ml.features.next_period_frame` (the row the global model's first forecast step reads, built by
the same :func:`~forecasting.ml.features.period_features` its recursion calls).

Offline, the rows come from every product's history over the training window; online, from one product's serving
window. They are the same rows (``tests/forecasting/test_features_store.py`` proves it), which holds only while the
serving window covers every member's lookback: :data:`SERVING_HISTORY_DAYS` says why it is as long as it is."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd

from retailiq.features import FeatureSet, register, validate
from retailiq.features.spec import columns

from . import history
from .catalog import PRICE_BANDS
from .conf import forecasting_settings
from .drivers import EVENT_KINDS
from .ml.censoring import DEFAULT_FILL_WINDOW
from .ml.features import SPECS, YEAR, YEARLY_SPAN, FeatureSpec, next_period_frame

# The daily spec a model trained on more than a year and a half of history reads (features.spec_for): the base lags
# and windows plus last year's demand. Shorter histories lack the yearly columns, which the set lets be missing.
DAILY_SPEC: FeatureSpec = replace(SPECS["D"], yearly_lags=(YEAR["D"],), yearly_span=YEARLY_SPAN["D"])

# What an on-demand forecast reads, in days up to its origin: every member's lookback. The global model's yearly
# features reach 364 + 3 days back and its price reference 28 before that (396 with the day itself); the CNN-LSTM
# reads its 56-day window a year back (420), and filling a stockout in it reads 28 days before that. With the 365
# days served until now, last year's mean and growth were missing at serving though present in every training row,
# and the CNN-LSTM's last-year channel was padded with the series' mean.
SERVING_HISTORY_DAYS = YEAR["D"] + 56 + DEFAULT_FILL_WINDOW["D"] + 7

_YEARLY = [f"last_year_{YEAR['D']}", f"last_year_mean_{YEAR['D']}", f"last_year_growth_{YEAR['D']}"]

DEMAND_FEATURES = register(
    FeatureSet(
        name="forecasting.daily",
        keys=("series_id", "date"),
        # 2: demand is sales plus the units refused for want of stock where a lost sale is on record (a day with
        # recorded lost units no longer censored): every lag and mean means demand, not shipped sales. A version
        # trained on sales alone is refused at serving until retrained.
        revision=2,
        description="A product's demand features for the day after a cutoff: recent and last year's demand, the "
        "calendar, planned price, promotions and events, and its place in the catalog.",
        columns=(
            *columns([f"lag_{k}" for k in DAILY_SPEC.lags], minimum=0),
            *columns([f"mean_{w}" for w in DAILY_SPEC.windows], minimum=0),
            *columns(["trend"], minimum=0),
            *columns(_YEARLY, minimum=0, max_missing=1.0),
            *columns(["month"], dtype="int", minimum=1, maximum=12),
            *columns(["week"], dtype="int", minimum=1, maximum=53),
            *columns(["dow"], dtype="int", minimum=0, maximum=6),
            *columns(["month_start", "month_end"], dtype="int", minimum=0, maximum=1),
            *columns(["to_christmas"], minimum=-183, maximum=183),
            *columns(["price"], minimum=0),
            *columns(["promo", "promo_discount"], minimum=0, maximum=1),
            *columns([f"event_{kind}" for kind in EVENT_KINDS], minimum=0, maximum=1),
            *columns(["event_days_to_next"], minimum=0, maximum=30),
            *columns(["price_change"], minimum=-1),
            *columns(
                ["static_brand", "static_category", "static_parent_category", "static_vendor"], dtype="int", minimum=-1
            ),
            *columns(["static_price_band"], dtype="int", minimum=0, maximum=PRICE_BANDS - 1),
        ),
    )
)


def demand_features_at(matrix) -> pd.DataFrame:
    """The validated rows of the day after ``matrix``'s last, one per product (the matrix carries its drivers)."""
    frame = next_period_frame(matrix, DAILY_SPEC)
    if not len(frame):
        return frame
    return validate(frame, DEMAND_FEATURES)[[*DEMAND_FEATURES.keys, *DEMAND_FEATURES.column_names]]


def offline_demand_features(*, cutoff: dt.date, history_days: int | None = None) -> pd.DataFrame:
    """Every product's row at ``cutoff`` from the whole catalog's history over the training window (the read a
    training run or a batch makes)."""
    days = history_days or forecasting_settings().history_days
    matrix = history.product_matrix(None, start=cutoff - dt.timedelta(days=days - 1), end=cutoff, horizon=1)
    return demand_features_at(matrix)


def online_demand_features(*, product_id: int, as_of: dt.date) -> pd.DataFrame:
    """One product's row at ``as_of`` from its serving window alone (the read an on-demand forecast makes)."""
    matrix = history.product_matrix(
        [product_id], start=as_of - dt.timedelta(days=SERVING_HISTORY_DAYS - 1), end=as_of, horizon=1
    )
    return demand_features_at(matrix)

"""Features for the global model, computed on the series x period matrix so that
training and recursive forecasting build them the same way, and a period only ever sees
earlier periods (no look-ahead). Daily and weekly data get their own lags and windows.
Plain NumPy/pandas, no Django."""

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class FeatureSpec:
    lags: tuple[int, ...]
    windows: tuple[int, int]  # a short and a long rolling mean; their ratio is the momentum

    @property
    def max_lookback(self) -> int:
        return max(max(self.lags), max(self.windows))


SPECS = {
    "D": FeatureSpec(lags=(1, 2, 7, 14, 28), windows=(7, 28)),
    # A year of weekly history is often all there is: a lag of 52 would leave nothing to learn from.
    "W": FeatureSpec(lags=(1, 2, 3, 4, 8, 13), windows=(4, 13)),
}
MAX_LOOKBACK = SPECS["D"].max_lookback

# Feature name prefix -> the driver a person would name.
DRIVER_OF_FEATURE_PREFIX = {
    "lag_": "recent demand",
    "mean_": "recent demand",
    "trend": "trend",
    "dow": "day of week",
    "month_start": "month start/end",
    "month_end": "month start/end",
    "month": "season",
    "week": "season",
    "price": "price",
    "promo": "promotion",
    "event": "festivals and holidays",
    "series": "product profile",
    "static_": "product profile",
}


def history_features(values: np.ndarray, spec: FeatureSpec = SPECS["D"]) -> dict[str, np.ndarray]:
    """Per feature a series x period array; the value at period d uses periods before d only."""
    n_series, n_days = values.shape
    lookback = spec.max_lookback
    padded = np.concatenate([np.full((n_series, lookback), np.nan), values], axis=1)
    features = {f"lag_{k}": padded[:, lookback - k : lookback - k + n_days] for k in spec.lags}
    filled = np.nan_to_num(padded)
    cumulative = np.concatenate([np.zeros((n_series, 1)), np.cumsum(filled, axis=1)], axis=1)
    end = np.arange(lookback, lookback + n_days)  # exclusive end in padded coordinates
    for w in spec.windows:
        features[f"mean_{w}"] = (cumulative[:, end] - cumulative[:, end - w]) / w
    short, long = spec.windows
    # Momentum: the short window against the long one (1.0 = flat).
    features["trend"] = (features[f"mean_{short}"] + 0.1) / (features[f"mean_{long}"] + 0.1)
    return features


def calendar_features(days: pd.DatetimeIndex, freq: str = "D") -> dict[str, np.ndarray]:
    features = {
        "month": np.asarray(days.month),
        "week": days.isocalendar().week.to_numpy(dtype=int),
    }
    if freq == "D":
        features["dow"] = np.asarray(days.dayofweek)
        features["month_start"] = np.asarray(days.is_month_start, dtype=int)
        features["month_end"] = np.asarray(days.is_month_end, dtype=int)
    return features


def feature_table(
    values: np.ndarray,
    days: pd.DatetimeIndex,
    *,
    series_codes: np.ndarray,
    exogenous: dict[str, np.ndarray] | None = None,
    static: dict[str, np.ndarray] | None = None,
    day_slice: slice = slice(None),
    freq: str = "D",
) -> pd.DataFrame:
    """Rows series-major for the chosen periods. exogenous: name -> series x period array
    aligned with `days` (price, promotion, events); static: name -> per-series codes."""
    return pd.DataFrame(
        feature_columns(
            values, days, series_codes=series_codes, exogenous=exogenous, static=static, day_slice=day_slice, freq=freq
        )
    )


def feature_columns(
    values: np.ndarray,
    days: pd.DatetimeIndex,
    *,
    series_codes: np.ndarray,
    exogenous: dict[str, np.ndarray] | None = None,
    static: dict[str, np.ndarray] | None = None,
    day_slice: slice = slice(None),
    freq: str = "D",
) -> dict[str, np.ndarray]:
    """feature_table's columns as plain arrays: recursive forecasting builds one row per
    series and step, where a DataFrame would cost more than the model's prediction."""
    spec = SPECS[freq]
    history = {name: array[:, day_slice] for name, array in history_features(values, spec).items()}
    chosen_days = days[day_slice]
    n_series, n_days = len(series_codes), len(chosen_days)
    columns: dict[str, np.ndarray] = {name: array.ravel() for name, array in history.items()}
    for name, array in calendar_features(chosen_days, freq).items():
        columns[name] = np.tile(array, n_series)
    for name, array in (exogenous or {}).items():
        columns[name] = array[:, day_slice].ravel()
    if exogenous and "price" in exogenous:
        price = exogenous["price"]
        reference = _trailing_mean(price, 28 if freq == "D" else 4)
        columns["price_change"] = (price / np.where(reference > 0, reference, 1) - 1)[:, day_slice].ravel()
    columns["series"] = np.repeat(series_codes, n_days)
    for name, codes in (static or {}).items():
        columns[f"static_{name}"] = np.repeat(codes, n_days)
    return columns


def _trailing_mean(array: np.ndarray, window: int) -> np.ndarray:
    """Mean of each row's last `window` values up to and including each column (fewer at
    the start), ignoring NaN, like pandas' rolling(window, min_periods=1).mean()."""
    finite = np.isfinite(array)
    filled = np.where(finite, array, 0.0)
    sums = np.cumsum(filled, axis=1)
    counts = np.cumsum(finite, axis=1)
    sums[:, window:] = sums[:, window:] - sums[:, :-window]
    counts[:, window:] = counts[:, window:] - counts[:, :-window]
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def driver_of(feature: str) -> str:
    for prefix, driver in DRIVER_OF_FEATURE_PREFIX.items():
        if feature.startswith(prefix):
            return driver
    return feature

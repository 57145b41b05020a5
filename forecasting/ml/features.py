"""Features for the global model, computed on the series x day matrix so that training
and recursive forecasting build them the same way, and a day only ever sees earlier
days (no look-ahead). Plain NumPy/pandas, no Django."""

import numpy as np
import pandas as pd

LAGS = (1, 2, 7, 14, 28)
WINDOWS = (7, 28)
MAX_LOOKBACK = max(max(LAGS), max(WINDOWS))

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
    "event": "events and festivals",
    "series": "product profile",
    "static_": "product profile",
}


def history_features(values: np.ndarray) -> dict[str, np.ndarray]:
    """Per feature a series x day array; the value at day d uses days before d only."""
    n_series, n_days = values.shape
    padded = np.concatenate([np.full((n_series, MAX_LOOKBACK), np.nan), values], axis=1)
    features = {f"lag_{k}": padded[:, MAX_LOOKBACK - k : MAX_LOOKBACK - k + n_days] for k in LAGS}
    filled = np.nan_to_num(padded)
    cumulative = np.concatenate([np.zeros((n_series, 1)), np.cumsum(filled, axis=1)], axis=1)
    for w in WINDOWS:
        end = np.arange(MAX_LOOKBACK, MAX_LOOKBACK + n_days)  # exclusive end in padded coordinates
        sums = cumulative[:, end] - cumulative[:, end - w]
        features[f"mean_{w}"] = sums / w
    # Momentum: last week against the four before it (1.0 = flat).
    features["trend"] = (features["mean_7"] + 0.1) / (features["mean_28"] + 0.1)
    return features


def calendar_features(days: pd.DatetimeIndex) -> dict[str, np.ndarray]:
    return {
        "dow": np.asarray(days.dayofweek),
        "month": np.asarray(days.month),
        "week": days.isocalendar().week.to_numpy(dtype=int),
        "month_start": np.asarray(days.is_month_start, dtype=int),
        "month_end": np.asarray(days.is_month_end, dtype=int),
    }


def feature_table(
    values: np.ndarray,
    days: pd.DatetimeIndex,
    *,
    series_codes: np.ndarray,
    exogenous: dict[str, np.ndarray] | None = None,
    static: dict[str, np.ndarray] | None = None,
    day_slice: slice = slice(None),
) -> pd.DataFrame:
    """Rows series-major for the chosen days. exogenous: name -> series x day array known
    in advance (price, promotion, events); static: name -> per-series integer codes."""
    history = {name: array[:, day_slice] for name, array in history_features(values).items()}
    chosen_days = days[day_slice]
    n_series, n_days = len(series_codes), len(chosen_days)
    columns: dict[str, np.ndarray] = {name: array.ravel() for name, array in history.items()}
    for name, array in calendar_features(chosen_days).items():
        columns[name] = np.tile(array, n_series)
    for name, array in (exogenous or {}).items():
        columns[name] = array[:, day_slice].ravel()
    if exogenous and "price" in exogenous:
        price = exogenous["price"]
        reference = pd.DataFrame(price.T).rolling(28, min_periods=1).mean().to_numpy().T
        columns["price_change"] = (price / np.where(reference > 0, reference, 1) - 1)[:, day_slice].ravel()
    columns["series"] = np.repeat(series_codes, n_days)
    for name, codes in (static or {}).items():
        columns[f"static_{name}"] = np.repeat(codes, n_days)
    return pd.DataFrame(columns)


def driver_of(feature: str) -> str:
    for prefix, driver in DRIVER_OF_FEATURE_PREFIX.items():
        if feature.startswith(prefix):
            return driver
    return feature

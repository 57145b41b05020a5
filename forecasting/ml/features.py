"""Features for the global model, computed on the series x period matrix so that
training and recursive forecasting build them the same way, and a period only ever sees
earlier periods (no look-ahead). Daily and weekly data get their own lags and windows.
Plain NumPy/pandas, no Django."""

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from .matrix import DemandMatrix


@dataclass(frozen=True)
class FeatureSpec:
    lags: tuple[int, ...]
    windows: tuple[int, int]  # a short and a long rolling mean; their ratio is the momentum
    # Last year's demand around the same period: a lag of a year (52 weeks; 364 days, so the
    # weekday matches) and the mean of the `yearly_span` periods centred on it. Empty when
    # the history is too short for the model to learn what a year ago says.
    yearly_lags: tuple[int, ...] = ()
    yearly_span: int = 0
    fourier: int = 0  # sin/cos pairs of the day of the year (smooth yearly shape)

    @property
    def yearly(self) -> bool:
        return bool(self.yearly_lags)

    @property
    def max_lookback(self) -> int:
        yearly = max(self.yearly_lags) + self.yearly_span // 2 if self.yearly_lags else 0
        return max(max(self.lags), max(self.windows), yearly)

    def as_dict(self) -> dict:
        return {
            "lags": list(self.lags),
            "windows": list(self.windows),
            "yearly_lags": list(self.yearly_lags),
            "yearly_span": self.yearly_span,
            "fourier": self.fourier,
        }

    @classmethod
    def from_dict(cls, data: dict) -> "FeatureSpec":
        return cls(
            lags=tuple(data["lags"]),
            windows=tuple(data["windows"]),
            yearly_lags=tuple(data.get("yearly_lags", ())),
            yearly_span=int(data.get("yearly_span", 0)),
            fourier=int(data.get("fourier", 0)),
        )


SPECS = {
    "D": FeatureSpec(lags=(1, 2, 7, 14, 28), windows=(7, 28)),
    # Without a year of history to learn from, a lag of 52 would leave nothing to learn.
    "W": FeatureSpec(lags=(1, 2, 3, 4, 8, 13), windows=(4, 13)),
}
MAX_LOOKBACK = SPECS["D"].max_lookback
YEAR = {"D": 364, "W": 52}  # a year in periods; 364 days is 52 whole weeks, so weekdays line up
YEARLY_SPAN = {"D": 7, "W": 3}
# Yearly features need the year itself plus this many periods of rows that can see it:
# with fewer, a lag of a year is all missing or rests on a handful of weeks.
YEARLY_TRAINING_ROWS = {"D": 182, "W": 26}
# Daily data gets no Fourier terms: on the daily demo they added nothing measurable (WAPE
# 0.310 with them or without, three 14-day origins) and cost a sixth of LightGBM's fit;
# the year's shape reaches a daily model through last year's weekday-aligned demand, the
# month and the week, and the holiday calendar (days to Christmas) stays.
YEARLY_FOURIER = {"D": 0, "W": 3}
HOLIDAY_DRIVERS = ("event",)  # exogenous columns that mark festival or holiday periods


def spec_for(freq: str, n_periods: int) -> FeatureSpec:
    """The feature spec the history allows: the base spec, plus last year's demand,
    Fourier terms of the year and the holiday calendar once the history holds a year
    and enough periods after it to learn from."""
    base = SPECS[freq]
    if n_periods < YEAR[freq] + YEARLY_SPAN[freq] // 2 + YEARLY_TRAINING_ROWS[freq]:
        return base
    return replace(base, yearly_lags=(YEAR[freq],), yearly_span=YEARLY_SPAN[freq], fourier=YEARLY_FOURIER[freq])


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
    "year_": "season",
    "last_year": "season",
    "to_christmas": "festivals and holidays",
    "price": "price",
    "promo": "promotion",
    "event": "festivals and holidays",
    "series": "product profile",
    "static_": "product profile",
    "hist_": "recent orders",
}
# History-only drivers (DemandMatrix.history, e.g. orders per period): their lags and
# rolling means, and units per driver unit (units per order) over the same spans.
HISTORY_LAGS = (1, 2, 4)
HISTORY_WINDOWS = {"D": (7, 28), "W": (4, 13)}
HISTORY_AGE = "hist_age"


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
    for k in spec.yearly_lags:
        half = spec.yearly_span // 2
        features[f"last_year_{k}"] = padded[:, lookback - k : lookback - k + n_days]
        # Last year's level around the same period, less noisy than the single lag, and
        # the growth since: this year's short window against the same window a year ago.
        around = (cumulative[:, end - k + half + 1] - cumulative[:, end - k - half]) / (2 * half + 1)
        features[f"last_year_mean_{k}"] = np.where(end - k - half >= lookback, around, np.nan)
        ago = (cumulative[:, end - k] - cumulative[:, end - k - short]) / short
        ago = np.where(end - k - short >= lookback, ago, np.nan)
        features[f"last_year_growth_{k}"] = (features[f"mean_{short}"] + 0.1) / (ago + 0.1)
    return features


def history_driver_features(units: np.ndarray, drivers: dict[str, np.ndarray], *, freq: str) -> dict[str, np.ndarray]:
    """Per feature a series x period array from history-only drivers; the value at period c
    reads periods before c only, like history_features. units: the sales (series x periods),
    for the units per driver unit; drivers: name -> series x periods, same columns."""
    n_series, n_periods = units.shape
    windows = HISTORY_WINDOWS[freq]
    lookback = max(max(HISTORY_LAGS), max(windows))
    pad = np.full((n_series, lookback), np.nan)
    end = np.arange(lookback, lookback + n_periods)  # exclusive end in padded coordinates

    def cumulative(array: np.ndarray) -> np.ndarray:
        filled = np.nan_to_num(np.concatenate([pad, array], axis=1))
        return np.concatenate([np.zeros((n_series, 1)), np.cumsum(filled, axis=1)], axis=1)

    padded_units = np.concatenate([pad, units], axis=1)
    units_sum = cumulative(units)
    features: dict[str, np.ndarray] = {}
    for name, array in sorted(drivers.items()):
        padded = np.concatenate([pad, array], axis=1)
        driver_sum = cumulative(array)
        with np.errstate(divide="ignore", invalid="ignore"):
            for k in HISTORY_LAGS:
                lagged = padded[:, lookback - k : lookback - k + n_periods]
                features[f"hist_{name}_lag_{k}"] = lagged
                # NaN where the driver is zero: no order, no size of one.
                unit_lag = padded_units[:, lookback - k : lookback - k + n_periods]
                features[f"hist_units_per_{name}_lag_{k}"] = np.where(lagged > 0, unit_lag / lagged, np.nan)
            for w in windows:
                # Windows reaching before the first period count as missing, not as zeros.
                known = end - w >= lookback
                total = driver_sum[:, end] - driver_sum[:, end - w]
                features[f"hist_{name}_mean_{w}"] = np.where(known, total / w, np.nan)
                sold = units_sum[:, end] - units_sum[:, end - w]
                features[f"hist_units_per_{name}_mean_{w}"] = np.where(known & (total > 0), sold / total, np.nan)
    return features


def calendar_features(
    days: pd.DatetimeIndex, freq: str = "D", *, fourier: int = 0, christmas: bool = False
) -> dict[str, np.ndarray]:
    features = {
        "month": np.asarray(days.month),
        "week": days.isocalendar().week.to_numpy(dtype=int),
    }
    if freq == "D":
        features["dow"] = np.asarray(days.dayofweek)
        features["month_start"] = np.asarray(days.is_month_start, dtype=int)
        features["month_end"] = np.asarray(days.is_month_end, dtype=int)
    if fourier:
        features.update(year_fourier(days, fourier))
    if christmas:
        features["to_christmas"] = periods_to_christmas(days, freq)
    return features


def year_fourier(days: pd.DatetimeIndex, pairs: int) -> dict[str, np.ndarray]:
    """sin/cos of the position in the year, `pairs` harmonics: a smooth yearly shape that
    a tree can split on with fewer rows than the 52 separate weeks need."""
    phase = 2 * np.pi * (np.asarray(days.dayofyear) - 1) / 365.25
    result = {}
    for k in range(1, pairs + 1):
        result[f"year_sin_{k}"] = np.sin(k * phase)
        result[f"year_cos_{k}"] = np.cos(k * phase)
    return result


def periods_to_christmas(days: pd.DatetimeIndex, freq: str) -> np.ndarray:
    """Signed distance to the nearest 25 December in periods (negative before it). Week of
    the year drifts by a day or two a year against the holiday; this does not, so the
    run-up and the slump after it line up across years."""
    # Whole days in NumPy: assembling the Christmases through pandas cost about 4 ms a call,
    # most of a one-product forecast's recursion, which builds this once per step.
    as_days = pd.DatetimeIndex(days).to_numpy().astype("datetime64[D]")
    december = as_days.astype("datetime64[Y]").astype("datetime64[M]") + np.timedelta64(11, "M")
    this_year = december.astype("datetime64[D]") + np.timedelta64(24, "D")
    last_year = (december - np.timedelta64(12, "M")).astype("datetime64[D]") + np.timedelta64(24, "D")
    ahead = (as_days - this_year).astype(np.int64)
    behind = (as_days - last_year).astype(np.int64)
    nearest = np.where(np.abs(ahead) <= np.abs(behind), ahead, behind)
    return nearest / (7.0 if freq == "W" else 1.0)


def feature_table(
    values: np.ndarray,
    days: pd.DatetimeIndex,
    *,
    series_codes: np.ndarray,
    exogenous: dict[str, np.ndarray] | None = None,
    static: dict[str, np.ndarray] | None = None,
    day_slice: slice = slice(None),
    freq: str = "D",
    spec: FeatureSpec | None = None,
) -> pd.DataFrame:
    """Rows series-major for the chosen periods. exogenous: name -> series x period array
    aligned with `days` (price, promotion, events); static: name -> per-series codes.
    spec: the lags and windows (default: the frequency's base spec)."""
    return pd.DataFrame(
        feature_columns(
            values,
            days,
            series_codes=series_codes,
            exogenous=exogenous,
            static=static,
            day_slice=day_slice,
            freq=freq,
            spec=spec,
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
    spec: FeatureSpec | None = None,
    calendar: dict[str, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """feature_table's columns as plain arrays: recursive forecasting builds one row per
    series and step, where a DataFrame would cost more than the model's prediction.
    calendar: calendar_features of the chosen days when already computed (the recursion
    computes the whole horizon's once instead of once per step)."""
    spec = spec or SPECS[freq]
    history = {name: array[:, day_slice] for name, array in history_features(values, spec).items()}
    chosen_days = days[day_slice]
    n_series, n_days = len(series_codes), len(chosen_days)
    columns: dict[str, np.ndarray] = {name: array.ravel() for name, array in history.items()}
    if calendar is None:
        calendar = calendar_features(chosen_days, freq, fourier=spec.fourier, christmas=spec.yearly)
    for name, array in calendar.items():
        columns[name] = np.tile(array, n_series)
    for name, array in (exogenous or {}).items():
        columns[name] = array[:, day_slice].ravel()
        if name in HOLIDAY_DRIVERS:
            # Holiday-aligned: whether last year's same period was a festival, so the tree
            # can tell a lag that held a moving festival (Diwali, Easter) from one that did not.
            for k in spec.yearly_lags:
                shifted = np.full(array.shape, np.nan)
                shifted[:, k:] = array[:, :-k]
                columns[f"{name}_last_year"] = shifted[:, day_slice].ravel()
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


PRICE_REFERENCE = {"D": 28, "W": 4}  # price_change compares a period's price with this trailing mean


def period_window(column: int, spec: FeatureSpec) -> slice:
    """The columns one period's features read: its lookback and the price reference before it."""
    return slice(max(0, column - spec.max_lookback - max(PRICE_REFERENCE.values())), column + 1)


def period_features(
    values: np.ndarray,
    days: pd.DatetimeIndex,
    *,
    column: int,
    series_codes: np.ndarray,
    exogenous: dict[str, np.ndarray],
    static: dict[str, np.ndarray],
    freq: str,
    spec: FeatureSpec,
    calendar: dict[str, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """One period's features per series, from the columns before it only: what each step of
    a recursive forecast predicts from, and the feature store's row at a cutoff (column =
    the period after it). values, days and exogenous cover at least up to `column`."""
    window = period_window(column, spec)
    return feature_columns(
        values[:, window],
        days[window],
        series_codes=series_codes,
        exogenous={name: array[:, window] for name, array in exogenous.items()},
        static=static,
        day_slice=slice(-1, None),
        freq=freq,
        spec=spec,
        calendar=calendar,
    )


def next_period_frame(matrix: DemandMatrix, spec: FeatureSpec) -> pd.DataFrame:
    """One row per series (keys series_id, date): the features of the period after the
    matrix's last, built by period_features exactly as a forecast's first step builds them.
    Drivers beyond the history are the planned ones the matrix carries; the model's own
    series code is left out (it belongs to a fitted model, not to the data)."""
    n = matrix.n_periods
    days = matrix.days.append(matrix.future_periods(1))
    values = np.concatenate([matrix.values, np.zeros((matrix.n_series, 1))], axis=1)
    columns = period_features(
        values,
        days,
        column=n,
        series_codes=np.zeros(matrix.n_series, dtype=int),
        exogenous={name: matrix.exogenous_until(name, n + 1) for name in sorted(matrix.exogenous)},
        static=matrix.static,
        freq=matrix.freq,
        spec=spec,
    )
    columns.pop("series")
    keys = {"series_id": np.asarray(matrix.series_ids), "date": np.repeat(days[n:].to_numpy(), matrix.n_series)}
    return pd.DataFrame({**keys, **columns})

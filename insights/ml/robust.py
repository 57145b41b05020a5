"""The shipped anomaly scorer: a robust seasonal-trend fit per series, with calendar and promotion effects.

Each series is put on a log scale relative to its own typical size (``log1p(x / c)``, c its lower-quartile
non-zero value), so a 3x week reads alike in a fast and a slow seller and scores pool across series. The level
is a centred rolling median that skips promotion and festival periods, a weekday index (daily series) is the
median of what the level leaves, and each promotion column and each named event gets an effect: the series' own
median residual in those periods, shrunk towards the effect pooled over all series (a series sees few
promotions). The score is the residual over 1.4826 x its MAD: a robust z. A point that the plain seasonal fit
would flag but the fit with effects does not is *explained* (by the promotion or festival) and not flagged.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from .calendar import explanation_label
from .config import AnomalyConfig

MAD_TO_SD = 1.4826


def default_trend_window(freq: str) -> int:
    # Two weeks of days either side, or about two months of weeks: wide enough that a two-period burst
    # cannot move the median, narrow enough to follow a season.
    return 15 if freq.upper().startswith("D") else 9


def log_scale(values: np.ndarray) -> tuple[np.ndarray, float]:
    positive = values[values > 0]
    unit = float(np.quantile(positive, 0.25)) if positive.size else 1.0
    unit = unit if unit > 0 else 1.0
    return np.log1p(np.maximum(values, 0) / unit), unit


def rolling_median(values: np.ndarray, window: int) -> np.ndarray:
    level = pd.Series(values).rolling(window, center=True, min_periods=1).median().to_numpy()
    # Stretches where every point was masked (a long festival window) take the nearest level.
    return pd.Series(level).ffill().bfill().fillna(0.0).to_numpy()


def seasonal_fit(y: np.ndarray, dates: pd.DatetimeIndex, usable: np.ndarray, freq: str, window: int) -> np.ndarray:
    """Level plus weekday index, fitted on the usable (ordinary) periods only."""
    masked = np.where(usable, y, np.nan)
    level = rolling_median(masked, window)
    if not freq.upper().startswith("D") or len(y) < 21:
        return level
    weekday = dates.dayofweek.to_numpy()
    detrended = pd.Series(masked - level)
    index = detrended.groupby(weekday).median().reindex(range(7)).fillna(0.0).to_numpy()
    index -= np.median(index)
    level = rolling_median(masked - index[weekday], window)
    return level + index[weekday]


def fit_series(
    y: np.ndarray, dates: pd.DatetimeIndex, active: dict[str, np.ndarray], freq: str, config: AnomalyConfig
) -> tuple[np.ndarray, np.ndarray]:
    """Seasonal expectation (log scale) and plain residual of one series; ``active`` marks effect periods."""
    window = config.trend_window or default_trend_window(freq)
    ordinary = np.ones(len(y), dtype=bool)
    for mask in active.values():
        ordinary &= ~mask
    if ordinary.sum() < max(5, len(y) // 4):  # mostly promoted: fit on everything rather than on nothing
        ordinary = np.ones(len(y), dtype=bool)
    base = seasonal_fit(y, dates, ordinary, freq, window)
    return base, y - base


def robust_scale(residual: np.ndarray, usable: np.ndarray, floor: float) -> float:
    values = residual[usable] if usable.sum() >= 5 else residual
    mad = float(np.median(np.abs(values - np.median(values)))) if values.size else 0.0
    return max(MAD_TO_SD * mad, floor)


def score_robust(
    frame: pd.DataFrame,
    *,
    freq: str,
    events: np.ndarray,
    exog: list[str],
    config: AnomalyConfig,
) -> pd.DataFrame:
    """``frame`` sorted by series then date, with ``series_id, date, value`` and the exog columns; ``events`` the
    event name per row. Returns expected/lower/upper/score/signed z/explained_by per row, in frame order."""
    values = frame["value"].to_numpy(dtype=float)
    dates = pd.DatetimeIndex(frame["date"])
    codes, starts = group_bounds(frame["series_id"])
    effect_names = [*exog, *sorted({e for e in events if e})]
    masks = {name: frame[name].to_numpy(dtype=float) > 0 for name in exog}
    masks.update({name: events == name for name in effect_names[len(exog) :]})

    n = len(values)
    y_all, base_all, residual_all, unit_all = (np.zeros(n) for _ in range(4))
    for begin, end in itertools.pairwise(starts):
        part = slice(begin, end)
        y, unit = log_scale(values[part])
        active = {name: mask[part] for name, mask in masks.items() if mask[part].any()}
        base, residual = fit_series(y, dates[part], active, freq, config)
        y_all[part], base_all[part], residual_all[part], unit_all[part] = y, base, residual, unit

    effects = effect_table(residual_all, codes, masks, config.effect_shrinkage)
    adjustment = np.zeros(n)
    for name, mask in masks.items():
        adjustment[mask] += effects[name][codes[mask]]
    expected_log = base_all + adjustment
    residual = y_all - expected_log

    ordinary = np.ones(n, dtype=bool)
    for mask in masks.values():
        ordinary &= ~mask
    scale = np.zeros(n)
    for begin, end in itertools.pairwise(starts):
        part = slice(begin, end)
        scale[part] = robust_scale(residual[part], ordinary[part], config.min_scale)
    z = residual / scale
    plain_z = residual_all / scale
    explained = np.full(n, "", dtype=object)
    would_flag = (np.abs(plain_z) >= config.threshold) & (np.abs(z) < config.threshold)
    for name, mask in masks.items():
        label = explanation_label(name) if name in exog else f"festival:{name}"
        explained[would_flag & mask & (explained == "")] = label
    band = config.threshold * scale
    return pd.DataFrame(
        {
            "expected": unit_all * np.expm1(expected_log),
            "lower": unit_all * np.expm1(np.maximum(expected_log - band, 0.0)),
            "upper": unit_all * np.expm1(expected_log + band),
            "score": np.abs(z),
            "z": z,
            "explained_by": explained,
        },
        index=frame.index,
    )


def group_bounds(series_id: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Series code per row and the row where each series starts (rows sorted by series), plus the end."""
    codes = pd.factorize(series_id, sort=False)[0]
    change = np.flatnonzero(np.diff(codes)) + 1
    return codes, np.concatenate([[0], change, [len(codes)]])


def effect_table(
    residual: np.ndarray, codes: np.ndarray, masks: dict[str, np.ndarray], shrinkage: float
) -> dict[str, np.ndarray]:
    """Per effect, one shrunken log uplift per series: (n x own median + k x pooled) / (n + k)."""
    n_series = int(codes.max()) + 1 if codes.size else 0
    effects = {}
    for name, mask in masks.items():
        effect = np.zeros(n_series)
        if mask.any():
            frame = pd.DataFrame({"code": codes[mask], "r": residual[mask]})
            own = frame.groupby("code")["r"].agg(["median", "size"])
            pooled = float(own["median"].median())
            effect[own.index] = (own["size"] * own["median"] + shrinkage * pooled) / (own["size"] + shrinkage)
            effect[np.setdiff1d(np.arange(n_series), own.index)] = pooled
        effects[name] = effect
    return effects

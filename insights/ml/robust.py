"""The shipped anomaly scorer: a robust seasonal-trend fit per series, with calendar and promotion effects,
scored by each point's tail probability under the series' own fit.

Each series is put on a log scale relative to its own typical size (``log1p(x / c)``, c its lower-quartile
non-zero value), so a 3x week reads alike in a fast and a slow seller. The level is a centred rolling median
and a weekday index (daily series) is the median of what the level
leaves. Then three effects are expected: each promotion column's and each named event's (the series' own median
residual in those periods, shrunk towards the effect pooled over all series, since a series sees few
promotions), and each period's market-wide effect (the median residual of all series that period).

Scores pool across series, so they are probabilities rather than raw distances: a spike's is the normal tail
of its residual over the series' robust scale (the larger of 1.4826 MAD and the 95th percentile deviation over
1.96, which widens heavy-tailed series) times the chance of a non-zero period; a drop's adds the series' share
of zero periods, so a zero week is ordinary in a shop that often skips one. Intermittent series measure spikes
against the level of their non-zero sizes. The score is that probability as a normal quantile (a z).

A point the plain seasonal fit would flag but the fit with effects does not is *explained* (by the promotion,
the festival, or a market-wide week) and not flagged.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from scipy.special import ndtri_exp
from scipy.stats import norm

from .calendar import explanation_label
from .config import AnomalyConfig

MAD_TO_SD = 1.4826
TAIL_QUANTILE, TAIL_Z = 0.95, 1.96
INTERMITTENT_SHARE = 0.3
Z_CAP = 30.0
MARKET_WIDE = "market-wide"
MIN_SERIES_FOR_MARKET = 10


def default_trend_window(freq: str) -> int:
    # Two weeks of days either side, or a season of weeks (six either side): wide enough that a two-period burst
    # cannot move the median, narrow enough to follow a season.
    return 15 if freq.upper().startswith("D") else 13


def log_scale(values: np.ndarray) -> tuple[np.ndarray, float]:
    positive = values[values > 0]
    unit = float(np.quantile(positive, 0.25)) if positive.size else 1.0
    unit = unit if unit > 0 else 1.0
    return np.log1p(np.maximum(values, 0) / unit), unit


def rolling_median(values: np.ndarray, window: int) -> np.ndarray:
    level = pd.Series(values).rolling(window, center=True, min_periods=1).median().to_numpy()
    # Stretches with no value at all (the zero weeks of an intermittent series, for its size level) take the
    # nearest level.
    return pd.Series(level).ffill().bfill().fillna(0.0).to_numpy()


def seasonal_fit(y: np.ndarray, dates: pd.DatetimeIndex, freq: str, window: int) -> np.ndarray:
    """Level plus weekday index (daily series with three weeks or more)."""
    level = rolling_median(y, window)
    if not freq.upper().startswith("D") or len(y) < 21:
        return level
    weekday = dates.dayofweek.to_numpy()
    detrended = pd.Series(y - level)
    index = detrended.groupby(weekday).median().reindex(range(7)).fillna(0.0).to_numpy()
    index -= np.median(index)
    level = rolling_median(y - index[weekday], window)
    return level + index[weekday]


def fit_series(
    y: np.ndarray, dates: pd.DatetimeIndex, freq: str, config: AnomalyConfig
) -> tuple[np.ndarray, np.ndarray]:
    """Seasonal expectation (log scale) of one series, and the level of its non-zero sizes (for intermittent
    series, whose median week is zero). Promotion and festival periods stay in the fit: the rolling median
    shrugs off a few of them, and leaving them out measured worse (bench/anomaly_eval.py)."""
    window = config.trend_window or default_trend_window(freq)
    base = seasonal_fit(y, dates, freq, window)
    sizes = rolling_median(np.where(y > 0, y, np.nan), 2 * window + 1)
    return base, sizes


def tail_scale(residual: np.ndarray, floor: float) -> float:
    """Spread of a series' residuals: 1.4826 MAD, or the 95th percentile of absolute deviations over the
    normal's 1.96 where that is larger. Series with heavy tails (a wholesale customer's occasional big order)
    get a wider scale, so one more big week there does not outrank a true break in a calm series."""
    if residual.size < 5:
        return floor * 10
    deviation = np.abs(residual - np.median(residual))
    return max(MAD_TO_SD * float(np.median(deviation)), float(np.quantile(deviation, TAIL_QUANTILE)) / TAIL_Z, floor)


def series_z(
    y: np.ndarray,
    expected: np.ndarray,
    size_expected: np.ndarray,
    config: AnomalyConfig,
    effect_variance: np.ndarray | float = 0.0,
) -> np.ndarray:
    """Signed anomaly z of each point of one series: the normal quantile of its tail probability.

    Spikes: P(a value this far above) = (1 - p0) x normal tail of the residual, with p0 the share of zero
    periods since the first sale; intermittent series (p0 at least ``INTERMITTENT_SHARE``) measure a spike
    against the level of their non-zero sizes. Drops: P(a value this low) = p0 + (1 - p0) x normal CDF, so a
    zero week in a shop that often skips a week is no anomaly, while in a shop that never does it is.
    ``effect_variance`` widens the periods whose expectation carries a promotion or festival effect by how much
    that effect varies between series.
    """
    positive = y > 0
    started = np.cumsum(positive) > 0
    # From the first sale on: a product before its launch has no zero weeks to speak of.
    fit = started if started.sum() >= 5 else np.ones(len(y), dtype=bool)
    zeros, periods = float((~positive & fit).sum()), max(int(fit.sum()), 2)
    intermittent = zeros / periods >= INTERMITTENT_SHARE
    # Leave the point itself out: a series' only zero week must not make zero weeks look ordinary.
    zero_share = (zeros - (~positive & fit)) / (periods - fit)
    up_reference = size_expected if intermittent else expected
    up_fit = fit & positive if intermittent and (fit & positive).sum() >= 5 else fit
    up_residual = y - up_reference
    down_residual = y - expected
    up_scale, down_scale = (
        tail_scale(up_residual[up_fit], config.min_scale),
        tail_scale(down_residual[fit], config.min_scale),
    )
    z_up = up_residual / np.sqrt(up_scale**2 + effect_variance)
    z_down = down_residual / np.sqrt(down_scale**2 + effect_variance)
    log_up = np.where(positive, np.log1p(-np.minimum(zero_share, 0.999)) + norm.logsf(z_up), 0.0)
    log_down = np.log(zero_share + (1 - zero_share) * norm.cdf(z_down))
    spike = log_up < log_down
    z = np.where(spike, -ndtri_exp(log_up), ndtri_exp(log_down))
    return np.clip(np.where(spike, np.maximum(z, 0.0), np.minimum(z, 0.0)), -Z_CAP, Z_CAP)


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
    y_all, base_all, sizes_all, unit_all = (np.zeros(n) for _ in range(4))
    for begin, end in itertools.pairwise(starts):
        part = slice(begin, end)
        y, unit = log_scale(values[part])
        base, sizes = fit_series(y, dates[part], freq, config)
        y_all[part], base_all[part], sizes_all[part], unit_all[part] = y, base, sizes, unit

    effects = effect_table(y_all - base_all, codes, masks, config.effect_shrinkage)
    adjustment = np.zeros(n)
    for name, mask in masks.items():
        adjustment[mask] += effects[name][codes[mask]]
    effect_variance = np.zeros(n)
    for mask in masks.values():
        after = (y_all - base_all - adjustment)[mask]
        if after.size:
            effect_variance[mask] += (MAD_TO_SD * float(np.median(np.abs(after - np.median(after))))) ** 2
    period_effect = market_effect(y_all - base_all - adjustment, dates, y_all > 0, codes, config)
    expected_log = base_all + adjustment + period_effect

    z, plain_z, scale = np.zeros(n), np.zeros(n), np.zeros(n)
    for begin, end in itertools.pairwise(starts):
        part = slice(begin, end)
        shift = adjustment[part] + period_effect[part]
        z[part] = series_z(y_all[part], expected_log[part], sizes_all[part] + shift, config, effect_variance[part])
        plain_z[part] = series_z(y_all[part], base_all[part], sizes_all[part], config)
        scale[part] = tail_scale(y_all[part] - expected_log[part], config.min_scale)
    explained = np.full(n, "", dtype=object)
    would_flag = (np.abs(plain_z) >= config.threshold) & (np.abs(z) < config.threshold)
    for name, mask in masks.items():
        label = explanation_label(name) if name in exog else f"festival:{name}"
        explained[would_flag & mask & (explained == "")] = label
    explained[would_flag & (explained == "")] = MARKET_WIDE
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


def market_effect(
    residual: np.ndarray, dates: pd.DatetimeIndex, positive: np.ndarray, codes: np.ndarray, config: AnomalyConfig
) -> np.ndarray:
    """The period's effect shared by all series: the median residual of the series trading on that date (a
    median of ten or more series, so a few anomalies do not move it). It carries what no calendar lists (a closed week, a marketplace-wide rush) and explains a
    week in which every shop ordered less. Needs ``MIN_SERIES_FOR_MARKET`` series; series count from their
    first sale."""
    if not config.market_effect or int(codes.max(initial=0)) + 1 < MIN_SERIES_FOR_MARKET:
        return np.zeros(len(residual))
    started = pd.Series(positive).groupby(codes).cummax().to_numpy()
    frame = pd.DataFrame({"date": dates[started], "r": residual[started]})
    by_date = frame.groupby("date")["r"].agg(["median", "size"])
    effect = by_date["median"].where(by_date["size"] >= MIN_SERIES_FOR_MARKET, 0.0)
    return effect.reindex(dates).fillna(0.0).to_numpy()


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

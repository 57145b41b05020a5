"""Thresholds of the order-pattern detectors, in one place, and the name a stored score records."""

from __future__ import annotations

from dataclasses import dataclass

# Recorded beside every stored score, so a change of method or threshold is visible in the history.
SCORE_VERSION = "robust-seasonal-calendar-v1"
ALGORITHM = (
    "robust seasonal-trend fit with promotion, festival and market-wide effects; score = normal quantile of the "
    "tail probability under the series' own scale and zero share"
)
METHODS = ("robust", "isolation_forest", "lstm_ae", "ensemble")


@dataclass(frozen=True)
class AnomalyConfig:
    """How :func:`insights.ml.detect_anomalies` scores and flags.

    threshold: anomaly z at which a point is flagged: the normal quantile of its tail probability under the
        series' own fit (3.0: about 1 in 740 ordinary periods).
    trend_window: periods of the centred rolling median that gives the level; None picks by frequency.
    effect_shrinkage: pseudo-observations pulling a series' own promotion or festival effect to the pooled one:
        a series sees few promotions, and its own median of a handful of weeks is mostly noise (30 measured
        better than 3 or 10 on the demo's shops and products).
    min_scale: floor of the residual scale (log units), so a flat series does not flag every wiggle.
    market_effect: learn each period's effect shared by all series (ten or more) and expect it.
    method: which scorer runs; "robust" is the shipped one, the others are the candidates it was compared with.
    """

    threshold: float = 3.0
    trend_window: int | None = None
    effect_shrinkage: float = 30.0
    min_scale: float = 0.05
    method: str = "robust"
    market_effect: bool = True
    seed: int = 0
    lstm_window: int = 8
    lstm_units: int = 16
    lstm_epochs: int = 5
    lstm_max_windows: int = 20_000

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, not {self.method!r}")
        if self.threshold <= 0:
            raise ValueError("threshold must be positive")


@dataclass(frozen=True)
class ChangeConfig:
    """When :func:`insights.ml.detect_changes` reports a change."""

    churn_probability: float = 0.9  # P(a gap shorter than this | the shop's own rhythm) at least this
    min_orders: int = 5  # order days before a shop has a rhythm of its own
    basket_shrink: float = -0.25  # last three orders at least this much smaller than usual
    basket_probability: float = 0.95  # and that unlikely by chance
    lapse_cycles: int = 3  # shop orders in a row without a category it bought regularly
    lapse_share: float = 0.5  # "regularly": in at least this share of the shop's orders
    lapse_probability: float = 0.99  # 1 - (1 - share) ** orders missed
    shift_z: float = 5.0  # robust z of a product's level change or trend break
    min_change: float = 0.3  # and a level change of at least 30%, or a slope change of 5% a week
    recent_weeks: int = 6  # weeks a level shift or trend break is judged on

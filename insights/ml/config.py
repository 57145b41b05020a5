"""Thresholds of the order-pattern detectors, in one place, and the name a stored score records."""

from __future__ import annotations

from dataclasses import dataclass

# Recorded beside every stored score, so a change of method or threshold is visible in the history.
SCORE_VERSION = "robust-seasonal-calendar-v1"
ALGORITHM = "robust seasonal-trend residual z with calendar and promotion effects"
METHODS = ("robust", "isolation_forest", "lstm_ae", "ensemble")


@dataclass(frozen=True)
class AnomalyConfig:
    """How :func:`insights.ml.detect_anomalies` scores and flags.

    threshold: robust z (residual over 1.4826 MAD, on a log scale) at which a point is flagged.
    trend_window: periods of the centred rolling median that gives the level; None picks by frequency.
    effect_shrinkage: pseudo-observations pulling a series' own promotion or festival effect to the pooled one,
        since a series sees few promotions.
    min_scale: floor of the residual scale (log units), so a flat series does not flag every wiggle.
    method: which scorer runs; "robust" is the shipped one, the others are the candidates it was compared with.
    """

    threshold: float = 4.0
    trend_window: int | None = None
    effect_shrinkage: float = 3.0
    min_scale: float = 0.05
    method: str = "robust"
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

    churn_probability: float = 0.8  # P(a gap this long | the shop's own rhythm) below 1 - this
    min_orders: int = 5  # orders before a shop has a rhythm of its own
    basket_shrink: float = -0.25  # last three orders at least this much smaller than usual
    lapse_cycles: int = 3  # shop orders in a row without a category it bought regularly
    lapse_share: float = 0.5  # "regularly": in at least this share of the shop's orders
    shift_z: float = 4.0  # robust z of a product's level change
    recent_weeks: int = 6  # weeks a level shift or trend break is judged on

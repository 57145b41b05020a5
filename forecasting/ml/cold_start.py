"""Forecasts for new products that have too little history of their own: they borrow
the demand of similar products (peers) and, as their own sales come in, lean on those
instead. Plain NumPy/pandas, no Django.

Peers are the established products (series) that share, in this order of preference,
the new product's category and price band, its category, its brand, or its price band;
the first of these pools with at least `min_peers` members is used (the whole catalog
otherwise). Within a pool a peer weighs 1 plus one for each further trait it shares
(brand, price band, parent category), so the closest products count most.

From the peers' recent history (`window` periods, stockout days left out):
- level: the weighted median of their mean demand per period. A median, not a mean, so
  one best-seller in the category does not set a newcomer's expectations.
- weekly shape (daily series): each day of the week's share of the peers' pooled
  demand, so a category that sells twice as much on Saturdays forecasts that for the
  newcomer too. Weekly series have no shape to borrow.
A product with some sales of its own gets a level between the two, credibility-weighted
by how many periods it has been selling: own / (own + prior_periods). Its own level is
measured against the peers' shape on the days it sold (a product launched on Saturdays
is not assumed to sell like that all week).
"""

from dataclasses import dataclass

import numpy as np

from .matrix import DemandMatrix

POOLS = (
    ("category and price band", ("category", "price_band")),
    ("category", ("category",)),
    ("brand", ("brand",)),
    ("price band", ("price_band",)),
)
ALL_PRODUCTS = "all products"
NO_PEERS = "no peers"
WEIGHT_TRAITS = ("brand", "price_band", "parent_category")
MISSING_CODE = -1


@dataclass(frozen=True)
class PeerBasis:
    """Where one new product's forecast comes from, for the page to say so."""

    rule: str  # which pool: one of POOLS' names, ALL_PRODUCTS or NO_PEERS
    peer_ids: np.ndarray
    weights: np.ndarray
    peer_level: float  # the peers' level, demand per period
    own_periods: int  # periods since the product's first sale
    own_weight: float  # share of the level taken from its own sales (0 to below 1)

    @property
    def n_peers(self) -> int:
        return len(self.peer_ids)

    def describe(self, *, category: str | None = None, period: str = "day") -> str:
        """E.g. "forecast borrowed from 12 similar products in Rice, same price band"."""
        if self.rule == NO_PEERS:
            text = "no similar products to borrow from"
        else:
            where = {
                "category and price band": f"in {category or 'its category'}, same price band",
                "category": f"in {category or 'its category'}",
                "brand": "of the same brand",
                "price band": "in the same price band",
                ALL_PRODUCTS: "across the catalog",
            }[self.rule]
            noun = "product" if self.n_peers == 1 else "products"
            text = f"forecast borrowed from {self.n_peers} similar {noun} {where}"
        if self.own_periods:
            unit = period if self.own_periods == 1 else f"{period}s"
            text += f", adjusted to its own {self.own_periods} {unit} of sales ({self.own_weight:.0%})"
        return text


@dataclass(frozen=True)
class ColdStartForecast:
    series_ids: np.ndarray  # the new series, in matrix order
    forecast: np.ndarray  # len(series_ids) x horizon
    basis: list[PeerBasis]


def periods_selling(matrix: DemandMatrix) -> np.ndarray:
    """Per series, periods from its first sale to the end of the history (0: never sold).
    Age, not the count of days with a sale, so an old slow mover is not taken for new."""
    sold = matrix.values > 0
    first = np.where(sold.any(axis=1), sold.argmax(axis=1), matrix.n_periods)
    return matrix.n_periods - first


def cold_series(matrix: DemandMatrix, *, min_history: int) -> np.ndarray:
    """Boolean mask of the series with fewer than `min_history` periods of selling."""
    return periods_selling(matrix) < min_history


def cold_start_forecast(
    matrix: DemandMatrix,
    *,
    horizon: int,
    min_history: int = 28,
    min_peers: int = 3,
    window: int = 28,
    prior_periods: int = 14,
    cold: np.ndarray | None = None,
) -> ColdStartForecast:
    """Forecasts for the matrix's new series (`cold`, a boolean mask; by default those
    selling for fewer than `min_history` periods) from the established ones. Needs
    matrix.static["category"]; "brand", "price_band" and "parent_category" are used when
    present (as forecasting.drivers builds them)."""
    if "category" not in matrix.static:
        raise ValueError("Cold start needs the series' category codes in matrix.static.")
    cold = cold_series(matrix, min_history=min_history) if cold is None else np.asarray(cold, dtype=bool)
    warm = np.flatnonzero(~cold)
    history = matrix.values[:, -window:].astype(float)
    if matrix.censored is not None:
        history = np.where(matrix.censored[:, -window:], np.nan, history)
    levels = _nanmean_rows(history)
    phase = _phase(matrix, window)  # day of week per history column, or None
    future_phase = _future_phase(matrix, horizon)
    age = periods_selling(matrix)

    forecasts, bases = [], []
    for row in np.flatnonzero(cold):
        rule, peers, weights = _peers(matrix.static, row, warm[np.isfinite(levels[warm])], min_peers=min_peers)
        shape = _shape(history[peers], weights, phase, matrix.season)
        peer_level = _weighted_median(levels[peers], weights) if len(peers) else 0.0
        own_periods = int(min(age[row], matrix.n_periods))
        own_level, observed = _own_level(matrix, row, own_periods, shape, phase)
        own_weight = observed / (observed + prior_periods) if observed else 0.0
        if not len(peers):
            own_weight = 1.0 if observed else 0.0
        level = own_weight * own_level + (1 - own_weight) * peer_level
        curve = shape[future_phase] if future_phase is not None else np.ones(horizon)
        forecasts.append(np.maximum(level * curve, 0.0))
        bases.append(
            PeerBasis(
                rule=rule,
                peer_ids=matrix.series_ids[peers],
                weights=weights,
                peer_level=float(peer_level),
                own_periods=own_periods,
                own_weight=float(own_weight),
            )
        )
    return ColdStartForecast(
        series_ids=matrix.series_ids[cold],
        forecast=np.array(forecasts).reshape(len(bases), horizon),
        basis=bases,
    )


def _peers(
    static: dict[str, np.ndarray], row: int, candidates: np.ndarray, *, min_peers: int
) -> tuple[str, np.ndarray, np.ndarray]:
    """The first pool with enough established members, and each member's weight."""

    def shares(trait: str) -> np.ndarray:
        if trait not in static or static[trait][row] == MISSING_CODE:
            return np.zeros(len(candidates), dtype=bool)
        return static[trait][candidates] == static[trait][row]

    rule, members = NO_PEERS, candidates[:0]
    for name, traits in POOLS:
        in_pool = np.logical_and.reduce([shares(t) for t in traits])
        if in_pool.sum() >= min_peers:
            rule, members = name, candidates[in_pool]
            break
    else:
        if len(candidates):
            rule, members = ALL_PRODUCTS, candidates
    weights = 1.0 + sum(shares(t).astype(float) for t in WEIGHT_TRAITS)
    weights = weights[np.isin(candidates, members)]
    return rule, members, weights


def _shape(history: np.ndarray, weights: np.ndarray, phase: np.ndarray | None, season: int) -> np.ndarray:
    """Per day of week, the peers' pooled demand that day over their mean day (1 = average)."""
    if phase is None or not len(history):
        return np.ones(season)
    by_phase = np.array([_nanmean_rows(history[:, phase == p]) for p in range(season)]).T  # peers x phase
    seen = np.isfinite(by_phase)
    weight_seen = (weights[:, None] * seen).sum(axis=0)
    pooled = np.nansum(by_phase * weights[:, None], axis=0) / np.where(weight_seen > 0, weight_seen, np.nan)
    if not np.isfinite(pooled).any() or np.nansum(pooled) <= 0:
        return np.ones(season)
    pooled = np.where(np.isfinite(pooled), pooled, np.nanmean(pooled))  # a weekday never seen: an average day
    return pooled / pooled.mean()


def _own_level(
    matrix: DemandMatrix, row: int, own_periods: int, shape: np.ndarray, phase_all: np.ndarray | None
) -> tuple[float, int]:
    """The product's own demand per period on the days it has been selling (stockout days
    left out), deseasonalised by the peers' shape; and how many periods that rests on."""
    if own_periods == 0:
        return 0.0, 0
    values = matrix.values[row, -own_periods:].astype(float)
    keep = np.ones(own_periods, dtype=bool)
    if matrix.censored is not None:
        keep &= ~matrix.censored[row, -own_periods:]
    if not keep.any():
        return 0.0, 0
    if matrix.freq == "D":
        expected_shape = shape[np.asarray(matrix.days.dayofweek)[-own_periods:]][keep]
    else:
        expected_shape = np.ones(keep.sum())
    return float(values[keep].sum() / max(expected_shape.sum(), 1e-9)), int(keep.sum())


def _phase(matrix: DemandMatrix, window: int) -> np.ndarray | None:
    return np.asarray(matrix.days.dayofweek)[-window:] if matrix.freq == "D" else None


def _future_phase(matrix: DemandMatrix, horizon: int) -> np.ndarray | None:
    return np.asarray(matrix.future_periods(horizon).dayofweek) if matrix.freq == "D" else None


def _nanmean_rows(array: np.ndarray) -> np.ndarray:
    counts = np.isfinite(array).sum(axis=1)
    sums = np.nansum(array, axis=1)
    return np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cumulative, cumulative[-1] / 2)])

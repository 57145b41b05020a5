"""Inventory policy per product x warehouse: safety stock, reorder point, order-up-to level, EOQ, days of cover and
the order to place now, rounded to pack size and MOQ.

Input frame (one row per pair; the forecast columns come from the forecasting capability's distribution):

    product, warehouse, on_hand, on_order, mean_per_day, std_per_day, lead_time_mean, lead_time_std,
    unit_cost, order_cost, pack_size, moq
    optional: review_days (default PolicyOptions.review_days), holding_rate (per year, default the option's),
              shelf_life_days (NaN = does not expire), demand_class (forecasting's Syntetos-Boylan class)

Output: the input's keys plus method, lead_time_demand_mean, lead_time_demand_std, safety_stock, reorder_point,
order_up_to, eoq, days_of_cover, position, order_qty, expected_service (cycle service level at the reorder point),
expected_fill_rate.

Reorder points and order-up-to levels are whole units (a level is not bought in packs); order quantities are whole
packs and either 0 or at least the MOQ; EOQ is rounded up the same way. Continuous review (s, Q) when review_days is
0: reorder at s = quantile of lead-time demand, order up to s + EOQ. Periodic review (R, S) otherwise: S = quantile
of demand over lead time + review period.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .demand import protection_demand

CYCLE = "cycle"
FILL_RATE = "fill_rate"
REQUIRED = (
    "product",
    "warehouse",
    "on_hand",
    "on_order",
    "mean_per_day",
    "std_per_day",
    "lead_time_mean",
    "lead_time_std",
    "unit_cost",
    "order_cost",
    "pack_size",
    "moq",
)
DAYS_PER_YEAR = 365.0


@dataclass(frozen=True)
class PolicyOptions:
    """``target`` is a cycle service level (P[no stockout in a cycle]) or a fill rate (share of demand served from
    stock), as ``kind`` says. ``method``: "auto", "normal" or "negative_binomial" (see optimization.ml.demand)."""

    target: float = 0.95
    kind: str = CYCLE
    review_days: float = 0.0
    holding_rate: float = 0.25
    method: str = "auto"

    def __post_init__(self) -> None:
        if not 0.0 < self.target < 1.0:
            raise ValueError(f"target must lie strictly between 0 and 1, got {self.target}")
        if self.kind not in (CYCLE, FILL_RATE):
            raise ValueError(f"kind must be {CYCLE!r} or {FILL_RATE!r}, got {self.kind!r}")


def validate_pairs(pairs: pd.DataFrame) -> None:
    missing = [c for c in REQUIRED if c not in pairs.columns]
    if missing:
        raise ValueError(f"missing columns: {', '.join(missing)}")
    for column in ("pack_size",):
        if (pairs[column] <= 0).any():
            raise ValueError(f"{column} must be positive")
    for column in ("moq", "on_hand", "on_order", "mean_per_day", "std_per_day", "lead_time_mean", "lead_time_std"):
        if (pairs[column] < 0).any():
            raise ValueError(f"{column} must not be negative")


def round_to_packs(quantity, pack_size, moq) -> np.ndarray:
    """Up to whole packs, and up to the MOQ (itself in whole packs) when anything is ordered; 0 stays 0."""
    quantity, pack_size, moq = (np.asarray(a, dtype=float) for a in (quantity, pack_size, moq))
    packs = np.ceil(np.maximum(quantity, 0.0) / pack_size - 1e-9)
    min_packs = np.maximum(np.ceil(moq / pack_size - 1e-9), 1.0)
    return np.where(packs > 0, np.maximum(packs, min_packs), 0.0) * pack_size


def economic_order_quantity(annual_demand, order_cost, unit_cost, holding_rate) -> np.ndarray:
    """Wilson's EOQ, sqrt(2 D K / h) with h = holding_rate * unit_cost (0 where there is no demand)."""
    holding = np.maximum(np.asarray(holding_rate, dtype=float) * np.asarray(unit_cost, dtype=float), 1e-9)
    return np.sqrt(2.0 * np.maximum(annual_demand, 0.0) * np.maximum(order_cost, 0.0) / holding)


def shelf_life_cap(mean_per_day, shelf_life_days, position) -> np.ndarray:
    """Most units worth ordering before expiry: expected demand over the shelf life less the stock position
    (infinite where the item does not expire)."""
    shelf = np.asarray(shelf_life_days, dtype=float)
    cap = np.asarray(mean_per_day, dtype=float) * shelf - np.asarray(position, dtype=float)
    return np.where(np.isnan(shelf), np.inf, np.maximum(cap, 0.0))


def inventory_policy(pairs: pd.DataFrame, options: PolicyOptions | None = None) -> pd.DataFrame:
    options = options or PolicyOptions()
    validate_pairs(pairs)
    frame = pairs.reset_index(drop=True)
    review = _column(frame, "review_days", options.review_days)
    holding_rate = _column(frame, "holding_rate", options.holding_rate)
    demand_class = frame["demand_class"].to_numpy() if "demand_class" in frame else None
    mu = frame["mean_per_day"].to_numpy(float)
    pack, moq = frame["pack_size"].to_numpy(float), frame["moq"].to_numpy(float)

    eoq = round_to_packs(
        economic_order_quantity(mu * DAYS_PER_YEAR, frame["order_cost"], frame["unit_cost"], holding_rate),
        pack,
        moq,
    )
    eoq = np.where(mu > 0, eoq, 0.0)
    lead = protection_demand(
        mu, frame["std_per_day"], frame["lead_time_mean"], frame["lead_time_std"], 0.0,
        method=options.method, demand_class=demand_class,
    )  # fmt: skip
    protection = protection_demand(
        mu, frame["std_per_day"], frame["lead_time_mean"], frame["lead_time_std"], review,
        method=lead.method,
    )  # fmt: skip
    periodic = review > 0
    cycle_quantity = np.where(periodic, mu * review, np.maximum(eoq, pack))
    if options.kind == CYCLE:
        level = np.ceil(protection.quantile(options.target) - 1e-9)
    else:
        level = _fill_rate_level(protection, cycle_quantity, options.target)
    reorder_point = level
    order_up_to = np.where(periodic, level, level + eoq)
    position = frame["on_hand"].to_numpy(float) + frame["on_order"].to_numpy(float)
    wanted = np.where(position <= reorder_point, order_up_to - position, 0.0)
    if "shelf_life_days" in frame:
        cap = shelf_life_cap(mu, frame["shelf_life_days"].to_numpy(float), position)
        wanted = np.minimum(wanted, np.floor(cap / pack) * pack)
    order_qty = round_to_packs(np.where(mu > 0, wanted, 0.0), pack, moq)

    shortage = protection.expected_shortage(level)
    result = frame[["product", "warehouse"]].copy()
    result["method"] = lead.method
    result["lead_time_demand_mean"] = lead.mean
    result["lead_time_demand_std"] = lead.std
    result["safety_stock"] = reorder_point - protection.mean
    result["reorder_point"] = reorder_point
    result["order_up_to"] = order_up_to
    result["eoq"] = eoq
    with np.errstate(divide="ignore", invalid="ignore"):
        result["days_of_cover"] = np.where(mu > 0, position / np.where(mu > 0, mu, 1.0), np.inf)
    result["position"] = position
    result["order_qty"] = order_qty
    result["expected_service"] = protection.cdf(level)
    result["expected_fill_rate"] = np.where(
        cycle_quantity > 0, 1.0 - np.minimum(shortage / np.maximum(cycle_quantity, 1e-9), 1.0), 1.0
    )
    return result


def _fill_rate_level(distribution, cycle_quantity: np.ndarray, target: float) -> np.ndarray:
    """Smallest whole stock level whose expected shortage per cycle is at most (1 - target) x cycle quantity, by
    bisection between the mean and a generous quantile (the loss function falls as the level rises)."""
    allowed = (1.0 - target) * np.maximum(cycle_quantity, 1e-9)
    low = np.zeros_like(distribution.mean)
    high = np.ceil(np.maximum(distribution.quantile(0.9999), distribution.mean + 1))
    for _ in range(40):
        middle = np.floor((low + high) / 2)
        enough = distribution.expected_shortage(middle) <= allowed
        high = np.where(enough, middle, high)
        low = np.where(enough, low, middle)
        if np.all(high - low <= 1):
            break
    return np.where(distribution.expected_shortage(low) <= allowed, low, high)


def _column(frame: pd.DataFrame, name: str, default: float) -> np.ndarray:
    if name in frame:
        return frame[name].fillna(default).to_numpy(float)
    return np.full(len(frame), float(default))

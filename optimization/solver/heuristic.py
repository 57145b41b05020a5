"""The analyst's plan the MILP must beat: order up to each pair's newsvendor level (whole packs, at least the MOQ),
then, where the budget or a warehouse's capacity is exceeded, scale every order down by the same factor to fit
(rounding down to packs, dropping orders that fall below their MOQ)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .costs import expected_costs, newsvendor_level


def newsvendor_scaled(items: pd.DataFrame, capacity: dict[str, float], budget: float | None) -> pd.DataFrame:
    pack = items["pack_size"].to_numpy(float)
    base = items["on_hand"].to_numpy(float) + items["on_order"].to_numpy(float)
    mean, std = items["demand_mean"].to_numpy(float), items["demand_std"].to_numpy(float)
    holding, shortage = items["holding_cost"].to_numpy(float), items["shortage_cost"].to_numpy(float)
    moq_packs = np.maximum(np.ceil(items["moq"].to_numpy(float) / pack - 1e-9), 1.0)
    target = newsvendor_level(mean, std, holding, shortage)
    packs = np.maximum(np.ceil((target - base) / pack - 1e-9), 0.0)
    packs = np.where(packs > 0, np.maximum(packs, moq_packs), 0.0)
    if "shelf_life_cap" in items:
        cap = items["shelf_life_cap"].to_numpy(float)
        packs = np.where(np.isnan(cap), packs, np.minimum(packs, np.floor(np.maximum(cap, 0) / pack)))
        packs = np.where(packs < moq_packs, 0.0, packs)
    money = items["unit_cost"].to_numpy(float) * pack
    volume = items["unit_volume"].to_numpy(float) * pack
    warehouse = items["warehouse"].astype(str).to_numpy()
    for name, limit in capacity.items():
        here = warehouse == name
        packs[here] = _scale_to_fit(packs[here], volume[here], moq_packs[here], limit)
    if budget is not None:
        packs = _scale_to_fit(packs, money, moq_packs, budget)
    quantity = packs * pack
    held, short = expected_costs(mean, std, holding, shortage, base + quantity)
    ordering = np.where(quantity > 0, items["order_cost"].to_numpy(float), 0.0)
    return pd.DataFrame(
        {
            "product": items["product"].to_numpy(),
            "warehouse": items["warehouse"].to_numpy(),
            "order_qty": quantity,
            "expected_cost": held + short + ordering,
        }
    )


def _scale_to_fit(packs: np.ndarray, weight: np.ndarray, moq_packs: np.ndarray, limit: float) -> np.ndarray:
    used = float((packs * weight).sum())
    if used <= limit or used == 0:
        return packs
    factor = limit / used
    for _ in range(50):  # rounding can still overshoot by a pack here and there: shrink until it fits
        scaled = np.floor(packs * factor)
        scaled = np.where(scaled < moq_packs, 0.0, scaled)
        if float((scaled * weight).sum()) <= limit:
            return scaled
        factor *= 0.99
    return np.zeros_like(packs)

"""A simulated stock ledger from real demand: each pair replenished by a simple (s, S) policy whose vendors have
stochastic lead times, and a few unreliable vendors (late and short deliveries), so stockouts happen for reasons
rather than by a coin toss. The stockout model's bench trains on it; the demo generator will own the Django version.

Input: daily demand, pairs x days (NumPy), and a price per pair. Output frames:
- daily: pair, day (int), demand, sales, lost, on_hand (start of day, after receipts), on_order, received;
- deliveries: pair, vendor, ordered_day, promised_day, arrival_day, ordered_qty, received_qty.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class LedgerOptions:
    vendors: int = 20
    unreliable_share: float = 0.25  # vendors late by days and short on quantity
    lead_time_low: int = 5
    lead_time_high: int = 15
    cover_days: float = 21.0  # the policy orders up to this many days of trailing-mean demand
    reorder_days: float = 0.6  # ... when stock on hand and on order falls under this share of the lead time's cover
    seed: int = 0


def simulate_ledger(demand: np.ndarray, options: LedgerOptions | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    options = options or LedgerOptions()
    rng = np.random.default_rng(options.seed)
    n, days = demand.shape
    vendor = rng.integers(0, options.vendors, n)
    unreliable = rng.uniform(size=options.vendors) < options.unreliable_share
    promised_lead = rng.integers(options.lead_time_low, options.lead_time_high + 1, n)
    late_mean = np.where(unreliable, 6.0, 1.0)[vendor]
    fill_mean = np.where(unreliable, 0.7, 0.97)[vendor]
    warmup = 28
    level = np.maximum(demand[:, :warmup].mean(axis=1), 0.05)
    on_hand = np.ceil(level * options.cover_days)
    arrival_day = np.full(n, -1)
    arriving_qty = np.zeros(n)
    columns = {k: np.zeros((n, days)) for k in ("demand", "sales", "lost", "on_hand", "on_order", "received")}
    deliveries = []
    for day in range(days):
        arrives = arrival_day == day
        on_hand = on_hand + np.where(arrives, arriving_qty, 0.0)
        columns["received"][:, day] = np.where(arrives, arriving_qty, 0.0)
        arrival_day = np.where(arrives, -1, arrival_day)
        arriving_qty = np.where(arrives, 0.0, arriving_qty)
        columns["on_hand"][:, day] = on_hand
        columns["on_order"][:, day] = arriving_qty
        want = demand[:, day]
        sold = np.minimum(want, on_hand)
        on_hand = on_hand - sold
        columns["demand"][:, day], columns["sales"][:, day], columns["lost"][:, day] = want, sold, want - sold
        start = max(day - 27, 0)
        level = np.maximum(demand[:, start : day + 1].mean(axis=1), 0.05)  # the analyst's trailing mean
        position = on_hand + arriving_qty
        reorder = (arrival_day < 0) & (position < level * promised_lead * (1 + options.reorder_days))
        for i in np.flatnonzero(reorder):
            quantity = float(np.ceil(level[i] * (options.cover_days + promised_lead[i]) - position[i]))
            if quantity <= 0:
                continue
            late = int(rng.poisson(late_mean[i])) if rng.uniform() < 0.8 else 0
            received = float(np.floor(quantity * min(rng.beta(20 * fill_mean[i], 20 * (1 - fill_mean[i])) + 0.02, 1)))
            arrival_day[i] = day + promised_lead[i] + late
            arriving_qty[i] = received
            deliveries.append((i, vendor[i], day, day + promised_lead[i], day + promised_lead[i] + late, quantity,
                               received))  # fmt: skip
    daily = pd.DataFrame({"pair": np.repeat(np.arange(n), days), "day": np.tile(np.arange(days), n)})
    for name, values in columns.items():
        daily[name] = values.ravel()
    names = ["pair", "vendor", "ordered_day", "promised_day", "arrival_day", "ordered_qty", "received_qty"]
    return daily, pd.DataFrame(deliveries, columns=names)

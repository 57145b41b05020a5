"""Generate a whole demo marketplace as DataFrames, with no database involved.

The same size, seed and end date always give the same marketplace.
"""

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from faker import Faker

from .calendar import calendar_events
from .catalog import Catalog, build_catalog
from .history import History, build_history
from .sizes import SIZES


@dataclass
class DemoMarketplace:
    catalog: Catalog
    history: History
    events: pd.DataFrame
    stock_levels: pd.DataFrame
    start: dt.date
    end: dt.date


def _stock_levels(history: History, rng: np.random.Generator) -> pd.DataFrame:
    """Stock per product x warehouse as the ledger leaves it today, with what is on order, the lead time its
    deliveries took and the minimum order the replenishment used; costs drawn per pair."""
    frame = history.inventory.position.copy()
    frame["holding_cost_rate"] = rng.uniform(0.18, 0.30, len(frame)).round(4)
    frame["ordering_cost"] = rng.uniform(300, 2500, len(frame)).round(2)
    frame["id"] = np.arange(1, len(frame) + 1)
    return frame


def generate_marketplace(*, size: str = "demo", seed: int = 7, end: dt.date | None = None) -> DemoMarketplace:
    spec = SIZES[size]
    end = end or dt.date.today() - dt.timedelta(days=1)
    start = end - dt.timedelta(days=spec.days - 1)
    rng = np.random.default_rng(seed)
    fake = Faker("en_IN")
    fake.seed_instance(seed)
    dates = pd.date_range(start, end, freq="D")
    events = calendar_events(start, end)
    catalog = build_catalog(spec, start, rng, fake)
    history = build_history(catalog, spec, dates, events, rng)
    stock_levels = _stock_levels(history, rng)
    return DemoMarketplace(catalog, history, events, stock_levels, start, end)

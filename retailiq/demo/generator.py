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


def _stock_levels(catalog: Catalog, history: History, end: dt.date, rng: np.random.Generator) -> pd.DataFrame:
    """Stock per product x warehouse sized from recent demand there, with the vendor's
    lead time; products out of stock at the end hold none."""
    lines = history.lines
    recent = lines[pd.to_datetime(lines["placed_on"]) > pd.Timestamp(end) - pd.Timedelta(days=60)]
    warehouse_of = catalog.retailers.set_index("id")["warehouse_id"]
    daily = (
        recent.assign(warehouse_id=warehouse_of.loc[recent["retailer_id"]].to_numpy())
        .groupby(["product_id", "warehouse_id"])["quantity"]
        .sum()
        / 60
    )
    grid = pd.MultiIndex.from_product(
        [catalog.products["id"], catalog.warehouses["id"]], names=["product_id", "warehouse_id"]
    )
    frame = daily.reindex(grid, fill_value=0).rename("daily").reset_index()
    products = catalog.products.set_index("id")
    vendor_lead = catalog.vendors.set_index("id")["lead_time_days"]
    lead = vendor_lead.loc[products.loc[frame["product_id"], "vendor_id"]].to_numpy() * rng.uniform(
        0.8, 1.2, len(frame)
    )
    pack = products.loc[frame["product_id"], "pack_size"].to_numpy()
    frame["on_hand"] = np.ceil(frame["daily"] * rng.uniform(4, 30, len(frame))).astype(np.int64)
    frame["on_order"] = np.where(rng.random(len(frame)) < 0.35, np.ceil(frame["daily"] * lead), 0).astype(np.int64)
    frame["lead_time_mean_days"] = lead.round(1)
    frame["lead_time_std_days"] = (lead * rng.uniform(0.1, 0.35, len(frame))).round(1)
    frame["holding_cost_rate"] = rng.uniform(0.18, 0.30, len(frame)).round(4)
    frame["ordering_cost"] = rng.uniform(300, 2500, len(frame)).round(2)
    frame["min_order_qty"] = pack * rng.integers(1, 6, len(frame))
    still_out = history.stockouts[history.stockouts["ended_on"].isna()]
    out = frame.set_index(["product_id", "warehouse_id"]).index.isin(
        list(zip(still_out["product_id"], still_out["warehouse_id"], strict=True))
    )
    frame.loc[out, "on_hand"] = 0
    frame["id"] = np.arange(1, len(frame) + 1)
    return frame.drop(columns="daily")


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
    stock_levels = _stock_levels(catalog, history, end, rng)
    return DemoMarketplace(catalog, history, events, stock_levels, start, end)

"""Stockout risk per product x warehouse as of a day: the ledger's features with the forecast's demand, the model's
(or the cover rule's) answer, the reason in words; written by upsert so a chunk scored twice writes each row once."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from django.db import transaction
from django.utils import timezone

from optimization.ml.stockout import AHEAD, early_warnings, stockout_frame
from optimization.ml.training import with_demand

from ..models import StockoutRisk
from ..selectors import HISTORY_FOR_FEATURES, calendar_frame, demand_per_pair, ledger_frames, pair_frame

UPDATED_FIELDS = [
    "probability_14", "probability_lead_time", "days_to_stockout", "expected_lost_revenue", "priority", "on_hand",
    "on_order", "mean_per_day", "cover_days", "lead_time_days", "reason", "scored_at",
]  # fmt: skip
ROW_COLUMNS = ["product_id", "warehouse_id", "as_of", *UPDATED_FIELDS[:-1]]


def risk_features(*, as_of: dt.date, pairs: pd.DataFrame) -> pd.DataFrame:
    """The stockout model's features at the start of ``as_of``: the ledger up to then, deliveries known by then,
    the forecasting capability's demand distribution from ``as_of``, and the festivals and promotions ahead. A pair
    with no delivery yet takes its lead time from its stock record."""
    start = as_of - dt.timedelta(days=HISTORY_FOR_FEATURES)
    daily, deliveries = ledger_frames(start=start, end=as_of, pairs=pairs)
    calendar = calendar_frame(start=start, end=as_of + dt.timedelta(days=AHEAD), pairs=pairs)
    frame = stockout_frame(daily, deliveries, HISTORY_FOR_FEATURES, calendar=calendar)
    demand = demand_per_pair(as_of=as_of, pairs=pairs)
    frame = with_demand(frame, demand["mean_per_day"].to_numpy(), demand["std_per_day"].to_numpy())
    unknown = frame["deliveries"].to_numpy() == 0
    frame.loc[unknown, "lead_time_mean"] = pairs["lead_time_mean"].to_numpy(float)[unknown]
    frame.loc[unknown, "lead_time_std"] = pairs["lead_time_std"].to_numpy(float)[unknown]
    return frame


def risk_rows(model: Any, *, as_of: dt.date, pair_ids: Sequence[int] | None = None) -> pd.DataFrame:
    """Rows of :class:`StockoutRisk` (without version) for the pairs as of the day, riskiest first."""
    pairs = pair_frame(pair_ids=pair_ids)
    if pairs.empty:
        return pd.DataFrame(columns=ROW_COLUMNS)
    frame = risk_features(as_of=as_of, pairs=pairs)
    predicted = model.predict(frame, price=pairs["unit_price"].fillna(0).to_numpy(float))
    reasons = early_warnings(frame, predicted, top=len(frame)).set_index("pair")["reason"]
    probability = np.clip(predicted["p_stockout_14"].to_numpy(float), 0.0, 1.0)
    lost = predicted["expected_lost_revenue"].to_numpy(float)
    rows = pd.DataFrame(
        {
            "product_id": pairs["product_id"].astype(int).to_numpy(),
            "warehouse_id": pairs["warehouse_id"].astype(int).to_numpy(),
            "as_of": as_of,
            "probability_14": probability.round(6),
            "probability_lead_time": np.clip(predicted["p_stockout_lead_time"].to_numpy(float), 0, 1).round(6),
            "days_to_stockout": predicted["days_to_stockout"].to_numpy(float).round(2),
            "expected_lost_revenue": lost.round(2),
            "priority": (probability * lost).round(4),
            "on_hand": frame["on_hand"].to_numpy(float),
            "on_order": frame["on_order"].to_numpy(float),
            "mean_per_day": frame["mean_per_day"].to_numpy(float).round(4),
            "cover_days": frame["cover_days"].to_numpy(float).round(2),
            "lead_time_days": frame["lead_time_mean"].to_numpy(float).round(2),
            "reason": [str(reasons.get(i, ""))[:300] for i in frame["pair"]],
        }
    )
    return rows.sort_values(["priority", "product_id"], ascending=[False, True], ignore_index=True)


def risks_write(*, model_version_id: int | None, rows: pd.DataFrame) -> int:
    """Upsert on (version, as_of, product, warehouse). Baseline rows (no version) have a partial unique index that
    ON CONFLICT cannot name: they are replaced instead."""
    now = timezone.now()
    objects = [
        StockoutRisk(model_version_id=model_version_id, scored_at=now, **record)
        for record in rows[ROW_COLUMNS].to_dict(orient="records")
    ]
    with transaction.atomic():
        if model_version_id is None:
            StockoutRisk.objects.filter(
                model_version__isnull=True,
                as_of__in=rows["as_of"].unique().tolist(),
                product_id__in=rows["product_id"].unique().tolist(),
            ).delete()
            StockoutRisk.objects.bulk_create(objects, batch_size=2000)
        else:
            StockoutRisk.objects.bulk_create(
                objects,
                batch_size=2000,
                update_conflicts=True,
                unique_fields=["model_version", "as_of", "product", "warehouse"],
                update_fields=UPDATED_FIELDS,
            )
    return len(objects)


def risk_json(row: dict[str, Any]) -> dict[str, Any]:
    """A risk row as plain JSON values (the registry caches and returns it as is)."""
    return {
        "product_id": int(row["product_id"]),
        "warehouse_id": int(row["warehouse_id"]),
        "probability_14": round(float(row["probability_14"]), 4),
        "probability_lead_time": round(float(row["probability_lead_time"]), 4),
        "days_to_stockout": round(float(row["days_to_stockout"]), 1),
        "expected_lost_revenue": round(float(row["expected_lost_revenue"]), 2),
        "on_hand": float(row["on_hand"]),
        "on_order": float(row["on_order"]),
        "cover_days": round(float(row["cover_days"]), 1),
        "lead_time_days": round(float(row["lead_time_days"]), 1),
        "reason": row["reason"],
    }

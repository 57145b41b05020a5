"""Anomalies in order and demand series: spikes, drops and bursts that the series' own level, weekday pattern,
festivals and promotions do not explain.

Shipped method: the robust seasonal-trend fit of :mod:`insights.ml.robust` (``method="robust"``), scored by
each point's tail probability under the series' own scale and zero share. On the same injected anomalies
(``bench/anomaly_eval.py``, docs/benchmarks.md) it beat an LSTM autoencoder's reconstruction error, an
IsolationForest over window features and an ensemble of it with the forest on every data set, so it ships
alone; the candidates stay selectable through :class:`AnomalyConfig` so the comparison can be rerun.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .calendar import period_events
from .config import AnomalyConfig
from .robust import score_robust

OUTPUT_COLUMNS = [
    "series_id",
    "date",
    "value",
    "expected",
    "lower",
    "upper",
    "score",
    "flag",
    "direction",
    "explained_by",
]


def detect_anomalies(
    series: pd.DataFrame,
    *,
    freq: str,
    calendar: pd.DataFrame | None = None,
    exog: list[str] | None = None,
    config: AnomalyConfig | None = None,
) -> pd.DataFrame:
    """Score every period of every series.

    series: long format ``series_id, date, value`` (dates at period start) plus the ``exog`` columns, each
        positive where a known driver is active (``on_promotion``: 1 in promoted periods).
    freq: "D" or "W".
    calendar: ``date, event`` rows, one per festival or holiday day.
    Returns one row per input row, in input order: ``series_id, date, value, expected, lower, upper, score``
    (higher = more anomalous; a robust z for the shipped method), ``flag`` (score at or above the threshold and
    not explained), ``direction`` ('spike', 'drop' or '' when not flagged) and ``explained_by`` ('' or, for a
    point the plain seasonal fit would flag but the known drivers explain: 'promotion' (exog columns named
    on_promotion/promo/promotion; other exog columns by their name), 'festival:<event>' (the calendar's event
    name), or 'market-wide' (a period in which most series moved alike, ten series or more)).
    """
    config = config or AnomalyConfig()
    exog = list(exog or [])
    missing = [c for c in ["series_id", "date", "value", *exog] if c not in series.columns]
    if missing:
        raise ValueError(f"series lacks column(s): {', '.join(missing)}")
    if series.empty:
        return pd.DataFrame(columns=OUTPUT_COLUMNS)
    frame = series[["series_id", "date", "value", *exog]].copy()
    frame["date"] = pd.to_datetime(frame["date"])
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").fillna(0.0).astype(float)
    for column in exog:
        frame[column] = pd.to_numeric(frame[column], errors="coerce").fillna(0.0)
    frame = frame.sort_values(["series_id", "date"], kind="stable")
    events = period_events(frame["date"], calendar, freq)

    if config.method == "robust":
        scored = score_robust(frame, freq=freq, events=events, exog=exog, config=config)
    else:
        from .candidates import score_candidate

        scored = score_candidate(frame, freq=freq, events=events, exog=exog, config=config)

    result = frame[["series_id", "date", "value"]].join(scored)
    result["flag"] = (result["score"] >= config.threshold) & (result["explained_by"] == "")
    result["direction"] = np.where(result["flag"], np.where(result["z"] >= 0, "spike", "drop"), "")
    return result.loc[series.index, OUTPUT_COLUMNS] if series.index.is_unique else result[OUTPUT_COLUMNS]

"""Changes in behaviour worth a call: a shop slower than its own rhythm (churn risk), smaller baskets, a category
a shop stopped buying, and a product's level shift or trend break.

Every row carries ``evidence``: the numbers a sentence quotes ("usually orders every 7 days; 24 days since its
last order, 3 of its usual cycles").

Churn risk is the shop's own rhythm: gaps between its order days are fitted by a log-normal (its median and
spread of log gaps, the spread floored so a metronome shop is not alarmed by one late day). The probability
is that of a gap at most this long under that rhythm, P(gap <= days since last order), or for a shop whose
last three gaps stretched, that of their mean under it; the larger is reported.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .config import ChangeConfig
from .orders import check_lines, order_days, orders_of

COLUMNS = ["kind", "retailer_id", "product_id", "category", "probability", "score", "evidence"]
MIN_LOG_SPREAD = 0.35  # gaps are whole days: 1 and 2 days differ by 0.69 in logs
MIN_LATE_DAYS = 3
RHYTHM_GAPS = 120
LAPSE_MIN_DAYS = 14
STEADY_SHARE = 0.8


def normal_cdf(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def rhythm_probability(gaps: np.ndarray, observed: float, n_mean: int = 1) -> float:
    """P(mean of ``n_mean`` gaps <= observed) under a log-normal fitted to ``gaps`` (mean of logs: sd / sqrt(n))."""
    logs = np.log(np.maximum(gaps, 0.5))
    spread = max(float(np.std(logs, ddof=1)) if logs.size > 1 else 0.0, MIN_LOG_SPREAD) / math.sqrt(n_mean)
    return normal_cdf((math.log(max(observed, 0.5)) - float(np.mean(logs))) / spread)


def overdue(observed: float, usual: float) -> bool:
    """Late enough to mention: half a cycle and at least ``MIN_LATE_DAYS`` past the usual gap, so a shop that
    orders daily is not at risk after a quiet weekend."""
    return observed - usual >= max(MIN_LATE_DAYS, 0.5 * usual)


def churn_rows(days: pd.DataFrame, orders: pd.DataFrame, as_of: pd.Timestamp, config: ChangeConfig) -> list[dict]:
    rows = []
    for retailer, visits in days.groupby("retailer_id", sort=True):
        if len(visits) < config.min_orders:
            continue
        gaps = visits["date"].diff().dt.days.to_numpy()[1:].astype(float)
        since = float((as_of - visits["date"].iloc[-1]).days)
        # The rhythm of the last year before the three latest gaps (those are what is being judged).
        baseline = gaps[:-3] if gaps.size >= 7 else gaps
        baseline = baseline[-RHYTHM_GAPS:]
        usual = float(np.median(baseline))
        recent = float(np.mean(gaps[-3:]))
        p_open = rhythm_probability(baseline, since) if overdue(since, usual) else 0.0
        stretched = gaps.size >= 7 and overdue(recent, usual)
        p_recent = rhythm_probability(baseline, recent, n_mean=3) if stretched else 0.0
        probability = max(p_open, p_recent)
        if probability < config.churn_probability:
            continue
        values = orders.loc[orders["retailer_id"] == retailer, "value"].to_numpy()
        rows.append(
            {
                "kind": "churn_risk",
                "retailer_id": retailer,
                "probability": round(probability, 4),
                "score": round(max(since, recent) / max(usual, 1.0), 3),
                "evidence": {
                    "usual_interval_days": round(usual, 1),
                    "days_since_last_order": int(since),
                    "cycles_missed": int(since // max(usual, 1.0)),
                    "recent_interval_days": round(recent, 1),
                    "last_order_date": visits["date"].iloc[-1].date().isoformat(),
                    "orders_seen": len(visits),
                    "last_3_basket_change_pct": basket_change_pct(values),
                },
            }
        )
    return rows


def basket_change_pct(values: np.ndarray) -> float | None:
    """Last three orders' mean value against the median order before them, in percent."""
    if values.size < 6:
        return None
    usual = float(np.median(values[:-3]))
    return round(100 * (float(np.mean(values[-3:])) / usual - 1), 1) if usual > 0 else None


def basket_rows(orders: pd.DataFrame, config: ChangeConfig) -> list[dict]:
    rows = []
    for retailer, shop in orders.groupby("retailer_id", sort=True):
        values = shop["value"].to_numpy(dtype=float)
        if values.size < config.min_orders + 3:
            continue
        change = basket_change_pct(values)
        if change is None or change > 100 * config.basket_shrink:
            continue
        logs = np.log1p(values[:-3][-RHYTHM_GAPS:])
        spread = max(1.4826 * float(np.median(np.abs(logs - np.median(logs)))), 0.1)
        z = (float(np.mean(np.log1p(values[-3:]))) - float(np.median(logs))) / (spread / math.sqrt(3))
        probability = normal_cdf(-z)  # 1 - P(three orders this small | the shop's usual baskets)
        if probability < config.basket_probability:
            continue
        rows.append(
            {
                "kind": "basket_shrink",
                "retailer_id": retailer,
                "probability": round(probability, 4),
                "score": round(-z, 3),
                "evidence": {
                    "last_3_basket_change_pct": change,
                    "usual_basket_value": round(float(np.median(values[:-3])), 2),
                    "last_3_basket_value": round(float(np.mean(values[-3:])), 2),
                    "orders_seen": int(values.size),
                },
            }
        )
    return rows


def lapse_rows(lines: pd.DataFrame, orders: pd.DataFrame, as_of: pd.Timestamp, config: ChangeConfig) -> list[dict]:
    """A category the shop bought in at least ``lapse_share`` of its orders, absent from its last k orders.

    Probability that the absence is more than chance: 1 - (1 - share) ** k, the chance of missing k orders in a
    row at the shop's own rate being (1 - share) ** k.
    """
    rows = []
    bought = lines.loc[lines["date"] < as_of, ["retailer_id", "order_id", "category"]].drop_duplicates()
    # One orders x categories table for all shops (orders come sorted by shop, then date): True where the order
    # had the category.
    order_rows = pd.MultiIndex.from_frame(orders[["retailer_id", "order_id"]]).get_indexer(
        pd.MultiIndex.from_frame(bought[["retailer_id", "order_id"]])
    )
    category_codes, categories = pd.factorize(bought["category"])
    has_all = np.zeros((len(orders), len(categories)), dtype=bool)
    found = order_rows >= 0
    has_all[order_rows[found], category_codes[found]] = True
    for retailer, shop_rows in orders.groupby("retailer_id", sort=True).indices.items():
        n = len(shop_rows)
        if n < config.min_orders + config.lapse_cycles:
            continue
        has_shop = has_all[shop_rows]
        counts = has_shop.sum(axis=0)
        last_hit = n - 1 - np.argmax(has_shop[::-1], axis=0)
        missed_all = n - 1 - last_hit
        share_all = counts / (last_hit + 1)
        candidates = (counts >= 3) & (missed_all >= config.lapse_cycles) & (share_all >= config.lapse_share)
        dates = orders["date"].to_numpy()[shop_rows]
        for column in np.flatnonzero(candidates):
            category = categories[column]
            hits = np.flatnonzero(has_shop[:, column])
            last, missed, share = int(last_hit[column]), int(missed_all[column]), float(share_all[column])
            usual = float(np.median(np.diff(dates[hits]).astype("timedelta64[D]").astype(float)))
            since = float((as_of - pd.Timestamp(dates[last])).days)
            probability = 1 - (1 - share) ** missed
            # A category a shop buys every other day is not lapsed after four days: the absence must also span
            # its usual cycles and a couple of weeks.
            if probability < config.lapse_probability or since < max(config.lapse_cycles * usual, LAPSE_MIN_DAYS):
                continue
            rows.append(
                {
                    "kind": "category_lapse",
                    "retailer_id": retailer,
                    "category": category,
                    "probability": round(probability, 4),
                    "score": float(missed),
                    "evidence": {
                        "orders_without_category": missed,
                        "usual_category_interval_days": round(usual, 1),
                        "days_since_category": int(since),
                        "cycles_missed": int(since // max(usual, 1.0)),
                        "share_of_orders_before": round(share, 3),
                        "last_category_order_date": pd.Timestamp(dates[last]).date().isoformat(),
                    },
                }
            )
    return rows


def product_rows(lines: pd.DataFrame, as_of: pd.Timestamp, config: ChangeConfig) -> list[dict]:
    """Level shift: the median of the last ``recent_weeks`` weeks against the 26 before, as a robust z of the log
    weekly demand. Trend break: the slope of the recent weeks against the slope before, over their noise.

    Only products selling in most weeks (``STEADY_SHARE``) since before the window: an intermittent product's
    median week is zero and a newly launched one has no "before".
    """
    from .products import demand_grid

    grid = demand_grid(lines, as_of=as_of, freq="W", lookback_days=7 * (26 + config.recent_weeks))
    if grid.shape[1] < 12:
        return []
    quantities = grid.to_numpy(dtype=float)
    logs = np.log1p(quantities)
    recent, before = logs[:, -config.recent_weeks :], logs[:, : -config.recent_weeks]
    steady = ((quantities[:, : -config.recent_weeks] > 0).mean(axis=1) >= STEADY_SHARE) & (quantities[:, :4] > 0).any(
        axis=1
    )
    centre = np.median(before, axis=1)
    spread = np.maximum(1.4826 * np.median(np.abs(before - centre[:, None]), axis=1), 0.1)
    shift_z = (np.median(recent, axis=1) - centre) / (spread / math.sqrt(config.recent_weeks))
    t_before, t_recent = np.arange(before.shape[1]), np.arange(recent.shape[1])
    n = recent.shape[1]
    rows = []
    for i in np.flatnonzero(steady):
        before_level, recent_level = float(np.expm1(centre[i])), float(np.expm1(np.median(recent[i])))
        change = recent_level / before_level - 1 if before_level > 0 else 0.0
        evidence = {
            "weekly_before": round(before_level, 2),
            "weekly_recent": round(recent_level, 2),
            "change_pct": round(100 * change, 1),
            "weeks_recent": config.recent_weeks,
        }
        if abs(shift_z[i]) >= config.shift_z and abs(change) >= config.min_change:
            rows.append({"kind": "level_shift", "product_id": grid.index[i], "score": round(float(abs(shift_z[i])), 3),
                         "evidence": {**evidence, "direction": "up" if shift_z[i] > 0 else "down"}})  # fmt: skip
            continue
        slope_before = float(np.polyfit(t_before, before[i], 1)[0])
        slope_recent = float(np.polyfit(t_recent, recent[i], 1)[0])
        # Standard error of a least-squares slope over n evenly spaced points: sigma * sqrt(12 / (n^3 - n)).
        z = (slope_recent - slope_before) / (spread[i] * math.sqrt(12 / (n**3 - n)))
        if abs(z) >= config.shift_z and abs(slope_recent - slope_before) >= config.min_change / 6:
            rows.append({"kind": "trend_break", "product_id": grid.index[i], "score": round(float(abs(z)), 3),
                         "evidence": {**evidence, "slope_before_pct_per_week": round(100 * slope_before, 1),
                                      "slope_recent_pct_per_week": round(100 * slope_recent, 1)}})  # fmt: skip
    return rows


def detect_changes(lines: pd.DataFrame, *, as_of: pd.Timestamp, config: ChangeConfig | None = None) -> pd.DataFrame:
    """Rows ``kind, retailer_id, product_id, category, probability, score, evidence`` (ids and category None
    where they do not apply; probability NaN for product changes, which carry a robust z ``score``)."""
    config = config or ChangeConfig()
    as_of = pd.Timestamp(as_of)
    lines = check_lines(lines)
    orders = orders_of(lines, as_of)
    rows = [
        *churn_rows(order_days(orders), orders, as_of, config),
        *basket_rows(orders, config),
        *lapse_rows(lines, orders, as_of, config),
        *product_rows(lines, as_of, config),
    ]
    frame = pd.DataFrame({column: pd.Series([row.get(column) for row in rows], dtype=object) for column in COLUMNS})
    frame["probability"] = pd.to_numeric(frame["probability"], errors="coerce").astype(float)
    frame["score"] = pd.to_numeric(frame["score"], errors="coerce").astype(float)
    return frame

"""Stockout risk per product x warehouse: XGBoost's calibrated probability of a stockout within 14 days and within
the lead time, and expected days until stock runs out; severity as expected lost revenue; early warnings in words.

Features at a cutoff use only what was known on that day (no look-ahead): stock on hand and on order, the forecast's
mean and spread per day (the forecasting capability's distribution; the bench stands in the trailing 28 days),
cover in days, lead-time mean and spread and the supplier's lateness and fill rate from deliveries that had arrived
by then, the days until the open order is promised, stockout days in the last 8 weeks, and the days until the next
festival (or marketplace sale) and the next promotion of the pair's product start, from a calendar known ahead.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import xgboost as xgb

from optimization.ml.demand import normal_expected_shortage
from reorder.ml.calibration import Calibrator, choose_calibrator

FEATURES = (
    "on_hand", "on_order", "mean_per_day", "std_per_day", "cover_days", "cover_with_order_days",
    "lead_time_mean", "lead_time_std", "late_share", "fill_rate", "days_to_promised", "open_order",
    "stockout_days_56", "days_to_festival", "days_to_promotion",
)  # fmt: skip
HORIZON = 14
AHEAD = 28  # how far ahead a festival or promotion counts; "none ahead" reads as this many days
CALENDAR_COLUMNS = ("pair", "first_day", "last_day", "name", "kind")  # pair -1: every pair; kind festival|promotion


def calendar_ahead(calendar: pd.DataFrame | None, cutoff: int, n: int, kind: str) -> tuple[np.ndarray, np.ndarray]:
    """Per pair: days from ``cutoff`` until the soonest event of ``kind`` that has not ended starts (0 while one is
    on; ``AHEAD`` when none starts within ``AHEAD`` days), and its name. Calendar days count like the ledger's."""
    days, names = np.full(n, float(AHEAD)), np.full(n, "", dtype=object)
    if calendar is None or calendar.empty:
        return days, names
    rows = calendar[
        (calendar["kind"] == kind) & (calendar["last_day"] >= cutoff) & (calendar["first_day"] < cutoff + AHEAD)
    ]
    rows = rows.assign(until=(rows["first_day"] - cutoff).clip(lower=0)).sort_values("until", kind="stable")
    everyone = rows[rows["pair"] < 0]
    if len(everyone):
        days[:], names[:] = float(everyone["until"].iloc[0]), everyone["name"].iloc[0]
    own = rows[(rows["pair"] >= 0) & (rows["pair"] < n)].drop_duplicates("pair")
    pair, until = own["pair"].to_numpy(int), own["until"].to_numpy(float)
    sooner = until < days[pair]
    days[pair[sooner]], names[pair[sooner]] = until[sooner], own["name"].to_numpy()[sooner]
    return days, names


def stockout_frame(
    daily: pd.DataFrame,
    deliveries: pd.DataFrame,
    cutoff: int,
    *,
    horizon: int = HORIZON,
    calendar: pd.DataFrame | None = None,
):
    """Features as of the start of day ``cutoff`` and labels over the days that follow (when they exist).
    ``calendar``: festivals and promotions (``CALENDAR_COLUMNS``), on the ledger's day numbers."""
    wide = {c: daily.pivot(index="pair", columns="day", values=c).to_numpy() for c in ("demand", "lost", "on_hand")}
    on_order = daily.pivot(index="pair", columns="day", values="on_order").to_numpy()
    n = wide["demand"].shape[0]
    past = wide["demand"][:, max(cutoff - 28, 0) : cutoff]
    mean, std = past.mean(axis=1), past.std(axis=1)
    on_hand = wide["on_hand"][:, cutoff]
    frame = pd.DataFrame({"pair": np.arange(n), "cutoff": cutoff, "on_hand": on_hand, "on_order": on_order[:, cutoff],
                          "mean_per_day": mean, "std_per_day": std})  # fmt: skip
    safe = np.maximum(mean, 1e-3)
    frame["cover_days"] = np.minimum(on_hand / safe, 365)
    frame["cover_with_order_days"] = np.minimum((on_hand + on_order[:, cutoff]) / safe, 365)
    arrived = deliveries[deliveries["arrival_day"] < cutoff].sort_values("arrival_day")
    recent = arrived.groupby("pair").tail(5)
    lead = (recent["arrival_day"] - recent["ordered_day"]).groupby(recent["pair"])
    stats = pd.DataFrame({
        "lead_time_mean": lead.mean(), "lead_time_std": lead.std().fillna(0.0),
        "late_share": (recent["arrival_day"] > recent["promised_day"]).groupby(recent["pair"]).mean(),
        "late_count": (recent["arrival_day"] > recent["promised_day"]).groupby(recent["pair"]).sum(),
        "deliveries": recent.groupby("pair").size(),
        "fill_rate": (recent["received_qty"] / recent["ordered_qty"]).groupby(recent["pair"]).mean(),
    })  # fmt: skip
    frame = frame.merge(stats, left_on="pair", right_index=True, how="left")
    promised = deliveries[(deliveries["ordered_day"] < cutoff) & (deliveries["arrival_day"] >= cutoff)]
    promised = promised.groupby("pair")["promised_day"].min()
    frame["days_to_promised"] = (frame["pair"].map(promised) - cutoff).fillna(-1.0)
    frame["open_order"] = frame["pair"].isin(promised.index).astype(float)
    frame["stockout_days_56"] = (wide["lost"][:, max(cutoff - 56, 0) : cutoff] > 0).sum(axis=1)
    frame["days_to_festival"], frame["festival"] = calendar_ahead(calendar, cutoff, n, "festival")
    frame["days_to_promotion"], frame["promotion"] = calendar_ahead(calendar, cutoff, n, "promotion")
    frame = frame.fillna({"lead_time_mean": 10.0, "lead_time_std": 0.0, "late_share": 0.0, "late_count": 0,
                          "deliveries": 0, "fill_rate": 1.0})  # fmt: skip
    future = wide["lost"][:, cutoff : cutoff + horizon] > 0
    if future.shape[1] == horizon:
        frame["stockout_14"] = future.any(axis=1).astype(int)
        steps = np.arange(horizon)[None, :] < np.ceil(frame["lead_time_mean"].to_numpy())[:, None]
        frame["stockout_lead_time"] = (future & steps).any(axis=1).astype(int)
        frame["days_to_stockout"] = np.where(future.any(axis=1), future.argmax(axis=1), horizon).astype(float)
    return frame


@dataclass(frozen=True)
class StockoutOptions:
    n_estimators: int = 300
    learning_rate: float = 0.05
    max_depth: int = 5
    min_child_weight: float = 5.0
    subsample: float = 0.8
    colsample_bytree: float = 0.8
    seed: int = 0
    n_jobs: int = 2


class StockoutModel:
    """Two classifiers (14 days, lead time) calibrated on held-out rows, and a days-to-stockout regressor."""

    TARGETS = ("stockout_14", "stockout_lead_time")

    def __init__(self, options: StockoutOptions | None = None) -> None:
        self.options = options or StockoutOptions()

    def _params(self) -> dict:
        o = self.options
        return {"n_estimators": o.n_estimators, "learning_rate": o.learning_rate, "max_depth": o.max_depth,
                "min_child_weight": o.min_child_weight, "subsample": o.subsample,
                "colsample_bytree": o.colsample_bytree, "random_state": o.seed, "n_jobs": o.n_jobs,
                "tree_method": "hist"}  # fmt: skip

    def fit(self, train: pd.DataFrame, calibration: pd.DataFrame) -> StockoutModel:
        self.features_ = FEATURES
        X, Xc = train[list(FEATURES)].to_numpy(float), calibration[list(FEATURES)].to_numpy(float)
        self.classifiers_, self.calibrators_ = {}, {}
        for target in self.TARGETS:
            model = xgb.XGBClassifier(objective="binary:logistic", **self._params())
            model.fit(X, train[target].to_numpy())
            self.classifiers_[target] = model
            self.calibrators_[target], _ = choose_calibrator(calibration[target], model.predict_proba(Xc)[:, 1])
        self.regressor_ = xgb.XGBRegressor(objective="reg:absoluteerror", **self._params())
        self.regressor_.fit(X, train["days_to_stockout"].to_numpy())
        return self

    def predict(self, frame: pd.DataFrame, *, price: np.ndarray | None = None) -> pd.DataFrame:
        X = frame[list(self.features_)].to_numpy(float)
        out = frame[["pair"]].copy()
        out["p_stockout_14"] = self.calibrators_["stockout_14"].transform(
            self.classifiers_["stockout_14"].predict_proba(X)[:, 1])  # fmt: skip
        out["p_stockout_lead_time"] = self.calibrators_["stockout_lead_time"].transform(
            self.classifiers_["stockout_lead_time"].predict_proba(X)[:, 1])  # fmt: skip
        out["days_to_stockout"] = np.clip(self.regressor_.predict(X), 0, HORIZON)
        unit_price = np.ones(len(frame)) if price is None else np.asarray(price, dtype=float)
        out["expected_lost_revenue"] = expected_lost_units(frame) * unit_price
        return out

    def save(self, path: str | Path) -> None:
        """A folder: each booster in XGBoost's JSON format, calibrators and options as JSON (no pickle)."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        for target, model in self.classifiers_.items():
            model.save_model(path / f"{target}.json")
        self.regressor_.save_model(path / "days_to_stockout.json")
        meta = {"options": asdict(self.options), "features": list(self.features_), "xgboost": xgb.__version__,
                "calibrators": {t: c.to_dict() for t, c in self.calibrators_.items()}}  # fmt: skip
        (path / "meta.json").write_text(json.dumps(meta))

    @classmethod
    def load(cls, path: str | Path) -> StockoutModel:
        path = Path(path)
        meta = json.loads((path / "meta.json").read_text())
        model = cls(StockoutOptions(**meta["options"]))
        model.features_ = tuple(meta["features"])  # a model trained before a feature was added still loads
        model.classifiers_ = {}
        for target in cls.TARGETS:
            model.classifiers_[target] = xgb.XGBClassifier()
            model.classifiers_[target].load_model(path / f"{target}.json")
        model.regressor_ = xgb.XGBRegressor()
        model.regressor_.load_model(path / "days_to_stockout.json")
        model.calibrators_ = {t: Calibrator.from_dict(c) for t, c in meta["calibrators"].items()}
        return model


def expected_lost_units(frame: pd.DataFrame, horizon: int = HORIZON) -> np.ndarray:
    """E[(D_h - available)+] with normal demand over the horizon; stock on order counts when promised in time."""
    mean = frame["mean_per_day"].to_numpy(float) * horizon
    std = frame["std_per_day"].to_numpy(float) * np.sqrt(horizon)
    arriving = np.where((frame["open_order"] > 0) & (frame["days_to_promised"] < horizon), frame["on_order"], 0.0)
    return normal_expected_shortage(mean, std, frame["on_hand"].to_numpy(float) + arriving)


def cover_rule_score(frame: pd.DataFrame) -> np.ndarray:
    """The analyst's rule as a score: lead time (plus its spread, as safety) over days of cover counting orders that
    are due in time; above 1 means stock runs out before a new order could land."""
    arriving = np.where(frame["days_to_promised"].between(0, HORIZON - 1), frame["on_order"], 0.0)
    cover = (frame["on_hand"] + arriving) / np.maximum(frame["mean_per_day"], 1e-3)
    return (frame["lead_time_mean"] + frame["lead_time_std"]) / np.maximum(cover, 0.1)


def early_warnings(frame: pd.DataFrame, predictions: pd.DataFrame, *, top: int = 100) -> pd.DataFrame:
    """The riskiest pairs by expected lost revenue x probability, each with its reason in words."""
    labels = ["stockout_14", "stockout_lead_time", "days_to_stockout"]
    merged = frame.drop(columns=labels, errors="ignore").merge(predictions, on="pair")
    merged["priority"] = merged["p_stockout_14"] * merged["expected_lost_revenue"]
    merged = merged.sort_values("priority", ascending=False).head(top)
    merged["reason"] = [_reason(row) for row in merged.itertuples()]
    return merged[["pair", "p_stockout_14", "days_to_stockout", "expected_lost_revenue", "reason"]]


def _reason(row) -> str:
    parts = [f"{row.cover_days:.0f} days of cover" if row.cover_days < 365 else "no recent demand"]
    parts.append(f"lead time {row.lead_time_mean:.0f} days")
    if getattr(row, "deliveries", 0) and row.late_count > 0:
        parts.append(f"supplier late on {int(row.late_count)} of last {int(row.deliveries)} deliveries")
    if row.fill_rate < 0.9:
        parts.append(f"deliveries {row.fill_rate:.0%} filled")
    if row.open_order == 0:
        parts.append("no order open")
    for days, name in ((getattr(row, "days_to_festival", AHEAD), getattr(row, "festival", "")),
                       (getattr(row, "days_to_promotion", AHEAD), getattr(row, "promotion", ""))):  # fmt: skip
        if name and days < AHEAD:
            parts.append(f"{name} now" if days == 0 else f"{name} in {days:.0f} day{'s' if days != 1 else ''}")
    return ", ".join(parts)

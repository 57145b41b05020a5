"""Training and evaluating the stockout model on a ledger's history, and the baseline it must beat; no Django.

Cutoffs every ``step`` days; the last ``test_cutoffs`` are held out to evaluate, the two before them calibrate, and
no training label reaches past the first test cutoff (a label looks 14 days ahead). The model is judged against the
analyst's rule ("days of cover, counting orders due in time, under lead time + its spread") and a logistic
regression on the same features, then refitted on every labelled cutoff but the last two (which calibrate it) to
serve.
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from .stockout import (
    FEATURES,
    HORIZON,
    StockoutModel,
    StockoutOptions,
    cover_rule_score,
    expected_lost_units,
    stockout_frame,
)

FIRST_CUTOFF = 56  # the longest look back of a feature
Progress = Callable[[str, int, str], None]


def frame_at(
    daily: pd.DataFrame, deliveries: pd.DataFrame, cutoff: int, *, calendar: pd.DataFrame | None = None
) -> pd.DataFrame:
    """``stockout_frame`` at one cutoff, reading only the days its features and labels need (the 8 weeks before,
    the 14 after): the same rows, without pivoting the whole history at every cutoff."""
    low = max(cutoff - FIRST_CUTOFF, 0)
    window = daily[(daily["day"] >= low) & (daily["day"] < cutoff + HORIZON)]
    shifted = deliveries.copy()
    for column in ("ordered_day", "promised_day", "arrival_day"):
        shifted[column] = shifted[column] - low
    if calendar is not None:
        calendar = calendar.assign(first_day=calendar["first_day"] - low, last_day=calendar["last_day"] - low)
    frame = stockout_frame(window.assign(day=window["day"] - low), shifted, cutoff - low, calendar=calendar)
    return frame.assign(cutoff=cutoff)


def with_demand(frame: pd.DataFrame, mean_per_day: np.ndarray, std_per_day: np.ndarray) -> pd.DataFrame:
    """The features with the forecast's mean and spread per day in place of the trailing ones, and cover recomputed
    from them."""
    out = frame.copy()
    out["mean_per_day"], out["std_per_day"] = np.asarray(mean_per_day, float), np.asarray(std_per_day, float)
    safe = np.maximum(out["mean_per_day"].to_numpy(), 1e-3)
    out["cover_days"] = np.minimum(out["on_hand"] / safe, 365)
    out["cover_with_order_days"] = np.minimum((out["on_hand"] + out["on_order"]) / safe, 365)
    return out


class CoverRuleModel:
    """The baseline that serves before a model is trained: the days-of-cover rule's score turned into a probability
    (0.5 where cover just equals lead time + its spread), days to stockout from cover, the same lost revenue."""

    algorithm = "cover_rule"

    def predict(self, frame: pd.DataFrame, *, price: np.ndarray | None = None) -> pd.DataFrame:
        score = cover_rule_score(frame).to_numpy(float)
        probability = 1.0 / (1.0 + np.exp(-4.0 * (score - 1.0)))
        lead = frame["lead_time_mean"].to_numpy(float)
        out = frame[["pair"]].copy()
        out["p_stockout_14"] = probability
        out["p_stockout_lead_time"] = np.where(lead <= HORIZON, probability, np.minimum(probability * 1.2, 1.0))
        out["days_to_stockout"] = np.clip(frame["cover_days"].to_numpy(float), 0, HORIZON)
        unit_price = np.ones(len(frame)) if price is None else np.asarray(price, dtype=float)
        out["expected_lost_revenue"] = expected_lost_units(frame) * unit_price
        return out


def train_stockout_model(
    daily: pd.DataFrame,
    deliveries: pd.DataFrame,
    *,
    step: int = 7,
    test_cutoffs: int = 4,
    options: StockoutOptions | None = None,
    progress: Progress | None = None,
    calendar: pd.DataFrame | None = None,
) -> tuple[StockoutModel, dict]:
    """Evaluate on the held-out cutoffs against the two baselines, then refit to serve. Returns the model and its
    metrics (the version's). ``calendar``: festivals and promotions on the ledger's day numbers."""
    progress = progress or (lambda stage, percent, message: None)
    days = int(daily["day"].max()) + 1
    cutoffs = list(range(FIRST_CUTOFF, days - HORIZON + 1, step))
    if len(cutoffs) < test_cutoffs + 4:
        raise ValueError(f"{days} days of ledger give {len(cutoffs)} cutoffs; at least {test_cutoffs + 4} are needed.")
    progress("features", 10, f"{len(cutoffs)} cutoffs of {daily['pair'].nunique()} pairs")
    frames = {c: frame_at(daily, deliveries, c, calendar=calendar) for c in cutoffs}
    test_start = cutoffs[-test_cutoffs]
    labelled = [c for c in cutoffs if c + HORIZON <= test_start]
    train = pd.concat([frames[c] for c in labelled[:-2]], ignore_index=True)
    calibration = pd.concat([frames[c] for c in labelled[-2:]], ignore_index=True)
    test = pd.concat([frames[c] for c in cutoffs[-test_cutoffs:]], ignore_index=True)
    progress("evaluate", 30, f"{len(train):,} training rows, {len(test):,} test rows")
    model = StockoutModel(options).fit(train, calibration)
    metrics = evaluate(model, train, calibration, test)
    progress("refit", 70, "refitting on every labelled cutoff")
    everything = [c for c in cutoffs if c + HORIZON <= days - 1]
    final = StockoutModel(options).fit(
        pd.concat([frames[c] for c in everything[:-2]], ignore_index=True),
        pd.concat([frames[c] for c in everything[-2:]], ignore_index=True),
    )
    metrics.update(training_rows=len(train), test_rows=len(test), cutoffs=len(cutoffs))
    return final, metrics


def evaluate(model: StockoutModel, train: pd.DataFrame, calibration: pd.DataFrame, test: pd.DataFrame) -> dict:
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    y = test["stockout_14"].to_numpy()
    predicted = model.predict(test)
    metrics = {f"{k}": v for k, v in scores(y, predicted["p_stockout_14"].to_numpy()).items()}
    metrics["mae_days_to_stockout"] = float(np.mean(np.abs(predicted["days_to_stockout"] - test["days_to_stockout"])))
    metrics["positive_rate"] = float(y.mean()) if len(y) else 0.0
    rule = scores(y, cover_rule_score(test).to_numpy(float))
    metrics.update({f"cover_rule_{k}": v for k, v in rule.items() if k != "brier"})
    fitted = pd.concat([train, calibration], ignore_index=True)
    if fitted["stockout_14"].nunique() == 2:
        logistic = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000))
        logistic.fit(fitted[list(FEATURES)], fitted["stockout_14"])
        logit = scores(y, logistic.predict_proba(test[list(FEATURES)])[:, 1])
        metrics.update({f"logistic_{k}": v for k, v in logit.items()})
    baselines = [metrics.get("cover_rule_pr_auc"), metrics.get("logistic_pr_auc")]
    better = max((b for b in baselines if b is not None), default=None)
    if better and "pr_auc" in metrics:
        metrics["pr_auc_ratio"] = metrics["pr_auc"] / better
    return metrics


def scores(y: np.ndarray, p: np.ndarray, top: int = 100) -> dict:
    """ROC AUC and PR AUC (only where both outcomes occur), Brier score, precision among the top ``top``."""
    from sklearn.metrics import average_precision_score, roc_auc_score

    y, p = np.asarray(y).astype(int), np.asarray(p, dtype=float)
    out = {"brier": float(np.mean((np.clip(p, 0, 1) - y) ** 2)) if len(y) else 0.0}
    if len(np.unique(y)) == 2:
        out["roc_auc"] = float(roc_auc_score(y, p))
        out["pr_auc"] = float(average_precision_score(y, p))
    if len(y):
        out["precision_at_100"] = float(np.mean(y[np.argsort(-p, kind="stable")[:top]]))
    return out


def model_to_bytes(model: StockoutModel) -> bytes:
    """The model's folder (XGBoost JSON boosters, calibrators and options as JSON) as one zip: no pickle."""
    buffer = io.BytesIO()
    with tempfile.TemporaryDirectory() as folder:
        model.save(folder)
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(Path(folder).iterdir()):
                archive.write(path, path.name)
    return buffer.getvalue()


def model_from_bytes(artifact: bytes) -> StockoutModel:
    with tempfile.TemporaryDirectory() as folder, zipfile.ZipFile(io.BytesIO(artifact)) as archive:
        for name in archive.namelist():
            if "/" in name or name.startswith("."):
                raise ValueError(f"unexpected member {name!r} in a stockout model artifact")
            (Path(folder) / name).write_bytes(archive.read(name))
        json.loads((Path(folder) / "meta.json").read_text())  # fails early on a broken artifact
        return StockoutModel.load(folder)

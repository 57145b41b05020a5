"""Anomaly scores for any long-format series CSV, and their evaluation on injected anomalies.

Score (the contract):

    .venv/bin/python bench/anomaly_eval.py --csv FILE --id COL --date COL --target COL --freq D|W \\
        [--exog COLS] --out SCORES.csv

writes one row per input row: ``<id>, <date>, score, flag`` (score higher = more anomalous; flag 1/0 at the
threshold the product uses), from :func:`insights.ml.detect_anomalies`. An exog column of numbers marks a known
driver where positive (a promotion); an exog column of text names the festival or holiday of the period ('' or
empty when none) and is passed as the calendar.

Evaluate (``--evaluate``, same input flags, ``--out`` optional): injects anomalies into the series, about 1% of
points and none in the first 20 periods (seeded): spikes (the value or the local level, whichever is larger,
times 2.5 to 5), dips to near zero (under a tenth of a value at least half the local level) and two-period
bursts (two neighbours times 2 to 4). Then every method scores the same series and the table gives PR AUC of
the scores, precision, recall and F1 of the flags, and the best F1 of any threshold. Baselines: Hampel (robust z
from a centred 9-point rolling median and that window's MAD) and a robust z from a centred 13-period median over
the series' median absolute deviation from it; their scales are floored at 1% of the series' median non-zero
value so a flat stretch does not divide by zero. Candidates: the shipped robust seasonal detector with and
without calendar and promotions, an IsolationForest and an LSTM autoencoder (``--methods`` picks).
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from numpy.lib.stride_tricks import sliding_window_view  # noqa: E402

from insights.ml import AnomalyConfig, detect_anomalies  # noqa: E402

METHODS = ("robust", "robust_no_calendar", "isolation_forest", "lstm_ae", "ensemble", "hampel", "median13")
BASELINES = ("hampel", "median13")
BASELINE_Z = 3.5  # the usual robust-z cut an analyst would start from


def read_series(args: argparse.Namespace) -> tuple[pd.DataFrame, list[str], pd.DataFrame | None]:
    """The CSV as ``series_id, date, value`` plus numeric exog columns, and text exog columns as a calendar."""
    frame = pd.read_csv(args.csv, keep_default_na=False, na_values=[""])
    exog = [c.strip() for c in (args.exog or "").split(",") if c.strip()]
    missing = [c for c in [args.id, args.date, args.target, *exog] if c not in frame.columns]
    if missing:
        sys.exit(f"{args.csv}: no column(s) {', '.join(missing)}")
    series = pd.DataFrame(
        {"series_id": frame[args.id], "date": pd.to_datetime(frame[args.date]), "value": frame[args.target]}
    )
    series["value"] = pd.to_numeric(series["value"], errors="coerce").fillna(0.0)
    numeric, calendars = [], []
    for column in exog:
        as_number = pd.to_numeric(frame[column], errors="coerce")
        if as_number.notna().all():
            series[column] = as_number
            numeric.append(column)
        else:  # festival names per period: one calendar row per period that has one
            named = frame[column].fillna("").astype(str).str.strip()
            days = pd.DataFrame({"date": series["date"], "event": named})[named != ""]
            calendars.append(days.drop_duplicates())
    calendar = pd.concat(calendars, ignore_index=True) if calendars else None
    return series, numeric, calendar


def inject(series: pd.DataFrame, *, rate: float, warmup: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """A copy of ``series`` (sorted by id and date) with anomalies injected, and the 0/1 label per row."""
    rng = np.random.default_rng(seed)
    frame = series.sort_values(["series_id", "date"], kind="stable").reset_index(drop=True)
    values = frame["value"].to_numpy(dtype=float).copy()
    position = frame.groupby("series_id").cumcount().to_numpy()
    length = frame.groupby("series_id")["value"].transform("size").to_numpy()
    level = (
        frame.groupby("series_id")["value"]
        .transform(lambda v: v.rolling(9, center=True, min_periods=1).median())
        .to_numpy()
    )
    typical = frame.groupby("series_id")["value"].transform(lambda v: v[v > 0].median() if (v > 0).any() else 1.0)
    level = np.maximum(level, 0.5 * typical.to_numpy())
    labels = np.zeros(len(values), dtype=int)
    eligible = np.flatnonzero((position >= warmup) & (position < length - 1))
    budget = round(rate * len(values))
    for row in rng.permutation(eligible):
        if labels.sum() >= budget:
            break
        if labels[max(row - 2, 0) : row + 3].any():
            continue
        kind = rng.choice(["spike", "dip", "burst"])
        if kind == "spike":
            values[row] = max(values[row], level[row]) * rng.uniform(2.5, 5.0)
            labels[row] = 1
        elif kind == "dip":
            if values[row] < 0.5 * level[row] or values[row] <= 0:
                continue  # nothing to drop from: a dip here would be no anomaly
            values[row] *= rng.uniform(0.0, 0.1)
            labels[row] = 1
        else:
            for r in (row, row + 1):
                values[r] = max(values[r], level[r]) * rng.uniform(2.0, 4.0)
                labels[r] = 1
    return frame.assign(value=values), labels


def baseline_scores(frame: pd.DataFrame, method: str) -> np.ndarray:
    """Hampel (window 9, the window's MAD) or the 13-period median with the series' median deviation."""
    window = 9 if method == "hampel" else 13
    half = window // 2
    scores = np.zeros(len(frame))
    for _, rows in frame.groupby("series_id", sort=False).indices.items():
        x = frame["value"].to_numpy(dtype=float)[rows]
        padded = np.concatenate([np.full(half, np.nan), x, np.full(half, np.nan)])
        windows = sliding_window_view(padded, window)
        median = np.nanmedian(windows, axis=1)
        deviation = np.abs(x - median)
        if method == "hampel":
            scale = 1.4826 * np.nanmedian(np.abs(windows - median[:, None]), axis=1)
        else:
            scale = np.full(len(x), 1.4826 * np.median(deviation))
        positive = x[x > 0]
        floor = 0.01 * (np.median(positive) if positive.size else 1.0)
        scores[rows] = deviation / np.maximum(scale, floor)
    return scores


def method_scores(
    method: str, frame: pd.DataFrame, *, freq: str, exog: list[str], calendar: pd.DataFrame | None, args
) -> tuple[np.ndarray, np.ndarray]:
    if method in BASELINES:
        scores = baseline_scores(frame, method)
        return scores, scores >= BASELINE_Z
    if method == "robust_no_calendar":
        result = detect_anomalies(frame, freq=freq)
    elif method == "lstm_ae":
        config = AnomalyConfig(method="lstm_ae", lstm_epochs=args.epochs, seed=args.seed)
        result = detect_anomalies(frame, freq=freq, calendar=calendar, exog=exog, config=config)
    else:
        config = AnomalyConfig(method=method, seed=args.seed)
        result = detect_anomalies(frame, freq=freq, calendar=calendar, exog=exog, config=config)
    return result["score"].to_numpy(dtype=float), result["flag"].to_numpy(dtype=bool)


def evaluate(labels: np.ndarray, scores: np.ndarray, flags: np.ndarray) -> dict[str, float]:
    from sklearn.metrics import average_precision_score, precision_recall_curve

    scores = np.nan_to_num(scores, nan=0.0, posinf=1e12)
    precision, recall, _ = precision_recall_curve(labels, scores)
    f1_curve = 2 * precision * recall / np.maximum(precision + recall, 1e-12)
    tp = int((flags & (labels == 1)).sum())
    p = tp / max(int(flags.sum()), 1)
    r = tp / max(int(labels.sum()), 1)
    return {
        "pr_auc": float(average_precision_score(labels, scores)),
        "precision": p,
        "recall": r,
        "f1": 2 * p * r / max(p + r, 1e-12),
        "best_f1": float(f1_curve.max()),
        "flagged": int(flags.sum()),
    }


def run_evaluation(args: argparse.Namespace) -> dict:
    series, exog, calendar = read_series(args)
    frame, labels = inject(series, rate=args.rate, warmup=args.warmup, seed=args.seed)
    rows = {}
    for method in args.methods.split(","):
        started = time.perf_counter()
        scores, flags = method_scores(method, frame, freq=args.freq, exog=exog, calendar=calendar, args=args)
        rows[method] = {**evaluate(labels, scores, flags), "seconds": round(time.perf_counter() - started, 1)}
    baselines = [rows[m] for m in BASELINES if m in rows]
    report = {
        "csv": str(args.csv),
        "series": int(frame["series_id"].nunique()),
        "points": len(frame),
        "anomalies": int(labels.sum()),
        "methods": rows,
    }
    if baselines and "robust" in rows:
        best_auc = max(b["pr_auc"] for b in baselines)
        best_f1 = max(b["best_f1"] for b in baselines)
        report["goal"] = {
            "pr_auc_ratio": rows["robust"]["pr_auc"] / max(best_auc, 1e-12),
            "pr_auc_met": rows["robust"]["pr_auc"] >= 1.25 * best_auc,
            "f1_met": rows["robust"]["f1"] >= best_f1,
        }
    return report


def print_table(report: dict) -> None:
    print(f"{report['csv']}: {report['series']} series, {report['points']} points, {report['anomalies']} injected")
    print(f"{'method':<20}{'PR AUC':>8}{'prec':>7}{'recall':>8}{'F1':>7}{'best F1':>9}{'flagged':>9}{'sec':>7}")
    for method, row in report["methods"].items():
        print(
            f"{method:<20}{row['pr_auc']:>8.3f}{row['precision']:>7.3f}{row['recall']:>8.3f}{row['f1']:>7.3f}"
            f"{row['best_f1']:>9.3f}{row['flagged']:>9}{row['seconds']:>7.1f}"
        )
    goal = report.get("goal")
    if goal:
        print(
            f"goal: PR AUC {goal['pr_auc_ratio']:.2f}x the better baseline (need 1.25x): "
            f"{'met' if goal['pr_auc_met'] else 'NOT met'}; flags' F1 vs the baselines' best F1 at any threshold: "
            f"{'met' if goal['f1_met'] else 'NOT met'}"
        )


def write_scores(args: argparse.Namespace) -> None:
    series, exog, calendar = read_series(args)
    result = detect_anomalies(series, freq=args.freq, calendar=calendar, exog=exog)
    out = pd.DataFrame(
        {args.id: series["series_id"], args.date: series["date"].dt.date, "score": result["score"].round(4)}
    )
    out["flag"] = result["flag"].astype(int)
    out.to_csv(args.out, index=False)
    print(f"{args.out}: {len(out)} rows, {int(out['flag'].sum())} flagged")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--csv", type=Path, required=True)
    parser.add_argument("--id", required=True)
    parser.add_argument("--date", required=True)
    parser.add_argument("--target", required=True)
    parser.add_argument("--freq", choices=["D", "W"], required=True)
    parser.add_argument("--exog", default="")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--evaluate", action="store_true")
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--rate", type=float, default=0.01)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    if not args.csv.exists():
        sys.exit(f"{args.csv} does not exist")
    if not args.evaluate:
        if args.out is None:
            parser.error("--out is required unless --evaluate")
        write_scores(args)
        return
    unknown = set(args.methods.split(",")) - set(METHODS)
    if unknown:
        parser.error(f"--methods: unknown {', '.join(sorted(unknown))}; choose from {', '.join(METHODS)}")
    report = run_evaluation(args)
    print(json.dumps(report, indent=2)) if args.json else print_table(report)


if __name__ == "__main__":
    main()

"""Forecast accuracy of every RetailIQ model and two outside peers on any long-format CSV,
all backtested on the same rolling origins; prints one table (or JSON with --json).

    .venv/bin/python bench/forecast_eval.py --csv FILE --id COL --date COL --target COL \\
        --freq D|W --horizon H [--exog COLS] [--top N] [--origins K] [--inner-origins M] \\
        [--models LIST] [--rounds R] [--epochs E] [--threads T] [--ets-history N] \\
        [--members LIST] [--train-origins N] [--no-refit] [--method convex|nnls|inverse] [--by-class] [--json]
        [--censor-column COL] [--demand-column COL] [--top-by COL] [--history COLS] [--save-result FILE]

Each origin refits every model on the history before it only. The ensemble is
evaluated nested: at each scored origin its weights and interval widths come from
the members' forecasts at earlier origins (--inner-origins extra ones before the first
scored origin, plus earlier scored ones; the last --train-origins of them), never from
the origin it is scored on. Its fit_seconds are what training and one forecast would
cost: every member's backtest on --train-origins origins, then a refit and forecast (a
forecast only with --no-refit, and then its scored forecasts come from the members as
fitted at the previous origin, as they would serve). Interval coverage is checked on the last origin: the ensemble
with its own conformal intervals, every other model with conformal widths calibrated the
same way on the earlier origins (forecasting/ml/conformal.py). RMSSE and MASE use each series' in-sample seasonal-naive error (naive
when the history is shorter than two seasons) from its first sale on. --by-class adds
where each model wins or loses: RMSSE, WAPE and 80%/95% coverage per demand class (judged on
the history before the first scored origin), RMSSE, WAPE and coverage per volume band (mean units a week),
RMSSE per scored origin, the ensemble's coverage per scored origin, and the weights per class
the ensemble used at each origin.

Sales cut by stock are not demand. --censor-column names a column (a 0/1 flag, or a share
of the period) whose periods above one half are stockouts: the models learn from the
sales with those periods marked censored, as the app's training marks stockout days
(the members fill them with the recent in-stock level, forecasting/ml/censoring.py), and
against sales they are left out of the errors, as the app's backtest does.
--demand-column scores every forecast against another column (what customers ordered,
refused lines included) with nothing left out; the models still learn, and every
model's interval widths are still calibrated, on the sales of the earlier origins, so
only what a forecast is compared with changes. The RMSSE/MASE scale stays the sales
history's. Without either option nothing changes.

--history names columns observed with the sales and known only up to each origin
(orders per period, the largest line): LightGBM learns from their lags and rolling
means, read at the origin only (GlobalLightGBM's history_drivers); no other model
reads them.
"""

import argparse
import importlib
import itertools
import json
import logging
import os
import pickle
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from bench import peers  # noqa: E402
from forecasting.ml import metrics  # noqa: E402
from forecasting.ml.backtest import BacktestResult, coverage_of, rolling_origin  # noqa: E402
from forecasting.ml.ensemble import EnsembleOptions, nested_ensemble  # noqa: E402
from forecasting.ml.matrix import DemandMatrix, matrix_from_long  # noqa: E402

log = logging.getLogger("forecast_eval")

# Imported by dotted path when first used, so a model still being written only fails its own row.
RETAILIQ = {
    "naive": "forecasting.ml.baselines.NaiveForecaster",
    "seasonal_naive": "forecasting.ml.baselines.SeasonalNaiveForecaster",
    "moving_average": "forecasting.ml.baselines.MovingAverageForecaster",
    "intermittent": "forecasting.ml.statistical.IntermittentForecaster",
    "lightgbm": "forecasting.ml.lgbm.GlobalLightGBM",
    "cnn_lstm": "forecasting.ml.lstm.CNNLSTMForecaster",
}
PEERS = {
    "statsforecast_autoets": "bench.peers.StatsForecastAutoETS",
    "statsforecast_mstl": "bench.peers.StatsForecastMSTL",
    "mlforecast_lgbm": "bench.peers.MLForecastLightGBM",
}
ENSEMBLE = "retailiq_ensemble"
APP_MEMBERS = ("seasonal_naive", "moving_average", "intermittent", "lightgbm", "cnn_lstm")  # RETAILIQ_FORECAST_MEMBERS
ALL_MODELS = [*RETAILIQ, ENSEMBLE, *PEERS]
COLUMNS = ("rmsse", "mase", "wape", "smape", "coverage_80", "coverage_95", "fit_seconds")


def _factory(dotted: str, **kwargs) -> Callable[[], object]:
    def make() -> object:
        module, _, name = dotted.rpartition(".")
        return getattr(importlib.import_module(module), name)(**kwargs)

    return make


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--csv", required=True, help="long-format CSV, gzip ok")
    parser.add_argument("--id", required=True, help="series id column")
    parser.add_argument("--date", required=True, help="date column")
    parser.add_argument("--target", required=True, help="demand column")
    parser.add_argument("--freq", choices=("D", "W"), required=True)
    parser.add_argument("--horizon", type=int, required=True)
    parser.add_argument("--exog", default="", help="comma-separated driver columns (known in advance)")
    parser.add_argument(
        "--history",
        default="",
        help="comma-separated history-only driver columns (e.g. orders): LightGBM reads them at the origin only",
    )
    parser.add_argument("--top", type=int, default=0, help="keep the N series with the most demand (0: all)")
    parser.add_argument(
        "--top-by", default="", help="rank --top by this column instead of --target (the same series either way)"
    )
    parser.add_argument("--origins", type=int, default=3, help="scored rolling origins")
    parser.add_argument("--inner-origins", type=int, default=2, help="earlier origins only the ensemble learns from")
    parser.add_argument("--models", default=",".join(ALL_MODELS), help=f"comma-separated, from {','.join(ALL_MODELS)}")
    parser.add_argument("--rounds", type=int, default=300, help="LightGBM boosting rounds")
    parser.add_argument("--epochs", type=int, default=5, help="CNN-LSTM epochs (the app's default)")
    parser.add_argument(
        "--threads", type=int, default=1, help="LightGBM threads, ours and mlforecast's alike (1 on a shared machine)"
    )
    parser.add_argument(
        "--ets-history", type=int, default=0, help="periods AutoETS is given (0: all); each costs time per series"
    )
    parser.add_argument("--members", default=",".join(APP_MEMBERS), help="the ensemble's members (default: the app's)")
    parser.add_argument("--train-origins", type=int, default=3, help="origins the ensemble's weights are fitted on")
    parser.add_argument(
        "--no-refit", action="store_true", help="ensemble keeps members fitted at its last origin (one fit less)"
    )
    parser.add_argument("--method", default="convex", help="ensemble weights: convex, nnls or inverse")
    parser.add_argument(
        "--by-class", action="store_true", help="add RMSSE and WAPE per demand class and origin, and the weights"
    )
    parser.add_argument(
        "--censor-column",
        default="",
        help="column marking stockouts (periods above 0.5 are censored in training and left out of errors)",
    )
    parser.add_argument(
        "--demand-column", default="", help="score against this column (e.g. ordered units) instead of --target"
    )
    parser.add_argument("--json", action="store_true", help="print only the JSON summary")
    parser.add_argument(
        "--save-result", default="", help="pickle the backtest (every origin's forecasts) here for later analysis"
    )
    return parser.parse_args(argv)


def load_matrix(args: argparse.Namespace) -> tuple[DemandMatrix, np.ndarray | None]:
    """The sales matrix (with --censor-column's stockouts marked) and, with --demand-column, the actuals to score
    against, on the same series and periods (None without it). --top ranks series by the target (sales), or by
    --top-by's column."""
    path = Path(args.csv)
    if not path.exists():
        sys.exit(f"{path} does not exist: write it first (bench/online_retail_weekly.py or bench/demo_series.py).")
    exog = tuple(c for c in args.exog.split(",") if c)
    history = tuple(c for c in getattr(args, "history", "").split(",") if c)
    top_by = getattr(args, "top_by", "")
    extra = [
        c for c in (args.censor_column, args.demand_column, top_by, *history) if c and c not in (args.target, *exog)
    ]
    frame = pd.read_csv(path, usecols=[args.id, args.date, args.target, *exog, *extra])
    if args.top:
        top = frame.groupby(args.id)[top_by or args.target].sum().nlargest(args.top).index
        frame = frame[frame[args.id].isin(top)]
    matrix = matrix_from_long(
        frame,
        id_col=args.id,
        date_col=args.date,
        target_col=args.target,
        freq=args.freq,
        exogenous_cols=exog,
        history_cols=history,
    )

    def wide(column: str) -> np.ndarray:
        # Pivoted as the target was (same rows, same periods, missing periods zero).
        return matrix_from_long(frame, id_col=args.id, date_col=args.date, target_col=column, freq=args.freq).values

    if args.censor_column:
        matrix = replace(matrix, censored=wide(args.censor_column) > 0.5)
    return matrix, wide(args.demand_column) if args.demand_column else None


def scored_against(result: BacktestResult, actual: np.ndarray) -> BacktestResult:
    """The same forecasts and bounds, scored against other actuals (series x all periods) with nothing censored.
    Bounds at the last origin are taken first, so widths calibrated on the earlier origins still come from what
    the models learned from (the sales, stockouts left out)."""
    last = result.folds[-1]
    bounds = {name: result.last_bounds(name) for name in result.models}
    folds = [
        replace(
            fold,
            actual=actual[:, fold.cutoff : fold.cutoff + result.horizon],
            censored=np.zeros_like(fold.censored),
            intervals=fold.intervals
            if fold is not last
            else {**{n: b for n, b in bounds.items() if b is not None}, **fold.intervals},
        )
        for fold in result.folds
    ]
    return replace(result, folds=folds)


def evaluate(matrix: DemandMatrix, args: argparse.Namespace) -> BacktestResult:
    wanted = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = sorted(set(wanted) - set(ALL_MODELS))
    if unknown:
        sys.exit(f"Unknown model(s) {unknown}; choose from {', '.join(ALL_MODELS)}.")
    options = {
        "lightgbm": {
            "num_boost_round": args.rounds,
            "params": {"num_threads": args.threads},
            "history_drivers": tuple(matrix.history),
        },
        "cnn_lstm": {"epochs": args.epochs},
        "mlforecast_lgbm": {"n_jobs": args.threads},
        "statsforecast_autoets": {"n_jobs": args.threads, "max_history": args.ets_history or None},
        "statsforecast_mstl": {"n_jobs": args.threads},
    }
    paths = {**RETAILIQ, **PEERS}
    factories = {name: _factory(paths[name], **options.get(name, {})) for name in wanted if name != ENSEMBLE}
    nested = ENSEMBLE in wanted
    result = rolling_origin(
        matrix,
        factories,
        horizon=args.horizon,
        n_origins=args.origins,
        inner_origins=args.inner_origins if nested else 0,
        inner_models=set(args.members.split(",")),  # only the ensemble's members run before the scored origins
        stale_models=set(args.members.split(",")) if args.no_refit else None,
    )
    if nested:
        members = [m for m in args.members.split(",") if m in result.models]
        options = EnsembleOptions(method=args.method, refit=not args.no_refit)
        nested_ensemble(result, name=ENSEMBLE, members=members, train_origins=args.train_origins, options=options)
    return result


def summary(result: BacktestResult, *, by_class: bool = False, freq: str = "D") -> dict:
    scores = result.metrics(by_class=False)["models"]
    order = [m for m in ALL_MODELS if m in scores]
    report: dict = {"models": {m: {c: scores[m].get(c, float("nan")) for c in COLUMNS} for m in order}}
    if by_class:
        report.update(diagnosis(result, order, freq))
    return report


VOLUME_BANDS = (100, 1_000, 10_000)  # mean units per week: the edges of the volume bands


def volume_bands(result: BacktestResult, freq: str) -> dict[str, np.ndarray]:
    """Series grouped by mean units per week on the history before the first scored origin
    (only the bands that hold a series): big sellers and small ones side by side."""
    weekly = np.nanmean(result.scored_folds[0].history, axis=1) * (7 if freq == "D" else 1)
    edges = (0, *VOLUME_BANDS, np.inf)
    bands = {}
    for low, high in itertools.pairwise(edges):
        rows = (weekly >= low) & (weekly < high)
        name = f"{low:,}+/week" if high == np.inf else f"{low:,}-{high:,}/week"
        if rows.any():
            bands[name] = rows
    return bands


def diagnosis(result: BacktestResult, order: list[str], freq: str = "D") -> dict:
    """Where each model wins or loses: per demand class (accuracy and coverage), coverage per volume
    band, per scored origin (RMSSE, and the coverage of models with their own bands there), and the
    weights the ensemble gave each member per class at each origin."""
    by_class = result.metrics()
    classes = by_class["classes"]
    per_origin = {}
    for name in order:
        per_origin[name] = []
        for fold in result.scored_folds:
            actual = np.where(fold.censored, np.nan, fold.actual)
            errors = metrics.scaled_errors(actual, fold.forecasts[name], fold.scale_history(), result.season, power=2)
            per_origin[name].append(round(float(np.mean(errors)), 4) if errors.size else float("nan"))
    measures = ("rmsse", "wape", "coverage_80", "coverage_95")
    bands = volume_bands(result, freq)
    return {
        "classes": {
            group: {m: {k: scores[m].get(k, float("nan")) for k in measures} for m in order}
            for group, scores in classes.items()
        },
        "class_counts": by_class["class_counts"],
        "volume_counts": {band: int(rows.sum()) for band, rows in bands.items()},
        "volume_coverage": {band: {m: result.coverage(m, rows=rows) for m in order} for band, rows in bands.items()},
        "volume_accuracy": {
            band: {m: {k: result.model_metrics(m, rows=rows)[k] for k in ("rmsse", "wape")} for m in order}
            for band, rows in bands.items()
        },
        "rmsse_by_origin": per_origin,
        "coverage_by_origin": {
            m: [coverage_of(f, f.intervals[m]) for f in result.scored_folds]
            for m in order
            if all(m in f.intervals for f in result.scored_folds)
        },
        "weights": result.weights.get(ENSEMBLE, []),
    }


def diagnosis_lines(matrix: DemandMatrix, result: BacktestResult, report: dict) -> list[str]:
    counts = report["class_counts"]
    groups = list(report["classes"])
    lines = ["", "RMSSE / WAPE per demand class (series):"]
    lines.append(f"{'model':<22}" + "".join(f"{f'{g} ({counts[g]})':>22}" for g in groups))
    for name in report["rmsse_by_origin"]:
        cells = [report["classes"][g][name] for g in groups]
        lines.append(f"{name:<22}" + "".join(f"{c['rmsse']:>11.3f}{c['wape']:>11.3f}" for c in cells))
    lines.extend(["", "80% / 95% coverage on the last origin per demand class (series):"])
    lines.append(f"{'model':<22}" + "".join(f"{f'{g} ({counts[g]})':>22}" for g in groups))
    for name in report["rmsse_by_origin"]:
        cells = [report["classes"][g][name] for g in groups]
        lines.append(f"{name:<22}" + "".join(f"{c['coverage_80']:>11.3f}{c['coverage_95']:>11.3f}" for c in cells))
    bands, band_counts = list(report["volume_coverage"]), report["volume_counts"]
    lines.extend(["", "RMSSE / WAPE per volume band, mean units a week (series):"])
    lines.append(f"{'model':<22}" + "".join(f"{f'{b} ({band_counts[b]})':>26}" for b in bands))
    for name in report["rmsse_by_origin"]:
        cells = [report["volume_accuracy"][b][name] for b in bands]
        lines.append(f"{name:<22}" + "".join(f"{c['rmsse']:>13.3f}{c['wape']:>13.3f}" for c in cells))
    lines.extend(["", "80% / 95% coverage on the last origin per volume band, mean units a week (series):"])
    lines.append(f"{'model':<22}" + "".join(f"{f'{b} ({band_counts[b]})':>26}" for b in bands))
    for name in report["rmsse_by_origin"]:
        cells = [report["volume_coverage"][b][name] for b in bands]
        lines.append(
            f"{name:<22}"
            + "".join(f"{c.get('coverage_80', np.nan):>13.3f}{c.get('coverage_95', np.nan):>13.3f}" for c in cells)
        )
    cutoffs = [str(matrix.days[f.cutoff].date()) for f in result.scored_folds]
    lines.extend(["", "RMSSE per scored origin:", f"{'model':<22}" + "".join(f"{c:>12}" for c in cutoffs)])
    for name, values in report["rmsse_by_origin"].items():
        lines.append(f"{name:<22}" + "".join(f"{v:>12.3f}" for v in values))
    if report["coverage_by_origin"]:
        lines.extend(["", "80% / 95% coverage per scored origin (models with their own bands at each):"])
        for name, values in report["coverage_by_origin"].items():
            cells = "".join(f"{c['coverage_80']:>9.3f} /{c['coverage_95']:>6.3f}" for c in values)
            lines.append(f"{name:<22}" + cells)
    if report["weights"]:
        lines.extend(["", "Ensemble weights per origin and class (members without weight left out):"])
        for cutoff, weights in zip(cutoffs, report["weights"], strict=True):
            for group, shares in weights.items():
                kept = ", ".join(f"{m} {w:.2f}" for m, w in shares.items() if w > 0)
                lines.append(f"{cutoff} {group:<14} {kept}")
    return lines


def table(
    matrix: DemandMatrix, result: BacktestResult, seconds: float, args: argparse.Namespace, *, against: str = ""
) -> str:
    rows = summary(result)["models"]
    cutoffs = ", ".join(str(matrix.days[f.cutoff].date()) for f in result.scored_folds)
    classes = ", ".join(f"{c} {n}" for c, n in result.metrics()["class_counts"].items())
    lines = [
        f"{matrix.n_series} series x {matrix.n_periods} periods ({matrix.freq}), horizon {result.horizon}, "
        f"origins {cutoffs}; classes: {classes}",
        f"LightGBM threads {args.threads}, rounds {args.rounds}; CNN-LSTM epochs {args.epochs}; ensemble of "
        f"{args.members}, {args.method} weights on {args.train_origins} origins, "
        f"{'no refit' if args.no_refit else 'refit'}; AutoETS history {args.ets_history or 'all'} periods",
        f"learned from {args.target}"
        + (f", {args.censor_column} > 0.5 censored" if args.censor_column else "")
        + f"; scored against {against or args.target}"
        + (", censored periods left out" if args.censor_column and (against or args.target) == args.target else ""),
        f"{'model':<22}" + "".join(f"{c:>12}" for c in COLUMNS),
    ]
    for name, values in rows.items():
        lines.append(f"{name:<22}" + "".join(f"{values[c]:>12.4f}" for c in COLUMNS))
    lines.extend(goals(rows))
    if args.by_class:
        lines.extend(diagnosis_lines(matrix, result, diagnosis(result, list(rows), matrix.freq)))
    # The peers' settings at the first scored origin (each origin chooses from its own history).
    first_cutoff = result.scored_folds[0].cutoff
    for peer, setting in peers.settings(matrix.freq, first_cutoff).items():
        if peer in rows or peer in result.errors:
            lines.append(f"{peer}: {setting}")
    for name, error in result.errors.items():
        lines.append(f"{name}: left out, {error}")
    lines.append(f"wall time {seconds:.1f} s")
    return "\n".join(lines)


GOAL_VS_SEASONAL_NAIVE = 0.8  # the ensemble's RMSSE at most this share of seasonal naive's
GOAL_COVERAGE_POINTS = 0.03  # interval coverage within this of nominal


def goals(rows: dict) -> list[str]:
    """The accuracy goals, each met or not, in words."""
    if ENSEMBLE not in rows:
        return []
    ours = rows[ENSEMBLE]
    lines = []
    if "seasonal_naive" in rows:
        ratio = ours["rmsse"] / rows["seasonal_naive"]["rmsse"]
        met = "met" if ratio <= GOAL_VS_SEASONAL_NAIVE else "NOT met"
        lines.append(f"goal RMSSE <= {GOAL_VS_SEASONAL_NAIVE}x seasonal_naive: {ratio:.3f}x, {met}")
    for peer in PEERS:
        if peer in rows:
            better = ours["rmsse"] < rows[peer]["rmsse"] and ours["wape"] < rows[peer]["wape"]
            lines.append(
                f"goal below {peer} on RMSSE and WAPE: {ours['rmsse']:.4f} vs {rows[peer]['rmsse']:.4f}, "
                f"{ours['wape']:.4f} vs {rows[peer]['wape']:.4f}, {'met' if better else 'NOT met'}"
            )
    for level in (80, 95):
        cover = ours[f"coverage_{level}"]
        met = abs(cover - level / 100) <= GOAL_COVERAGE_POINTS + 1e-9
        lines.append(f"goal {level}% coverage within 3 points: {cover:.3f}, {'met' if met else 'NOT met'}")
    return lines


def main(argv: list[str] | None = None) -> None:
    args = _arguments(argv)
    logging.basicConfig(level=logging.WARNING if args.json else logging.INFO, stream=sys.stderr, format="%(message)s")
    started = time.perf_counter()
    matrix, demand = load_matrix(args)
    log.info("%s series x %s periods loaded", matrix.n_series, matrix.n_periods)
    result = evaluate(matrix, args)
    if args.save_result:
        with open(args.save_result, "wb") as out:
            pickle.dump({"matrix": matrix, "result": replace(result, last_models={}), "demand": demand}, out)
    # With --demand-column the same forecasts are scored both ways: against the target as before, then demand.
    scored = result if demand is None else scored_against(result, demand)
    if args.json:
        for name, error in result.errors.items():
            print(f"{name}: left out, {error}", file=sys.stderr)
        report = summary(scored, by_class=args.by_class, freq=matrix.freq)
        if demand is not None:
            report["against_target"] = summary(result, by_class=args.by_class, freq=matrix.freq)
        print(json.dumps(_finite(report)))
    else:
        seconds = time.perf_counter() - started
        if demand is not None:
            print(table(matrix, result, seconds, args, against=args.target) + "\n")
        print(table(matrix, scored, seconds, args, against=args.demand_column or args.target))


def _finite(value):
    """Strict JSON: a measure that cannot be computed (NaN) is null."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    return None if isinstance(value, float) and not np.isfinite(value) else value


if __name__ == "__main__":
    main()

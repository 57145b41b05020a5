"""How much better a forecast could get on a panel, measured before anything is tuned: every
model's RMSSE on the inner (earlier) origins, which are the ones to choose a change on, and on
the scored ones, beside what hindsight allows.

    .venv/bin/python bench/forecast_headroom.py --csv FILE --id COL --date COL --target COL \\
        --freq D|W --horizon H [--exog COLS] [--history COLS] [--top N] [--origins K] [--inner-origins M] \\
        [--models LIST] [--seeds LIST] [--rounds R] [--threads T] [--json]

The bounds, each computed on the same folds as the models (forecast_eval.py's origins and scale):
- oracle mean: each series' true mean over the horizon, forecast flat. No forecast of a level
  does better on average; what is left is the swing inside the horizon (a single bulk order).
- best member: per series and origin, whichever model had the smallest error there (hindsight).
- best multiplier: the reference model's forecasts times the one factor per origin that scores
  best there (hindsight): how much a level correction for the whole panel could give.
Also per origin: the share of the reference model's mean RMSSE carried by its five worst series,
and the share of its squared error that is under-forecast. --seeds refits LightGBM with each
seed: the spread is the noise floor under which a change cannot be told from chance. With a
first December in the history, series are split in three by their December level against their
level in the 20 periods after it ("christmas lift"), the reference model's RMSSE and its
actual-to-forecast ratio per group and origin beside it: what a product's Christmas profile
says about where the error is.
"""

import argparse
import json
import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from bench.forecast_eval import RETAILIQ, _factory, _finite, load_matrix  # noqa: E402
from forecasting.ml import metrics  # noqa: E402
from forecasting.ml.backtest import BacktestResult, Fold, rolling_origin  # noqa: E402
from forecasting.ml.matrix import DemandMatrix  # noqa: E402

DEFAULT_MODELS = "naive,seasonal_naive,moving_average,intermittent,lightgbm"
MULTIPLIERS = np.round(np.arange(0.5, 2.0001, 0.05), 2)
WORST_SERIES = 5
LIFT_GROUPS = ("low", "middle", "high")
LIFT_BASE_PERIODS = 20


def series_terms(fold: Fold, forecast: np.ndarray, season: int) -> np.ndarray:
    """Per series, its RMSSE term at this origin (NaN where the scale is zero or unknown)."""
    actual = np.where(fold.censored, np.nan, fold.actual)
    scale = metrics.naive_scale(fold.scale_history(), season, power=2)
    errors = metrics.row_nanmean((actual - forecast) ** 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(scale > 0, np.sqrt(errors / scale), np.nan)


def mean_rmsse(result: BacktestResult, forecasts: list[np.ndarray], folds: list[int]) -> float:
    """RMSSE over the chosen folds, as BacktestResult.model_metrics pools it (every series and origin alike)."""
    terms = np.concatenate([series_terms(result.folds[k], forecasts[k], result.season) for k in folds])
    return float(np.nanmean(terms)) if np.isfinite(terms).any() else float("nan")


def oracle_mean(fold: Fold) -> np.ndarray:
    actual = np.where(fold.censored, np.nan, fold.actual)
    with np.errstate(invalid="ignore"):
        level = np.nan_to_num(np.nanmean(actual, axis=1, keepdims=True))
    return np.repeat(level, actual.shape[1], axis=1)


def best_member(fold: Fold, names: list[str]) -> np.ndarray:
    actual = np.where(fold.censored, np.nan, fold.actual)
    stacked = np.stack([fold.forecasts[n] for n in names])
    errors = np.stack([np.nan_to_num(metrics.row_nanmean((actual - f) ** 2), nan=0.0) for f in stacked])
    pick = np.argmin(errors, axis=0)
    return stacked[pick, np.arange(stacked.shape[1])]


def best_multiplier(result: BacktestResult, k: int, name: str) -> tuple[float, float]:
    fold = result.folds[k]
    scores = [np.nanmean(series_terms(fold, fold.forecasts[name] * m, result.season)) for m in MULTIPLIERS]
    best = int(np.nanargmin(scores))
    return float(MULTIPLIERS[best]), float(scores[best])


def christmas_lift(matrix: DemandMatrix) -> np.ndarray | None:
    """Per series, log of its mean over the first December periods of the history (up to the 24th)
    against its mean over the LIFT_BASE_PERIODS periods after Christmas; None when the history does
    not start in a December that is followed by enough periods."""
    days = matrix.days
    first_december = (days.month == 12) & (days.day <= 24) & (days.year == days[0].year)
    if days[0].month != 12 or first_december.sum() < 2:
        return None
    start = int(np.flatnonzero(first_december)[-1]) + 2  # the week (or day) after Christmas is left out
    if matrix.n_periods < start + LIFT_BASE_PERIODS:
        return None
    values = matrix.values.astype(float)
    december = values[:, first_december].mean(axis=1)
    base = values[:, start : start + LIFT_BASE_PERIODS].mean(axis=1)
    return np.log((december + 0.5) / (base + 0.5))


def headroom(result: BacktestResult, matrix: DemandMatrix, *, reference: str = "lightgbm") -> dict:
    names = result.models
    reference = reference if reference in names else names[-1]
    inner = list(range(result.first_scored))
    scored = list(range(result.first_scored, len(result.folds)))
    cutoffs = [str(matrix.days[f.cutoff].date()) for f in result.folds]
    report: dict = {"cutoffs": cutoffs, "inner": [cutoffs[k] for k in inner], "reference": reference, "models": {}}
    every = {n: [f.forecasts[n] for f in result.folds] for n in names}
    every["oracle_mean"] = [oracle_mean(f) for f in result.folds]
    every["best_member"] = [best_member(f, names) for f in result.folds]
    for name, forecasts in every.items():
        report["models"][name] = {
            "inner": mean_rmsse(result, forecasts, inner) if inner else float("nan"),
            "scored": mean_rmsse(result, forecasts, scored),
            "per_origin": [mean_rmsse(result, forecasts, [k]) for k in range(len(result.folds))],
        }
    per_origin = []
    for k, fold in enumerate(result.folds):
        terms = series_terms(fold, fold.forecasts[reference], result.season)
        kept = np.sort(terms[np.isfinite(terms)])[::-1]
        error = (fold.actual - fold.forecasts[reference]) ** 2
        multiplier, score = best_multiplier(result, k, reference)
        per_origin.append(
            {
                "worst_share": float(kept[:WORST_SERIES].sum() / kept.sum()) if kept.sum() > 0 else float("nan"),
                "under_share": float(error[fold.actual > fold.forecasts[reference]].sum() / max(error.sum(), 1e-12)),
                "best_multiplier": multiplier,
                "best_multiplier_rmsse": score,
            }
        )
    report["origins"] = per_origin
    lift = christmas_lift(matrix)
    if lift is not None:
        groups = np.digitize(lift, np.quantile(lift, [1 / 3, 2 / 3]))
        report["christmas_lift"] = {}
        for g, label in enumerate(LIFT_GROUPS):
            rows = groups == g
            cells = []
            for fold in result.folds:
                terms = series_terms(fold, fold.forecasts[reference], result.season)[rows]
                forecast = fold.forecasts[reference][rows].sum()
                cells.append(
                    {
                        "rmsse": float(np.nanmean(terms)),
                        "actual_over_forecast": float(fold.actual[rows].sum() / forecast) if forecast > 0 else None,
                    }
                )
            report["christmas_lift"][label] = {"series": int(rows.sum()), "origins": cells}
    return report


def lines(report: dict) -> list[str]:
    cutoffs = report["cutoffs"]
    out = [
        f"inner origins {', '.join(report['inner'])}; scored {', '.join(c for c in cutoffs if c not in report['inner'])}"
    ]
    out.append(f"{'RMSSE':<22}{'inner':>9}{'scored':>9}" + "".join(f"{c:>12}" for c in cutoffs))
    for name, row in report["models"].items():
        out.append(
            f"{name:<22}{row['inner']:>9.4f}{row['scored']:>9.4f}" + "".join(f"{v:>12.3f}" for v in row["per_origin"])
        )
    ref = report["reference"]
    out.append(f"{ref}, per origin:")
    for label, key, fmt in (
        (f"worst {WORST_SERIES} series' share", "worst_share", "{:>12.2f}"),
        ("under-forecast share", "under_share", "{:>12.2f}"),
        ("best multiplier", "best_multiplier", "{:>12.2f}"),
        ("RMSSE at it", "best_multiplier_rmsse", "{:>12.3f}"),
    ):
        out.append(f"{'  ' + label:<40}" + "".join(fmt.format(o[key]) for o in report["origins"]))
    for label, group in report.get("christmas_lift", {}).items():
        cells = "".join(
            f"{c['rmsse']:>7.2f}/{c['actual_over_forecast'] or float('nan'):<4.2f}" for c in group["origins"]
        )
        out.append(f"  christmas lift {label} ({group['series']}), RMSSE/actual over forecast:{cells}")
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    for flag in ("--csv", "--id", "--date", "--target"):
        parser.add_argument(flag, required=True)
    parser.add_argument("--freq", choices=("D", "W"), required=True)
    parser.add_argument("--horizon", type=int, required=True)
    parser.add_argument("--exog", default="")
    parser.add_argument("--history", default="", help="history-only driver columns LightGBM reads (e.g. orders)")
    parser.add_argument("--top", type=int, default=0)
    parser.add_argument("--origins", type=int, default=3, help="scored origins (forecast_eval's)")
    parser.add_argument("--inner-origins", type=int, default=4, help="earlier origins, the ones to choose on")
    parser.add_argument("--models", default=DEFAULT_MODELS)
    parser.add_argument("--seeds", default="", help="extra LightGBM seeds, e.g. 1,2,3 (rows lightgbm_seedN)")
    parser.add_argument("--rounds", type=int, default=300)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    args.censor_column = args.demand_column = ""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(message)s")
    matrix, _ = load_matrix(args)
    drivers = {"history_drivers": tuple(matrix.history)}
    lightgbm = {"num_boost_round": args.rounds, "params": {"num_threads": args.threads}, **drivers}
    factories = {
        name: _factory(RETAILIQ[name], **(lightgbm if name == "lightgbm" else {}))
        for name in args.models.split(",")
        if name
    }
    for seed in (int(s) for s in args.seeds.split(",") if s):
        options = {"num_boost_round": args.rounds, "params": {"num_threads": args.threads, "seed": seed}, **drivers}
        factories[f"lightgbm_seed{seed}"] = _factory(RETAILIQ["lightgbm"], **options)
    result = rolling_origin(
        matrix, factories, horizon=args.horizon, n_origins=args.origins, inner_origins=args.inner_origins
    )
    for name, error in result.errors.items():
        print(f"{name}: left out, {error}", file=sys.stderr)
    report = headroom(result, matrix)
    print(json.dumps(_finite(report)) if args.json else "\n".join(lines(report)))


if __name__ == "__main__":
    main()

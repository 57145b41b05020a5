"""The global LightGBM model packaged like the baselines: backtested on rolling origins
with the same metrics, intervals calibrated on its own backtest errors, and a predict
that takes a history matrix and the series ids it belongs to."""

import json
from dataclasses import dataclass, field

import numpy as np

from . import metrics
from .baselines import SEASON
from .features import MAX_LOOKBACK
from .intervals import error_quantiles, interval_from_bounds, recent_level
from .lgbm import GlobalLightGBM
from .matrix import DemandMatrix

MIN_DAYS = MAX_LOOKBACK + 56


def _codes(series_ids: np.ndarray, known: list) -> np.ndarray:
    """Stable integer codes; a series the model never saw gets its own unseen code."""
    index = {sid: i for i, sid in enumerate(known)}
    return np.array([index.get(sid, len(known)) for sid in series_ids.tolist()])


def evaluate(
    matrix: DemandMatrix, *, horizon: int, n_cutoffs: int = 2, rounds: int = 200
) -> tuple[dict[str, float], dict[str, list[float]]]:
    """Refit at each origin, forecast the next horizon, pool the errors. Returns the
    metrics and the interval bounds calibrated on all origins."""
    n_days = matrix.values.shape[1]
    cutoffs = [n_days - horizon * k for k in range(n_cutoffs, 0, -1) if n_days - horizon * k >= MIN_DAYS]
    if not cutoffs:
        raise ValueError(f"The global model needs at least {MIN_DAYS + horizon} days of history.")
    folds = []
    for cutoff in cutoffs:
        history = matrix.values[:, :cutoff]
        model = GlobalLightGBM(num_boost_round=rounds).fit(matrix.head(cutoff))
        forecast = model.predict(matrix.head(cutoff), horizon)
        folds.append((matrix.values[:, cutoff : cutoff + horizon], forecast, recent_level(history), history))
    actual = np.concatenate([f[0] for f in folds])
    forecast = np.concatenate([f[1] for f in folds])
    relative = np.concatenate([((a - f) / lv[:, None]).ravel() for a, f, lv, _ in folds])
    result = {
        "mae": metrics.mae(actual, forecast),
        "rmse": metrics.rmse(actual, forecast),
        "wape": metrics.wape(actual, forecast),
        "smape": metrics.smape(actual, forecast),
        "mase": metrics.mean_ignoring_nan([metrics.mase(a, f, h, SEASON) for a, f, _, h in folds]),
        "backtest_origins": float(len(folds)),
    }
    if len(folds) >= 2:
        earlier = np.concatenate([((a - f) / lv[:, None]).ravel() for a, f, lv, _ in folds[:-1]])
        bounds = error_quantiles(earlier)
        last_actual, last_forecast, last_level, _ = folds[-1]
        for level in ("80", "95"):
            lower, upper = interval_from_bounds(last_forecast, last_level, bounds[level])
            result[f"coverage_{level}"] = metrics.coverage(last_actual, lower, upper)
    return {k: round(v, 4) for k, v in result.items()}, error_quantiles(relative)


@dataclass
class LightGBMForecaster:
    model: GlobalLightGBM
    series_ids: list = field(default_factory=list)
    horizon: int = 14
    interval_bounds: dict[str, list[float]] = field(default_factory=dict)
    method: str = "lightgbm_global"

    @classmethod
    def fit(cls, matrix: DemandMatrix, *, horizon: int, rounds: int = 200) -> tuple["LightGBMForecaster", dict]:
        scores, bounds = evaluate(matrix, horizon=horizon, rounds=rounds)
        known = matrix.series_ids.tolist()
        model = GlobalLightGBM(num_boost_round=rounds).fit(matrix)
        return cls(model=model, series_ids=known, horizon=horizon, interval_bounds=bounds), scores

    @property
    def history_needed(self) -> int:
        return MAX_LOOKBACK + 28

    def predict(self, history: np.ndarray, horizon: int | None = None, *, series_ids=None, days=None) -> dict:
        horizon = horizon or self.horizon
        matrix = DemandMatrix(series_ids=np.asarray(series_ids), days=days, values=history)
        forecast = self.model.predict(matrix, horizon)
        result = {"forecast": forecast}
        for level, bounds in self.interval_bounds.items():
            result[f"lower_{level}"], result[f"upper_{level}"] = interval_from_bounds(
                forecast, recent_level(history), bounds
            )
        return result

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "kind": "lightgbm_global",
                "series_ids": [int(s) for s in self.series_ids],
                "horizon": self.horizon,
                "interval_bounds": self.interval_bounds,
                "model": json.loads(self.model.to_bytes()),
            }
        ).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> "LightGBMForecaster":
        data = json.loads(raw)
        return cls(
            model=GlobalLightGBM.from_bytes(json.dumps(data["model"]).encode()),
            series_ids=data["series_ids"],
            horizon=data["horizon"],
            interval_bounds=data["interval_bounds"],
        )

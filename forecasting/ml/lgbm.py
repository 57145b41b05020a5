"""A global LightGBM model across every series: lags, rolling means, momentum,
calendar, price, promotion, events and series/product encodings, a Tweedie objective
for count demand, recursive multi-step forecasts for any horizon, and explanations
from LightGBM's own per-feature contributions. Plain NumPy/pandas, no Django."""

import json
from dataclasses import dataclass, field

import lightgbm as lgb
import numpy as np
import pandas as pd

from .features import MAX_LOOKBACK, driver_of, feature_table

DEFAULT_PARAMS = {
    "objective": "tweedie",
    "tweedie_variance_power": 1.2,
    "learning_rate": 0.05,
    "num_leaves": 31,
    "min_data_in_leaf": 20,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "verbose": -1,
    "num_threads": 2,
    "seed": 7,
    "deterministic": True,
}
CATEGORICAL = ("series", "dow")


@dataclass
class GlobalLightGBM:
    num_boost_round: int = 300
    params: dict = field(default_factory=lambda: dict(DEFAULT_PARAMS))
    booster: lgb.Booster | None = None
    feature_names: list[str] = field(default_factory=list)

    def fit(
        self,
        values: np.ndarray,
        days: pd.DatetimeIndex,
        *,
        series_codes: np.ndarray,
        exogenous: dict[str, np.ndarray] | None = None,
        static: dict[str, np.ndarray] | None = None,
        censored: np.ndarray | None = None,
    ) -> "GlobalLightGBM":
        """values: series x day demand. Days flagged censored (stockouts) are left out of
        the training rows: a zero there is lost sales, not zero demand."""
        if values.shape[1] <= MAX_LOOKBACK + 7:
            raise ValueError(f"The global model needs more than {MAX_LOOKBACK + 7} days of history.")
        rows = slice(MAX_LOOKBACK, None)
        table = feature_table(
            values, days, series_codes=series_codes, exogenous=exogenous, static=static, day_slice=rows
        )
        target = values[:, rows].ravel()
        keep = ~np.isnan(target)
        if censored is not None:
            keep &= ~censored[:, rows].ravel()
        self.feature_names = list(table.columns)
        dataset = lgb.Dataset(
            table[keep],
            label=target[keep],
            categorical_feature=[c for c in CATEGORICAL if c in table],
            free_raw_data=True,
        )
        self.booster = lgb.train(self.params, dataset, num_boost_round=self.num_boost_round)
        return self

    def forecast(
        self,
        values: np.ndarray,
        days: pd.DatetimeIndex,
        horizon: int,
        *,
        series_codes: np.ndarray,
        exogenous: dict[str, np.ndarray] | None = None,
        static: dict[str, np.ndarray] | None = None,
        explain: bool = False,
    ) -> dict[str, np.ndarray]:
        """Recursive: each day's forecast becomes history for the next. exogenous arrays
        must cover history plus horizon (planned prices, promotions, events)."""
        future_days = pd.date_range(days[-1] + pd.Timedelta(days=1), periods=horizon, freq="D")
        all_days = days.append(future_days)
        extended = np.concatenate([values, np.zeros((values.shape[0], horizon))], axis=1)
        contributions = []
        for step in range(horizon):
            column = values.shape[1] + step
            # Only the lookback window matters for the next day's features.
            start = max(0, column - MAX_LOOKBACK - 28)
            window = slice(start, column + 1)
            table = feature_table(
                extended[:, window],
                all_days[window],
                series_codes=series_codes,
                exogenous={k: v[:, window] for k, v in (exogenous or {}).items()},
                static=static,
                day_slice=slice(-1, None),
            )[self.feature_names]
            extended[:, column] = np.maximum(self.booster.predict(table), 0.0)
            if explain:
                contributions.append(self.booster.predict(table, pred_contrib=True))
        result = {"forecast": extended[:, values.shape[1] :], "days": future_days}
        if explain:
            result["contributions"] = np.stack(contributions, axis=1)  # series x horizon x (features + bias)
        return result

    def explain(self, contributions: np.ndarray, top: int = 3) -> list[list[dict]]:
        """Per series, the main drivers of its forecast over the horizon in plain words.
        Tweedie works on the log scale, so a summed contribution c is a factor exp(c)."""
        names = self.feature_names
        drivers = sorted({driver_of(n) for n in names})
        mean_contrib = contributions[:, :, :-1].mean(axis=1)  # series x features
        per_driver = np.stack(
            [mean_contrib[:, [i for i, n in enumerate(names) if driver_of(n) == d]].sum(axis=1) for d in drivers],
            axis=1,
        )
        explanations = []
        for row in per_driver:
            order = np.argsort(-np.abs(row))[:top]
            explanations.append(
                [
                    {
                        "driver": drivers[i],
                        "effect": round(float(np.expm1(row[i])), 4),
                        "text": f"{drivers[i]} {np.expm1(row[i]):+.0%}",
                    }
                    for i in order
                ]
            )
        return explanations

    def to_bytes(self) -> bytes:
        """LightGBM's own text format, with the feature list beside it."""
        return json.dumps(
            {
                "kind": "lightgbm_global",
                "num_boost_round": self.num_boost_round,
                "params": self.params,
                "feature_names": self.feature_names,
                "model": self.booster.model_to_string(),
            }
        ).encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> "GlobalLightGBM":
        data = json.loads(raw)
        return cls(
            num_boost_round=data["num_boost_round"],
            params=data["params"],
            feature_names=data["feature_names"],
            booster=lgb.Booster(model_str=data["model"]),
        )

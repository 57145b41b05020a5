"""A global LightGBM model across every series: lags, rolling means, momentum,
calendar, price, promotion, events and series/product encodings, a Tweedie objective
for count demand, recursive multi-step forecasts for any horizon, and explanations
from LightGBM's own per-feature contributions. Plain NumPy/pandas, no Django."""

import json
from functools import lru_cache
from typing import Any

import lightgbm as lgb
import numpy as np

from .base import non_negative
from .features import (
    HISTORY_AGE,
    HISTORY_LAGS,
    HISTORY_WINDOWS,
    SPECS,
    FeatureSpec,
    calendar_features,
    driver_of,
    feature_table,
    history_driver_features,
    period_features,
    spec_for,
)
from .matrix import DemandMatrix

DEFAULT_PARAMS = {
    "objective": "tweedie",
    # Tweedie's variance power is estimated from each training history (taylor_power); this is
    # the fallback where too few series allow an estimate.
    "tweedie_variance_power": 1.2,
    "learning_rate": 0.05,
    "num_leaves": 31,
    "min_data_in_leaf": 20,
    "feature_fraction": 0.8,
    "bagging_fraction": 0.8,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    "verbose": -1,
    # One thread: OpenMP threads spin while they wait, so two of them beside any other busy
    # process (a second worker, the database) ran 5x slower than one here. Parallelism
    # comes from worker processes instead.
    "num_threads": 1,
    "seed": 7,
    "deterministic": True,
    # Speed at the same accuracy (daily demo, 100 series, three origins: WAPE 0.310 either
    # way, fit 2.0 -> 1.8 s CPU): 63 histogram bins instead of 255; the column-wise
    # histogram layout chosen up front instead of timed on every fit; no pre-filtering pass
    # over the features when the dataset is built.
    "max_bin": 63,
    "force_col_wise": True,
    "feature_pre_filter": False,
}
CATEGORICAL = ("series", "dow")
PREDICT_THREADS = 1
EXPLAIN_STEPS = {"D": 7, "W": 2}
# Training on the most recent stretch keeps a large marketplace's fit in seconds. A year of
# daily rows covers every season once (last year's demand reaches further back as a
# feature): on the daily demo's 1,200 products it cut a fit from 19.4 to 12.9 s CPU at the
# same WAPE, where the histogram work grows with the rows and fewer bins did not help.
DEFAULT_MAX_TRAIN_PERIODS = {"D": 364, "W": 156}
# Taylor's law (variance = a * mean ** p across series) gives Tweedie's variance power p.
# Bounds: below 1.1 Tweedie is Poisson with a mass at zero it cannot fit; above 1.7 the
# zero mass of intermittent series vanishes from the model (the power tends to gamma's 2).
VARIANCE_POWER_BOUNDS = (1.1, 1.7)
VARIANCE_POWER_MIN_SERIES = 20  # fewer series with sales and spread give no usable slope
VARIANCE_POWER_PERIODS = {"D": 364, "W": 52}  # the last year: each season once
# History-only drivers are known up to the forecast's origin, so the step k periods ahead
# reads them k periods old. Training rows get an age drawn from 0 to this minus one (the
# usual horizon), their driver features read that much earlier, and the age is a feature.
HISTORY_MAX_AGE = {"D": 14, "W": 4}


def taylor_power(
    values: np.ndarray, *, default: float = DEFAULT_PARAMS["tweedie_variance_power"], step: float = 0.05
) -> float:
    """Tweedie's variance power for a panel (series x periods, NaN where unknown): the slope
    of log variance on log mean across series (Taylor's power law), clipped to
    VARIANCE_POWER_BOUNDS and rounded to `step` so that a few new periods do not change
    the model. Tweedie's variance grows as the mean to this power, and a series' pull on
    the fit as its mean to 2 - p: with a fixed 1.2 a panel of bulk orders, whose variance
    grows faster with the level (Online Retail's weekly 500: 1.40-1.50), was fitted mostly
    to its biggest sellers' swings, while each series counts the same in the error that
    judges it. Steadier panels keep a power near the old one (the weekly demo 1.30, the
    daily demo 1.35)."""
    values = np.asarray(values, dtype=float)
    counts = np.isfinite(values).sum(axis=1)
    usable = counts >= 4
    if usable.sum() < VARIANCE_POWER_MIN_SERIES:
        return default
    with np.errstate(invalid="ignore"):
        mean = np.nanmean(values[usable], axis=1)
        variance = np.nanvar(values[usable], axis=1)
    keep = (mean > 0) & (variance > 0)
    if keep.sum() < VARIANCE_POWER_MIN_SERIES or np.ptp(np.log(mean[keep])) < 1e-6:
        return default
    slope = float(np.polyfit(np.log(mean[keep]), np.log(variance[keep]), 1)[0])
    low, high = VARIANCE_POWER_BOUNDS
    return round(float(np.clip(round(slope / step) * step, low, high)), 4)


def _offset(level: np.ndarray) -> np.ndarray:
    """Each row's starting score on Tweedie's log scale: its series' recent mean. The trees
    then learn ratios to a series' own level, so a product selling tens of thousands a week
    and one selling a few share one model; boosting from the panel's average instead left a
    few big sellers among many small ones far below their level until hundreds of rounds in
    (800 against a steady 1,000 a day after 40 rounds)."""
    return np.log(np.nan_to_num(level, nan=0.0) + 0.1)


def _codes(series_ids: np.ndarray, known: list) -> np.ndarray:
    """Stable integer codes; a series the model never saw gets its own unseen code."""
    index = {sid: i for i, sid in enumerate(known)}
    return np.array([index.get(sid, len(known)) for sid in series_ids.tolist()], dtype=int)


class GlobalLightGBM:
    name = "lightgbm"
    fit_cost = 2  # the costliest fit of the ensemble on a large catalog (forecasting.ml.workers orders by it)

    def __init__(
        self,
        num_boost_round: int = 300,
        params: dict | None = None,
        max_train_periods: int | None = None,
        level_offset: bool = True,
        history_drivers: tuple[str, ...] = (),
        history_max_age: int | None = None,
    ) -> None:
        self.num_boost_round = num_boost_round
        self.params = params
        self.max_train_periods = max_train_periods
        self.level_offset = level_offset
        # Names in DemandMatrix.history to learn from (orders per period): read at the origin only.
        self.history_drivers = tuple(history_drivers)
        self.history_max_age = history_max_age

    def min_periods(self, freq: str) -> int:
        return SPECS[freq].max_lookback + (14 if freq == "D" else 4)

    def fit(self, matrix: DemandMatrix) -> "GlobalLightGBM":
        """Days flagged censored (stockouts) are left out of the training rows: a zero
        there is lost sales, not zero demand. Lags and windows follow the history's length
        (features.spec_for): last year's demand, the year's Fourier terms and the holiday
        calendar join once a year and a half of history allows them."""
        spec = spec_for(matrix.freq, matrix.n_periods)
        if matrix.n_periods < self.min_periods(matrix.freq):
            raise ValueError(
                f"The global model needs at least {self.min_periods(matrix.freq)} periods of history, "
                f"got {matrix.n_periods}."
            )
        limit = self.max_train_periods or DEFAULT_MAX_TRAIN_PERIODS[matrix.freq]
        first = max(0, matrix.n_periods - limit - spec.max_lookback)
        values = matrix.values[:, first:]
        self.freq_ = matrix.freq
        self.spec_ = spec
        self.series_ids_ = matrix.series_ids.tolist()
        self.exogenous_names_ = sorted(matrix.exogenous)
        self.static_names_ = sorted(matrix.static)
        # Rows start once the base lags exist: a yearly lag is missing (NaN, which LightGBM
        # routes as such) in the first year rather than costing that year's rows.
        rows = slice(max(SPECS[matrix.freq].max_lookback, values.shape[1] - limit), None)
        table = feature_table(
            values,
            matrix.days[first:],
            series_codes=_codes(matrix.series_ids, self.series_ids_),
            exogenous={k: matrix.exogenous_until(k, matrix.n_periods)[:, first:] for k in self.exogenous_names_},
            static=matrix.static,
            day_slice=rows,
            freq=matrix.freq,
            spec=spec,
        )
        self.history_names_ = [n for n in self.history_drivers if n in matrix.history]
        self.history_max_age_ = self.history_max_age or HISTORY_MAX_AGE[matrix.freq]
        if self.history_names_:
            seed = int({**DEFAULT_PARAMS, **(self.params or {})}["seed"])
            for name, array in self._aged_history(matrix, first, rows, seed).items():
                table[name] = array
        target = values[:, rows].ravel()
        keep = ~np.isnan(target)
        if matrix.censored is not None:
            keep &= ~matrix.censored[:, first:][:, rows].ravel()
        self.feature_names_ = list(table.columns)
        self.level_feature_ = f"mean_{spec.windows[1]}" if self.level_offset else None
        dataset = lgb.Dataset(
            table[keep],
            label=target[keep],
            init_score=None if self.level_feature_ is None else _offset(table[self.level_feature_].to_numpy()[keep]),
            categorical_feature=[c for c in CATEGORICAL if c in table],
            free_raw_data=True,
        )
        params = {**DEFAULT_PARAMS, **(self.params or {})}
        if "tweedie_variance_power" not in (self.params or {}):
            recent = matrix.values[:, -VARIANCE_POWER_PERIODS[matrix.freq] :].astype(float)
            if matrix.censored is not None:  # a stockout's zero is lost sales, not low demand
                recent[matrix.censored[:, -recent.shape[1] :]] = np.nan
            # Before its first sale a product was not on sale: those zeros are not its demand.
            recent[np.cumsum(np.nan_to_num(recent) > 0, axis=1) == 0] = np.nan
            params["tweedie_variance_power"] = taylor_power(recent)
        self.variance_power_ = params["tweedie_variance_power"]
        self.booster_ = lgb.train(params, dataset, num_boost_round=self.num_boost_round)
        return self

    def _aged_history(self, matrix: DemandMatrix, first: int, rows: slice, seed: int) -> dict[str, np.ndarray]:
        """The history drivers' features for the training rows (series-major, as the table),
        each row reading them as of a random age before its period: the step that far
        ahead of an origin sees them so old, and nothing later."""
        units = matrix.values[:, first:]
        drivers = {name: matrix.history[name][:, first : matrix.n_periods] for name in self.history_names_}
        base = history_driver_features(units, drivers, freq=matrix.freq)
        columns = np.arange(units.shape[1])[rows]
        ages = np.random.default_rng(seed).integers(0, self.history_max_age_, size=(matrix.n_series, len(columns)))
        anchor = np.maximum(columns[None, :] - ages, 0)
        picked = {name: np.take_along_axis(array, anchor, axis=1).ravel() for name, array in base.items()}
        picked[HISTORY_AGE] = ages.ravel().astype(float)
        return picked

    def _origin_history(self, matrix: DemandMatrix) -> dict[str, np.ndarray]:
        """The history drivers' features at the period after the matrix's last (one value
        per series): every forecast step reads these, never a later period."""
        n = matrix.n_periods
        span = max(max(HISTORY_LAGS), max(HISTORY_WINDOWS[self.freq_])) + 1
        start = max(0, n - span)
        units = np.concatenate([matrix.values[:, start:], np.zeros((matrix.n_series, 1))], axis=1)
        drivers = {}
        for name in self.history_names_:
            array = matrix.history.get(name)
            # A driver the caller's data lacks is unknown (NaN), as for exogenous drivers.
            known = array[:, start:n] if array is not None else np.full((matrix.n_series, n - start), np.nan)
            drivers[name] = np.concatenate([known, np.zeros((matrix.n_series, 1))], axis=1)
        return {name: array[:, -1] for name, array in history_driver_features(units, drivers, freq=self.freq_).items()}

    def predict(self, matrix: DemandMatrix, horizon: int) -> np.ndarray:
        return self._recursive(matrix, horizon, explain_steps=0)["forecast"]

    def _recursive(self, matrix: DemandMatrix, horizon: int, *, explain_steps: int) -> dict[str, Any]:
        """Each period's forecast becomes history for the next. Exogenous columns beyond
        the history are the planned future; missing ones repeat the last known value.
        The first `explain_steps` periods' rows also get LightGBM's contributions."""
        spec = self.spec_
        n = matrix.n_periods
        all_days = matrix.days.append(matrix.future_periods(horizon))
        extended = np.concatenate([matrix.values, np.zeros((matrix.n_series, horizon))], axis=1)
        # A driver the caller's data lacks is unknown (NaN), which LightGBM routes as missing.
        exogenous = {
            name: (
                matrix.exogenous_until(name, n + horizon)
                if name in matrix.exogenous
                else np.full((matrix.n_series, n + horizon), np.nan)
            )
            for name in self.exogenous_names_
        }
        static = {name: matrix.static.get(name, np.full(matrix.n_series, np.nan)) for name in self.static_names_}
        codes = _codes(matrix.series_ids, self.series_ids_)
        # The horizon's calendar does not depend on the forecasts: built once, not once per step
        # (pandas' date handling was most of a one-product forecast's time).
        calendar = calendar_features(all_days[n:], self.freq_, fourier=spec.fourier, christmas=spec.yearly)
        history = self._origin_history(matrix) if getattr(self, "history_names_", []) else {}
        explained_rows = []
        for step in range(horizon):
            columns = period_features(
                extended,
                all_days,
                column=n + step,
                series_codes=codes,
                exogenous=exogenous,
                static=static,
                freq=self.freq_,
                spec=spec,
                calendar={name: values[step : step + 1] for name, values in calendar.items()},
            )
            if history:
                columns.update(history)
                columns[HISTORY_AGE] = np.full(matrix.n_series, float(min(step, self.history_max_age_ - 1)))
            rows = np.column_stack([np.asarray(columns[name], dtype=float) for name in self.feature_names_])
            # One thread: starting OpenMP's pool costs 5 ms a call, a one-product row 0.1 ms.
            raw = self.booster_.predict(rows, raw_score=True, num_threads=PREDICT_THREADS)
            if self.level_feature_ is not None:
                raw = raw + _offset(np.asarray(columns[self.level_feature_], dtype=float))
            extended[:, n + step] = non_negative(np.exp(raw))
            if step < explain_steps:
                explained_rows.append(rows)
        result: dict[str, Any] = {"forecast": extended[:, n:]}
        if explained_rows:
            # Every explained step's rows in one TreeSHAP call (each row's values are its own).
            stacked = self.booster_.predict(
                np.concatenate(explained_rows), pred_contrib=True, num_threads=PREDICT_THREADS
            )
            by_step = stacked.reshape(len(explained_rows), matrix.n_series, -1)
            result["contributions"] = by_step.transpose(1, 0, 2)  # series x steps x (features + bias)
        return result

    def explain(self, matrix: DemandMatrix, horizon: int, *, top: int = 3) -> list[list[dict[str, Any]]]:
        """Per series, the main drivers of its forecast over the coming week in plain words.
        Tweedie works on the log scale, so a summed contribution c is a factor exp(c)."""
        return self.predict_explained(matrix, min(horizon, EXPLAIN_STEPS[self.freq_]), top=top)[1]

    def predict_explained(
        self, matrix: DemandMatrix, horizon: int, *, top: int = 3
    ) -> tuple[np.ndarray, list[list[dict[str, Any]]]]:
        """predict() and explain() from one recursion: the explained steps are the forecast's
        first ones, so an on-demand answer need not forecast them twice."""
        # The coming week is what a reader acts on, and explaining it costs a quarter of
        # explaining four weeks (every step is a TreeSHAP pass).
        steps = min(horizon, EXPLAIN_STEPS[self.freq_])
        result = self._recursive(matrix, horizon, explain_steps=steps)
        return result["forecast"], drivers_in_words(result["contributions"], self.feature_names_, top=top)

    def to_bytes(self) -> bytes:
        """LightGBM's own text format, with the feature list beside it."""
        return json.dumps(
            {
                "kind": "lightgbm_global",
                "num_boost_round": self.num_boost_round,
                "params": self.params,
                "max_train_periods": self.max_train_periods,
                "level_offset": self.level_offset,
                "history_drivers": list(self.history_drivers),
                "history_max_age": self.history_max_age,
                "history_names": self.history_names_,
                "history_max_age_used": self.history_max_age_,
                "level_feature": self.level_feature_,
                "variance_power": self.variance_power_,
                "freq": self.freq_,
                "spec": self.spec_.as_dict(),
                "series_ids": [s.item() if hasattr(s, "item") else s for s in self.series_ids_],
                "exogenous_names": self.exogenous_names_,
                "static_names": self.static_names_,
                "feature_names": self.feature_names_,
                "model": self.booster_.model_to_string(),
            }
        ).encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> "GlobalLightGBM":
        data = json.loads(raw)
        model = cls(
            num_boost_round=data["num_boost_round"],
            params=data["params"],
            max_train_periods=data.get("max_train_periods"),
            level_offset=data.get("level_offset", False),  # older models boosted from the average
            history_drivers=tuple(data.get("history_drivers", ())),
            history_max_age=data.get("history_max_age"),
        )
        model.history_names_ = data.get("history_names", [])
        model.history_max_age_ = data.get("history_max_age_used", HISTORY_MAX_AGE[data["freq"]])
        model.level_feature_ = data.get("level_feature")
        # Models saved before the power was estimated were fitted with their params' or the default one.
        model.variance_power_ = data.get(
            "variance_power",
            (data["params"] or {}).get("tweedie_variance_power", DEFAULT_PARAMS["tweedie_variance_power"]),
        )
        model.freq_ = data["freq"]
        # Models saved before specs followed the history used the frequency's base spec.
        model.spec_ = FeatureSpec.from_dict(data["spec"]) if "spec" in data else SPECS[model.freq_]
        model.series_ids_ = data["series_ids"]
        model.exogenous_names_ = data["exogenous_names"]
        model.static_names_ = data["static_names"]
        model.feature_names_ = data["feature_names"]
        model.booster_ = lgb.Booster(model_str=data["model"])
        return model


def _phrase(driver: str, effect: float) -> str:
    up = effect >= 0
    words = {
        "trend": "rising trend" if up else "declining trend",
        "price": "price cut" if up else "price rise",
        "promotion": "promotion" if up else "no promotion running",
        "festivals and holidays": "festival or holiday" if up else "after the festival season",
        "season": "seasonal peak" if up else "seasonal low",
        "day of week": "busy weekdays" if up else "quiet days of the week",
        "recent demand": "strong recent sales" if up else "weak recent sales",
        "product profile": "a strong seller" if up else "a slow seller",
        "month start/end": "month start/end",
    }
    return f"{words.get(driver, driver)} {effect:+.0%}"


LEVEL_DRIVERS = ("recent demand", "product profile")


@lru_cache(maxsize=32)
def _driver_columns(feature_names: tuple[str, ...]) -> tuple[list[str], list[list[int]]]:
    """The drivers, sorted, and each one's feature columns: a model's names are fixed, so this is worked out once
    per model, not for every answer (matching each name against every driver cost 2 ms of each on `large`)."""
    drivers = sorted({driver_of(n) for n in feature_names})
    return drivers, [[i for i, n in enumerate(feature_names) if driver_of(n) == d] for d in drivers]


def drivers_in_words(contributions: np.ndarray, feature_names: list[str], *, top: int = 3) -> list[list[dict]]:
    """contributions: series x horizon x (features + bias) on the log scale. Per series,
    the `top` drivers by size, as factors relative to the model's average product."""
    drivers, columns = _driver_columns(tuple(feature_names))
    mean_contrib = contributions[:, :, :-1].mean(axis=1)  # series x features
    per_driver = np.stack([mean_contrib[:, group].sum(axis=1) for group in columns], axis=1)
    # The level drivers say how this product compares with the average one (often by
    # hundreds of percent); what a vendor asks is what moves it from its own normal.
    movable = np.array([d not in LEVEL_DRIVERS for d in drivers])
    explanations = []
    for row in per_driver:
        ranked = np.argsort(-np.abs(np.where(movable, row, 0.0)))
        order = [i for i in ranked if movable[i]][:top] or list(np.argsort(-np.abs(row))[:top])
        explanations.append(
            [
                {
                    "driver": drivers[i],
                    "effect": round(float(np.expm1(row[i])), 4),
                    "text": _phrase(drivers[i], float(np.expm1(row[i]))),
                }
                for i in order
            ]
        )
    return explanations

"""Forecasting's adapter to the model lifecycle: product-level daily demand, for now
with the backtested baselines (learned models plug in here as they arrive)."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

import lightgbm
import numpy as np
import pandas as pd

from retailiq.registry.adapters import TrainedModel, TrainingData

from .ml import baselines, lgbm_forecaster
from .ml.demand_class import CLASSES, classify
from .ml.matrix import DemandMatrix, demand_features, demand_matrix, long_frame
from .models import DemandForecast
from .selectors import daily_product_sales, latest_sales_day

DEFAULT_HISTORY_DAYS = 365
ACTIVE_WITHIN_DAYS = 90  # products scored in batch: sold at least once in this window


def _as_of(params: dict[str, Any]) -> dt.date:
    if params.get("as_of"):
        return dt.date.fromisoformat(str(params["as_of"]))
    last = latest_sales_day()
    if last is None:
        raise ValueError("There is no sales history yet; import orders or load the demo data first.")
    return last


def _matrix(product_ids: Sequence[int] | None, *, start: dt.date, end: dt.date) -> DemandMatrix:
    sales = daily_product_sales(start=start, end=end, product_ids=product_ids)
    matrix = demand_matrix(sales, start=pd.Timestamp(start), end=pd.Timestamp(end))
    if product_ids is None:
        return matrix
    # Products with no sale in the window are all-zero rows, in the order asked for.
    wanted = np.asarray(list(product_ids))
    values = pd.DataFrame(matrix.values, index=matrix.series_ids).reindex(wanted, fill_value=0.0)
    return DemandMatrix(series_ids=wanted, days=matrix.days, values=values.to_numpy(dtype=float))


def _matrix_from_long(frame: pd.DataFrame) -> DemandMatrix:
    wide = frame.pivot(index="series_id", columns="date", values="target")
    return DemandMatrix(
        series_ids=wide.index.to_numpy(), days=pd.DatetimeIndex(wide.columns), values=wide.to_numpy(dtype=float)
    )


class ForecastingAdapter:
    capability = "forecasting"

    # Training and evaluation
    def load_training_data(self, *, segment: str, params: dict[str, Any]) -> TrainingData:
        end = _as_of(params)
        start = end - dt.timedelta(days=int(params.get("history_days") or DEFAULT_HISTORY_DAYS) - 1)
        matrix = _matrix(None, start=start, end=end)
        if matrix.values.shape[0] == 0:
            raise ValueError(f"No product sold between {start} and {end}; there is nothing to learn from.")
        return TrainingData(frame=long_frame(matrix), data_start=start, data_end=end, features=demand_features(matrix))

    def train(self, data: TrainingData, *, params: dict[str, Any], progress) -> TrainedModel:
        """Backtest the baselines and, with enough history, the global LightGBM model on
        the same rolling origins; keep whichever has the lower WAPE."""
        matrix = _matrix_from_long(data.frame)
        horizon = int(params.get("horizon") or 14)
        methods = (params["method"],) if params.get("method") in baselines.METHODS else baselines.METHODS
        progress("backtesting baselines", 30, f"{len(methods)} method(s), {matrix.values.shape[0]:,} products")
        model, metrics = baselines.BaselineForecaster.fit(
            matrix, horizon=horizon, window=int(params.get("window") or 28), methods=methods
        )
        wants_lightgbm = params.get("algorithm", "auto") in ("auto", "lightgbm") and not params.get("method")
        if wants_lightgbm and matrix.values.shape[1] >= lgbm_forecaster.MIN_DAYS + 2 * horizon:
            progress("backtesting the global LightGBM model", 55, "two rolling origins, then the final fit")
            candidate, candidate_metrics = lgbm_forecaster.LightGBMForecaster.fit(
                matrix, horizon=horizon, rounds=int(params.get("rounds") or 200)
            )
            # Compared on the same two origins LightGBM was backtested on.
            baseline_wape = baselines.evaluate(
                matrix, method=model.method, horizon=horizon, window=model.window, n_cutoffs=2
            )["wape"]
            candidate_metrics["wape_best_baseline"] = baseline_wape
            if params.get("algorithm") == "lightgbm" or candidate_metrics["wape"] < baseline_wape:
                model, metrics = candidate, candidate_metrics
            else:
                metrics["wape_lightgbm"] = candidate_metrics["wape"]
        classes = classify(matrix.values[:, -182:])  # the last half year decides a series' class
        metrics.update(
            {f"share_{name.replace(' ', '_')}": round(float(np.mean(classes == name)), 4) for name in CLASSES}
        )
        algorithm = model.method if model.method == "lightgbm_global" else f"baseline_{model.method}"
        return TrainedModel(
            algorithm=algorithm,
            artifact_name="lightgbm.json" if algorithm == "lightgbm_global" else "baseline.json",
            artifact_bytes=model.to_json(),
            metrics=metrics,
            params={"method": model.method, "horizon": horizon},
            library_versions={"numpy": np.__version__, "pandas": pd.__version__, "lightgbm": lightgbm.__version__},
        )

    # Tuning (Optuna searches this space on the same backtest)
    def search_space(self, trial: Any) -> dict[str, Any]:
        return {
            "method": trial.suggest_categorical("method", list(baselines.METHODS)),
            "window": trial.suggest_int("window", 7, 56),
        }

    def tuning_objective(self, data: TrainingData, params: dict[str, Any]) -> float:
        metrics = baselines.evaluate(
            _matrix_from_long(data.frame),
            method=params["method"],
            horizon=int(params.get("horizon") or 14),
            window=int(params["window"]),
        )
        return float(np.nan_to_num(metrics["wape"], nan=1e9))

    # Serving
    def load(self, artifact: bytes, *, algorithm: str) -> Any:
        if algorithm == "lightgbm_global":
            return lgbm_forecaster.LightGBMForecaster.from_json(artifact)
        return baselines.BaselineForecaster.from_json(artifact)

    def baseline(self) -> baselines.BaselineForecaster:
        return baselines.BaselineForecaster()

    def predict(self, model: baselines.BaselineForecaster, inputs: dict[str, Any]) -> dict[str, Any]:
        frame = self._forecast(
            model,
            [int(inputs["product_id"])],
            as_of=dt.date.fromisoformat(str(inputs["as_of"])),
            horizon=int(inputs.get("horizon") or model.horizon),
        )
        days = [
            {
                "date": row.target_date.isoformat(),
                "quantity": round(row.quantity, 3),
                "lower_80": round(row.lower_80, 3),
                "upper_80": round(row.upper_80, 3),
                "lower_95": round(row.lower_95, 3),
                "upper_95": round(row.upper_95, 3),
            }
            for row in frame.itertuples(index=False)
        ]
        return {"product_id": int(inputs["product_id"]), "origin_date": str(inputs["as_of"]), "days": days}

    def _forecast(
        self, model: baselines.BaselineForecaster, product_ids: Sequence[int], *, as_of: dt.date, horizon: int
    ) -> pd.DataFrame:
        start = as_of - dt.timedelta(days=model.history_needed - 1)
        matrix = _matrix(product_ids, start=start, end=as_of)
        result = model.predict(matrix.values, horizon, series_ids=matrix.series_ids, days=matrix.days)
        targets = pd.date_range(as_of + dt.timedelta(days=1), periods=horizon, freq="D").date
        n = len(matrix.series_ids)
        frame = pd.DataFrame(
            {
                "product_id": np.repeat(matrix.series_ids, horizon),
                "target_date": np.tile(targets, n),
                "origin_date": as_of,
                "quantity": result["forecast"].ravel(),
            }
        )
        for level in ("80", "95"):
            frame[f"lower_{level}"] = result[f"lower_{level}"].ravel()
            frame[f"upper_{level}"] = result[f"upper_{level}"].ravel()
        # Nested intervals even where the 80% bounds came out wider on a tiny sample.
        frame["lower_95"] = np.minimum(frame["lower_95"], frame["lower_80"])
        frame["upper_95"] = np.maximum(frame["upper_95"], frame["upper_80"])
        frame["quantity"] = frame["quantity"].clip(lower=0)
        return frame

    # Batch scoring
    def scoring_params(self, params: dict[str, Any]) -> dict[str, Any]:
        return {**params, "as_of": _as_of(params).isoformat()}

    def scoring_entities(self, *, segment: str, params: dict[str, Any]) -> list[int]:
        as_of = _as_of(params)
        sales = daily_product_sales(start=as_of - dt.timedelta(days=ACTIVE_WITHIN_DAYS - 1), end=as_of)
        return sorted(int(i) for i in sales["series_id"].unique())

    def score(
        self, model: baselines.BaselineForecaster, entity_ids: Sequence[int], *, params: dict[str, Any]
    ) -> pd.DataFrame:
        return self._forecast(
            model, entity_ids, as_of=_as_of(params), horizon=int(params.get("horizon") or model.horizon)
        )

    def write_predictions(self, *, model_version_id: int, predictions: pd.DataFrame) -> int:
        rows = [
            DemandForecast(model_version_id=model_version_id, **record)
            for record in predictions.to_dict(orient="records")
        ]
        DemandForecast.objects.bulk_create(
            rows,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["model_version", "product", "location_kind", "location", "target_date"],
            update_fields=["origin_date", "quantity", "lower_80", "upper_80", "lower_95", "upper_95", "scored_at"],
        )
        return len(rows)

    # Monitoring
    def live_accuracy(self, *, model_version_ids: Sequence[int], since: dt.date) -> pd.DataFrame:
        columns = ["model_version_id", "day", "metric", "value", "observations"]
        last_actual = latest_sales_day()
        if last_actual is None:
            return pd.DataFrame(columns=columns)
        forecasts = pd.DataFrame.from_records(
            DemandForecast.objects.filter(
                model_version_id__in=model_version_ids, target_date__gte=since, target_date__lte=last_actual
            ).values("model_version_id", "product_id", "target_date", "quantity")
        )
        if forecasts.empty:
            return pd.DataFrame(columns=columns)
        actual = daily_product_sales(
            start=forecasts["target_date"].min(),
            end=forecasts["target_date"].max(),
            product_ids=forecasts["product_id"].unique().tolist(),
        ).rename(columns={"series_id": "product_id", "date": "target_date", "units": "actual"})
        actual["target_date"] = actual["target_date"].dt.date
        joined = forecasts.merge(actual, on=["product_id", "target_date"], how="left").fillna({"actual": 0.0})
        joined["abs_error"] = (joined["quantity"] - joined["actual"]).abs()
        daily = (
            joined.groupby(["model_version_id", "target_date"])
            .agg(abs_error=("abs_error", "sum"), actual=("actual", "sum"), observations=("actual", "size"))
            .reset_index()
        )
        daily["mae"] = daily["abs_error"] / daily["observations"]
        daily["wape"] = np.where(
            daily["actual"] > 0, daily["abs_error"] / daily["actual"].where(daily["actual"] > 0, 1), np.nan
        )
        long = daily.melt(
            id_vars=["model_version_id", "target_date", "observations"], value_vars=["mae", "wape"], var_name="metric"
        ).dropna(subset=["value"])
        return long.rename(columns={"target_date": "day"})[columns]

    def latest_data_day(self) -> dt.date | None:
        return latest_sales_day()

    def recent_features(self, *, segment: str, start: dt.date, end: dt.date) -> pd.DataFrame:
        return demand_features(_matrix(None, start=start, end=end))

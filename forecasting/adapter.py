"""Forecasting's adapter to the model lifecycle: daily product demand from the database,
an ensemble of forecasters (baselines, Croston-type intermittent methods, the global
LightGBM model and a CNN-LSTM) weighted by their rolling-origin backtest, conformal
intervals, weekly answers summed from the days, explanations, and batch forecasts for
every product and, split by recent shares, every warehouse and region."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

import lightgbm
import numpy as np
import pandas as pd

from mlkit.demand_class import CLASSES, classify
from retailiq.features import recorded
from retailiq.registry import adapters as contract

from . import history
from .cold_start import replace_new_products
from .conf import forecasting_settings
from .features import DEMAND_FEATURES, SERVING_HISTORY_DAYS
from .members import member_factories, member_names
from .ml import baselines
from .ml.base import ServingForecaster
from .ml.ensemble import EnsembleForecaster, EnsembleOptions
from .ml.matrix import DemandMatrix, demand_features
from .models import DemandForecast, LocationKind
from .periods import apply_planned_drivers, as_rows, caller_matrix, weekly_rows
from .selectors import daily_product_demand, latest_sales_day

ACTIVE_WITHIN_DAYS = 90  # products scored in batch: sold at least once in this window
SHARE_WINDOW_DAYS = 90  # location forecasts split the product's by this window's shares
HEADLINE = ("mae", "rmse", "wape", "smape", "mase", "rmsse", "coverage_80", "coverage_95")


def _as_of(params: dict[str, Any]) -> dt.date:
    """A forecasting job's "as_of" parameter is its origin, the last day of sales it reads (given, or the latest);
    its batch's as_of, in the registry's sense, is the day after."""
    return contract.day_from_params(
        params,
        otherwise=latest_sales_day,
        missing="There is no sales history yet; import orders or load the demo data first.",
    )


def _flat_metrics(report: dict[str, Any], matrix: DemandMatrix) -> dict[str, Any]:
    """Headline numbers are the ensemble's cross-fitted backtest; the breakdown per member
    and per demand class is kept beside them for the models page."""
    ensemble = report["models"].get("ensemble", {})
    metrics: dict[str, Any] = {name: ensemble[name] for name in HEADLINE if name in ensemble}
    naive = report["models"].get("seasonal_naive", {})
    if naive.get("rmsse") and ensemble.get("rmsse") is not None:
        metrics["rmsse_vs_seasonal_naive"] = round(ensemble["rmsse"] / naive["rmsse"], 4)
    classes = classify(matrix.values[:, -182:])  # the last half year decides a series' class
    metrics.update({f"share_{name.replace(' ', '_')}": round(float(np.mean(classes == name)), 4) for name in CLASSES})
    metrics["backtest"] = {
        "models": report["models"],
        "classes": report.get("classes", {}),
        "class_counts": report.get("class_counts", {}),
        "weights": report.get("weights", {}),
        "failed_members": report.get("failed_members", {}),
        "train_seconds": report.get("train_seconds"),
    }
    return metrics


WAPE = contract.Metric("wape", "WAPE", contract.PERCENT, summary=True, help="WAPE of batch forecasts against what sold")
MAE = contract.Metric("mae", "MAE")
RMSE = contract.Metric("rmse", "RMSE")
SMAPE = contract.Metric("smape", "sMAPE", contract.PERCENT)
MASE = contract.Metric("mase", "MASE")
RMSSE = contract.Metric("rmsse", "RMSSE", summary=True)
# Interval coverage is best at its nominal level, neither higher nor lower.
COVERAGE_80 = contract.Metric("coverage_80", "80% cover", contract.PERCENT, better="", summary=True)
COVERAGE_95 = contract.Metric("coverage_95", "95% cover", contract.PERCENT, better="")


class ForecastingAdapter:
    capability = "forecasting"
    label = "Demand forecasting"
    headline_metrics = (WAPE, MAE, MASE, RMSSE, COVERAGE_80, COVERAGE_95)
    # The per-member backtest breakdown on the models page (the version's metrics["backtest"]).
    backtest_metrics = (MAE, RMSE, WAPE, SMAPE, MASE, RMSSE, COVERAGE_80, COVERAGE_95)
    live_metric = WAPE
    urls = "forecasting.urls"
    mount = ""
    api_urls = "forecasting.api_urls"
    navigation = (contract.NavEntry("Demand", "demand", roles=("vendor",), order=40),)
    home_panels = (
        contract.HomePanel(
            role="retailer",
            title="Expected demand, next 4 weeks",
            url_name="expected-demand-panel",
            slug="expected",
            loading="Reading the forecast for your products…",
        ),
    )
    job_kinds = (contract.TRAIN, contract.SCORE)

    # Training and evaluation
    def load_training_data(self, *, segment: str, params: dict[str, Any]) -> contract.TrainingData:
        end = _as_of(params)
        days = int(params.get("history_days") or forecasting_settings().history_days)
        start = end - dt.timedelta(days=days - 1)
        matrix = history.product_matrix(None, start=start, end=end)
        if matrix.n_series == 0:
            raise ValueError(f"No product sold between {start} and {end}; there is nothing to learn from.")
        return contract.TrainingData(
            frame=history.training_frame(matrix), data_start=start, data_end=end, features=demand_features(matrix)
        )

    def train(self, data: contract.TrainingData, *, params: dict[str, Any], progress) -> contract.TrainedModel:
        """Backtest every member on the same rolling origins, weight them by their errors
        (per demand class), calibrate intervals on the ensemble's own errors, refit."""
        matrix = history.matrix_from_training_frame(data.frame)
        horizon = int(params.get("horizon") or 14)
        origins = int(params.get("backtest_origins") or forecasting_settings().backtest_origins)
        names = member_names(params)
        progress(
            "backtesting the ensemble's members",
            20,
            f"{', '.join(names)} on {origins} origins, {matrix.n_series:,} products x {matrix.n_periods} days",
        )
        # refit=false keeps each member as fitted at the last origin: one fit less per
        # member, for large catalogs where training time matters more than the last fortnight.
        refit = str(params.get("refit", forecasting_settings().refit)).lower() not in ("0", "false", "no")
        model, report = EnsembleForecaster.train(
            matrix,
            member_factories(params),
            horizon=horizon,
            n_origins=origins,
            options=EnsembleOptions(refit=refit),
            processes=forecasting_settings().training_processes,
        )
        progress("saving the ensemble", 90, f"weights: {report.get('weights', {}).get('all')}")
        return contract.TrainedModel(
            algorithm="ensemble",
            artifact_name="ensemble.zip",
            artifact_bytes=model.to_bytes(),
            metrics=_flat_metrics(report, matrix),
            params={
                "horizon": horizon,
                "members": names,
                "backtest_origins": origins,
                "refit": refit,
                **recorded(DEMAND_FEATURES),
            },
            library_versions=_library_versions(names),
        )

    # Tuning: Optuna searches the global LightGBM model's space on its own backtest
    def search_space(self, trial: Any) -> dict[str, Any]:
        return {
            "learning_rate": trial.suggest_float("learning_rate", 0.02, 0.2, log=True),
            "num_leaves": trial.suggest_int("num_leaves", 15, 127, log=True),
            "min_data_in_leaf": trial.suggest_int("min_data_in_leaf", 10, 100, log=True),
            "rounds": trial.suggest_int("rounds", 100, 500, step=50),
        }

    def tuning_objective(self, data: contract.TrainingData, params: dict[str, Any]) -> float:
        from .ml.backtest import rolling_origin

        matrix = history.matrix_from_training_frame(data.frame)
        factories = member_factories({**params, "members": ["lightgbm"]})
        result = rolling_origin(matrix, factories, horizon=int(params.get("horizon") or 14), n_origins=2)
        measured = result.metrics(by_class=False)["models"].get("lightgbm", {})
        return float(np.nan_to_num(measured.get("rmsse", np.nan), nan=1e9))

    # Serving
    def load(self, artifact: bytes, *, algorithm: str) -> ServingForecaster:
        if algorithm == "ensemble":
            return EnsembleForecaster.from_bytes(artifact)
        return baselines.BaselineForecaster.from_bytes(artifact)  # versions trained before the ensemble

    def baseline(self) -> baselines.BaselineForecaster:
        return baselines.BaselineForecaster()

    def predict(self, model: ServingForecaster, inputs: dict[str, Any]) -> dict[str, Any]:
        """inputs: as_of, horizon, granularity ("day"/"week"), and either product_id
        (optionally warehouse_id) or history [[date, quantity], ...]; drivers planned."""
        granularity = inputs.get("granularity") or "day"
        horizon_days = int(inputs.get("horizon") or 14) * (7 if granularity == "week" else 1)
        as_of = dt.date.fromisoformat(str(inputs["as_of"]))
        if "history" in inputs:
            matrix = caller_matrix(inputs["history"], horizon=horizon_days)
        else:
            start = as_of - dt.timedelta(days=SERVING_HISTORY_DAYS - 1)
            matrix = history.product_matrix(
                [int(inputs["product_id"])],
                start=start,
                end=as_of,
                horizon=horizon_days,
                warehouse_id=inputs.get("warehouse_id"),
                with_drivers=model.reads_drivers,
            )
        matrix = apply_planned_drivers(matrix, inputs.get("drivers"), horizon=horizon_days)
        bounds, explanation = _forecast(model, matrix, horizon_days, explain=True)
        if "product_id" in inputs:
            borrowed = replace_new_products(model, matrix, bounds, horizon_days)
            if borrowed:
                explanation = [[{"driver": "new product", "effect": 0.0, "text": next(iter(borrowed.values()))}]]
        days = as_rows(bounds, start=as_of + dt.timedelta(days=1), row=0)
        result: dict[str, Any] = {
            "origin_date": as_of.isoformat(),
            "granularity": granularity,
            "days": days,
            "periods": weekly_rows(days) if granularity == "week" else days,
            "explanation": explanation[0] if explanation else [],
        }
        if "product_id" in inputs:
            result["product_id"] = int(inputs["product_id"])
        return result

    # Batch scoring
    def scoring_params(self, params: dict[str, Any]) -> dict[str, Any]:
        return {**params, "as_of": _as_of(params).isoformat()}

    def scoring_entities(self, *, segment: str, params: dict[str, Any]) -> list[int]:
        as_of = _as_of(params)
        sales = daily_product_demand(start=as_of - dt.timedelta(days=ACTIVE_WITHIN_DAYS - 1), end=as_of)
        return sorted(int(i) for i in sales["series_id"].unique())

    def score(self, model: ServingForecaster, entity_ids: Sequence[int], *, params: dict[str, Any]) -> pd.DataFrame:
        """Product totals, then each warehouse's and region's part of them by its share of
        the product's recent sales, so location forecasts add up to the total (top-down)."""
        as_of = _as_of(params)
        horizon = int(params.get("horizon") or forecasting_settings().scoring_horizon_days)
        matrix = history.product_matrix(
            list(entity_ids),
            start=as_of - dt.timedelta(days=SERVING_HISTORY_DAYS - 1),
            end=as_of,
            horizon=horizon,
            with_drivers=model.reads_drivers,
        )
        bounds, _ = _forecast(model, matrix, horizon, explain=False)
        replace_new_products(model, matrix, bounds, horizon)
        targets = pd.date_range(as_of + dt.timedelta(days=1), periods=horizon, freq="D").date
        n = matrix.n_series
        totals = pd.DataFrame(
            {
                "product_id": np.repeat(matrix.series_ids, horizon),
                "target_date": np.tile(targets, n),
                "origin_date": as_of,
                "location_kind": LocationKind.ALL,
                "location": "",
                **{name: bounds[key].ravel() for name, key in _COLUMNS.items()},
            }
        )
        frames = [totals]
        since = as_of - dt.timedelta(days=SHARE_WINDOW_DAYS - 1)
        for kind in (LocationKind.WAREHOUSE, LocationKind.REGION):
            shares = history.location_shares(list(entity_ids), kind=kind, start=since, end=as_of)
            if shares.empty:
                continue
            split = totals.drop(columns=["location_kind", "location"]).merge(
                shares.rename(columns={"series_id": "product_id"}), on="product_id"
            )
            for column in _COLUMNS:
                split[column] = split[column] * split["share"]
            frames.append(split.drop(columns="share").assign(location_kind=kind))
        return pd.concat(frames, ignore_index=True)

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

    def prediction_table(self) -> contract.PredictionTable:
        """A forecast keeps its origin, the last day of sales (as_of - 1); product totals date a batch."""
        return contract.PredictionTable(
            DemandForecast, "origin_date", day_is_last_data_day=True, batch_rows={"location_kind": LocationKind.ALL}
        )

    # Monitoring
    def live_accuracy(self, *, model_version_ids: Sequence[int], since: dt.date) -> pd.DataFrame:
        columns = ["model_version_id", "day", "metric", "value", "observations"]
        last_actual = latest_sales_day()
        if last_actual is None:
            return pd.DataFrame(columns=columns)
        forecasts = pd.DataFrame.from_records(
            DemandForecast.objects.filter(
                model_version_id__in=model_version_ids,
                location_kind=LocationKind.ALL,
                target_date__gte=since,
                target_date__lte=last_actual,
            ).values("model_version_id", "product_id", "target_date", "quantity")
        )
        if forecasts.empty:
            return pd.DataFrame(columns=columns)
        actual = daily_product_demand(
            start=forecasts["target_date"].min(),
            end=forecasts["target_date"].max(),
            product_ids=forecasts["product_id"].unique().tolist(),
        )[["series_id", "date", "units"]].rename(
            columns={"series_id": "product_id", "date": "target_date", "units": "actual"}
        )
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
        return demand_features(history.product_matrix(None, start=start, end=end, with_drivers=False))


_COLUMNS = {
    "quantity": "forecast",
    "lower_80": "lower_80",
    "upper_80": "upper_80",
    "lower_95": "lower_95",
    "upper_95": "upper_95",
}


def _forecast(
    model: ServingForecaster, matrix: DemandMatrix, horizon: int, *, explain: bool
) -> tuple[dict[str, np.ndarray], list[list[dict]]]:
    """Point forecast and nested 80%/95% bounds, series x horizon, from the ensemble or
    the baseline; the explanation when asked (empty per series where there is none)."""
    if explain and hasattr(model, "predict_explained"):
        bounds, explanation = model.predict_explained(matrix, horizon)
    else:
        bounds = model.predict_intervals(matrix, horizon)
        explanation = model.explain(matrix, horizon) if explain else []
    bounds = {k: np.asarray(v, dtype=float) for k, v in bounds.items()}
    bounds["forecast"] = np.maximum(bounds["forecast"], 0.0)
    # Nested intervals around the point, even where a tiny calibration sample disagrees.
    bounds["lower_80"] = np.minimum(bounds["lower_80"], bounds["forecast"])
    bounds["upper_80"] = np.maximum(bounds["upper_80"], bounds["forecast"])
    bounds["lower_95"] = np.minimum(bounds["lower_95"], bounds["lower_80"])
    bounds["upper_95"] = np.maximum(bounds["upper_95"], bounds["upper_80"])
    return bounds, explanation


def _library_versions(names: list[str]) -> dict[str, str]:
    import scipy

    versions = {
        "numpy": np.__version__,
        "pandas": pd.__version__,
        "scipy": scipy.__version__,
        "lightgbm": lightgbm.__version__,
    }
    if "intermittent" in names:
        import statsforecast

        versions["statsforecast"] = statsforecast.__version__
    if "cnn_lstm" in names:
        from importlib.metadata import version

        versions["tensorflow"] = version("tensorflow-cpu")
    return versions


forecasting_settings()  # a bad value in the environment stops the start, not the first run
contract.register_adapter(ForecastingAdapter())

"""Optimization's adapter to the model lifecycle: stockout risk per product x warehouse (XGBoost over the ledger,
deliveries and the forecasting capability's demand), scored nightly for every stocked pair; and the declarations
that put its pages, API, warnings panel and order-plan jobs in the shared layer.

The capability is named after its app, as every capability is (pages, API, schedules, the contract test): the
model it trains is the stockout risk model, and its plans run as this capability's "plan" jobs."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from retailiq.registry import adapters as contract
from retailiq.registry.selectors import as_of_after

from .conf import optimization_settings
from .ml.stockout import AHEAD
from .models import StockoutRisk
from .selectors import CAPABILITY, calendar_frame, latest_data_day, ledger_frames, pair_frame, stockout_days
from .services.risk import risk_json, risk_rows, risks_write

PLAN = contract.JobKindSpec("plan", "Optimization plan", task="optimization.tasks.run_plan")
ACCURACY_HORIZON_DAYS = 14
LIVE_COLUMNS = ["model_version_id", "day", "metric", "value", "observations"]


def _as_of(params: dict[str, Any]) -> dt.date:
    return contract.day_from_params(
        params,
        otherwise=lambda: as_of_after(last) if (last := latest_data_day()) else None,
        missing="There is no sales or stock history yet; import orders or load the demo data first.",
    )


def _number(params: dict[str, Any], name: str, default: float) -> float:
    value = params.get(name)
    return float(value) if value not in (None, "") else float(default)


class OptimizationAdapter:
    capability = CAPABILITY
    label = "Stockout risk"
    headline_metrics = (
        contract.Metric("pr_auc", "PR AUC", better=contract.HIGHER, summary=True),
        contract.Metric("roc_auc", "ROC AUC", better=contract.HIGHER, summary=True),
        contract.Metric("brier", "Brier", summary=True),
        contract.Metric("pr_auc_ratio", "PR AUC / better baseline", better=contract.HIGHER),
        contract.Metric("precision_at_100", "Precision, top 100", format=contract.PERCENT, better=contract.HIGHER),
        contract.Metric("mae_days_to_stockout", "MAE, days to stockout"),
    )
    live_metric = contract.Metric(
        "brier_14",
        "Brier, 14 days",
        help="Brier score of the 14-day stockout probability against whether the pair ran out",
    )
    urls = "optimization.urls"
    mount = ""
    api_urls = "optimization.api_urls"
    navigation = (
        contract.NavEntry("Stock health", "optimization:stock-health", roles=("vendor",), order=40),
        contract.NavEntry("Order plans", "optimization:plans", roles=("vendor",), order=41),
        contract.NavEntry("Purchase orders", "optimization:purchase-orders", roles=("vendor",), order=42),
    )
    home_panels = (
        contract.HomePanel(
            role="vendor",
            title="Stockout warnings",
            url_name="optimization:warnings-panel",
            slug="stockout-warnings",
            loading="Looking for products about to run out…",
            link_label="Stock health",
            link_url_name="optimization:stock-health",
            first=True,
            stylesheets=("css/optimization.css",),
        ),
    )
    job_kinds = (contract.TRAIN, contract.SCORE, PLAN)

    # Training and evaluation
    def load_training_data(self, *, segment: str, params: dict[str, Any]) -> contract.TrainingData:
        last = latest_data_day()
        if last is None:
            raise ValueError("There is no sales or stock history yet; import orders or load the demo data first.")
        end = _as_of(params) - dt.timedelta(days=1) if params.get("as_of") else last
        days = int(_number(params, "history_days", optimization_settings().history_days))
        start = end - dt.timedelta(days=days - 1)
        pairs = pair_frame()
        if pairs.empty:
            raise ValueError("No product is stocked at any warehouse; there is nothing to learn from.")
        daily, deliveries = ledger_frames(start=start, end=end, pairs=pairs)
        # Festivals and promotions are known ahead: a cutoff near the end looks past it as serving does.
        calendar = calendar_frame(start=start, end=end + dt.timedelta(days=AHEAD), pairs=pairs)
        return contract.TrainingData(
            frame=daily,
            data_start=start,
            data_end=end,
            features=daily[["demand", "on_hand", "on_order"]],
            extra_frames={"deliveries": deliveries, "calendar": calendar},
        )

    def train(self, data: contract.TrainingData, *, params: dict[str, Any], progress) -> contract.TrainedModel:
        import xgboost

        from .ml.stockout import StockoutOptions
        from .ml.training import model_to_bytes, train_stockout_model

        conf = optimization_settings()
        options = StockoutOptions(n_estimators=int(_number(params, "n_estimators", conf.n_estimators)))
        model, metrics = train_stockout_model(
            data.frame,
            data.extra_frames["deliveries"],
            step=int(_number(params, "step_days", conf.step_days)),
            test_cutoffs=int(_number(params, "test_cutoffs", conf.test_cutoffs)),
            options=options,
            progress=progress,
            calendar=data.extra_frames.get("calendar"),
        )
        return contract.TrainedModel(
            algorithm="xgboost",
            artifact_name="stockout.zip",
            artifact_bytes=model_to_bytes(model),
            metrics=metrics,
            params={"n_estimators": options.n_estimators, "max_depth": options.max_depth},
            library_versions={"xgboost": xgboost.__version__, "numpy": np.__version__, "pandas": pd.__version__},
        )

    # Serving
    def load(self, artifact: bytes, *, algorithm: str) -> Any:
        from .ml.training import model_from_bytes

        return model_from_bytes(artifact)

    def baseline(self) -> Any:
        from .ml.training import CoverRuleModel

        return CoverRuleModel()

    def predict(self, model: Any, inputs: dict[str, Any]) -> dict[str, Any]:
        """inputs: pair_ids (stock records) and as_of. Answers each pair's risk, riskiest first."""
        as_of = dt.date.fromisoformat(str(inputs["as_of"]))
        rows = risk_rows(model, as_of=as_of, pair_ids=[int(p) for p in inputs["pair_ids"]])
        return {"as_of": as_of.isoformat(), "risks": [risk_json(row) for row in rows.to_dict(orient="records")]}

    # Batch scoring
    def scoring_params(self, params: dict[str, Any]) -> dict[str, Any]:
        return {**params, "as_of": _as_of(params).isoformat()}

    def scoring_entities(self, *, segment: str, params: dict[str, Any]) -> list[int]:
        """Every active stock record (product x warehouse)."""
        return pair_frame()["pair_id"].astype(int).tolist()

    def score(self, model: Any, entity_ids: Sequence[int], *, params: dict[str, Any]) -> pd.DataFrame:
        return risk_rows(model, as_of=_as_of(params), pair_ids=list(entity_ids))

    def write_predictions(self, *, model_version_id: int, predictions: pd.DataFrame) -> int:
        return risks_write(model_version_id=model_version_id, rows=predictions)

    def prediction_table(self) -> contract.PredictionTable:
        return contract.PredictionTable(StockoutRisk, "as_of")

    # Monitoring
    def live_accuracy(self, *, model_version_ids: Sequence[int], since: dt.date) -> pd.DataFrame:
        """Per version and day whose 14 days are over: Brier score and ROC AUC of the 14-day probability against
        whether the pair could not ship on any of those days."""
        from sklearn.metrics import roc_auc_score

        last = latest_data_day()
        if last is None:
            return pd.DataFrame(columns=LIVE_COLUMNS)
        closed = last - dt.timedelta(days=ACCURACY_HORIZON_DAYS - 1)
        stored = pd.DataFrame.from_records(
            list(
                StockoutRisk.objects.filter(
                    model_version_id__in=list(model_version_ids), as_of__gte=since, as_of__lte=closed
                ).values_list("model_version_id", "as_of", "product_id", "warehouse_id", "probability_14")
            ),
            columns=["model_version_id", "as_of", "product_id", "warehouse_id", "p"],
        )
        out = []
        pairs = pair_frame()
        for as_of, day_rows in stored.groupby("as_of"):
            end = as_of + dt.timedelta(days=ACCURACY_HORIZON_DAYS - 1)
            ran_out = stockout_days(start=as_of, end=end, pairs=pairs).any(axis=1)
            outcome = pairs[["product_id", "warehouse_id"]].assign(y=ran_out.astype(int))
            for version_id, group in day_rows.groupby("model_version_id"):
                merged = group.merge(outcome, on=["product_id", "warehouse_id"], how="inner")
                if merged.empty:
                    continue
                y, p = merged["y"].to_numpy(), merged["p"].to_numpy(float)
                out.append((version_id, as_of, "brier_14", float(np.mean((p - y) ** 2)), len(merged)))
                if 0 < y.sum() < len(y):
                    out.append((version_id, as_of, "roc_auc_14", float(roc_auc_score(y, p)), len(merged)))
        return pd.DataFrame(out, columns=LIVE_COLUMNS)

    def latest_data_day(self) -> dt.date | None:
        return latest_data_day()

    def recent_features(self, *, segment: str, start: dt.date, end: dt.date) -> pd.DataFrame:
        daily, _ = ledger_frames(start=start, end=end, pairs=pair_frame())
        return daily[["demand", "on_hand", "on_order"]]


optimization_settings()  # a bad value in the environment stops the start, not the first run
contract.register_adapter(OptimizationAdapter())

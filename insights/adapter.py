"""Insights' adapter to the model lifecycle: the order lines from the database, the detectors of ``insights.ml``
(anomalies that know each series' seasonality, festivals and promotions; segments; product classes; changes in
behaviour; seasonality profiles), a version that records the detector's settings and method, the nightly run
through batch scoring, and the churn-risk probabilities measured against what shops did next.

A run compares every shop with every other (RFM quintiles, movement between segments) and every product across
regions, so it is one chunk: ``scoring_params`` sets a chunk size no marketplace reaches."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from retailiq.registry import adapters as contract
from retailiq.registry.selectors import as_of_after

from .conf import insights_settings
from .models import FeedbackAction, Insight, InsightFeedback, RetailerSegment
from .selectors import CAPABILITY, active_retailer_ids, latest_order_day, line_frame

NO_HISTORY = "There is no order history yet; import orders or load the demo data first."
ONE_CHUNK = 10**9
LIVE_COLUMNS = ["model_version_id", "day", "metric", "value", "observations"]
CHURN_HORIZON_DAYS = 14


def _as_of(params: dict[str, Any]) -> dt.date:
    return contract.day_from_params(
        params, otherwise=lambda: as_of_after(last) if (last := latest_order_day()) else None, missing=NO_HISTORY
    )


def _insight_json(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "key": row["key"],
        "kind": row["kind"],
        "severity": int(row["severity"]),
        "score": round(float(row["score"]), 4),
        "title": row["title"],
        "body": row["body"],
        "action": row["action"],
        "evidence": row["evidence"],
    }


class InsightsAdapter:
    capability = CAPABILITY
    label = "Order-pattern insights"
    headline_metrics = (
        contract.Metric("churn_brier_14", "Churn Brier, 14 days", summary=True),
        contract.Metric("late_rule_brier_14", "Late-rule Brier, 14 days"),
        contract.Metric("flag_rate", "Periods flagged", format=contract.PERCENT, better="", summary=True),
        contract.Metric("explained_rate", "Explained by calendar", format=contract.PERCENT, better=""),
        contract.Metric("series", "Series", better=""),
    )
    live_metric = contract.Metric(
        "churn_brier_14",
        "Churn Brier, 14 days",
        help="Brier score of each shop's churn-risk probability against whether it placed no order in the next 14 days",
    )
    urls = "insights.urls"
    mount = ""
    api_urls = "insights.api_urls"
    navigation = (
        contract.NavEntry("Segments", "insights:segments", roles=("analyst",), order=118),
        contract.NavEntry("Insights", "insights:feed", roles=("retailer", "vendor", "sales_rep"), order=99),
    )
    home_panels = tuple(
        contract.HomePanel(
            role=role,
            title="Insights",
            url_name="insights:feed-panel",
            slug="insights",
            loading="Reading this week's order patterns…",
            link_label="All insights",
            link_url_name="insights:feed",
            first=True,
            stylesheets=("css/insights.css",),
        )
        for role in ("retailer", "vendor", "sales_rep", "analyst")
    )
    job_kinds = (contract.TRAIN, contract.SCORE)

    # Training and evaluation
    def load_training_data(self, *, segment: str, params: dict[str, Any]) -> contract.TrainingData:
        from .selectors import calendar_frame

        last = latest_order_day()
        if last is None:
            raise ValueError(NO_HISTORY)
        end = _as_of(params) - dt.timedelta(days=1) if params.get("as_of") else last
        days = int(params.get("history_days") or insights_settings().history_days)
        start = end - dt.timedelta(days=days - 1)
        lines = line_frame(start=start, end=end)
        if lines.empty:
            raise ValueError(f"No order between {start} and {end}; there is nothing to learn from.")
        return contract.TrainingData(
            frame=lines,
            data_start=start,
            data_end=end,
            features=lines[["quantity", "value"]],
            extra_frames={"calendar": calendar_frame(start=start, end=end)},
        )

    def train(self, data: contract.TrainingData, *, params: dict[str, Any], progress) -> contract.TrainedModel:
        from .detection import InsightsModel, churn_backtest, detectors, order_series

        ml = detectors()
        freq = str(params.get("freq") or insights_settings().freq)
        config_fields = {name for name in ml.AnomalyConfig.__dataclass_fields__}
        chosen = contract.model_params({}, params)
        config = ml.AnomalyConfig(**{k: v for k, v in chosen.items() if k in config_fields})
        progress("detecting", 30, "scoring every shop's and product's series")
        series = order_series(data.frame, freq=freq)
        calendar = data.extra_frames.get("calendar")
        scored = ml.detect_anomalies(
            series, freq=freq, calendar=calendar if calendar is not None and len(calendar) else None,
            exog=["on_promotion"], config=config,
        )  # fmt: skip
        metrics: dict[str, float] = {"series": float(series["series_id"].nunique())}
        if len(scored):
            above = scored["score"] >= config.threshold
            metrics["flag_rate"] = float(scored["flag"].astype(bool).mean())
            metrics["explained_rate"] = float((above & (scored["explained_by"] != "")).sum() / max(above.sum(), 1))
        progress("evaluating", 70, "churn risk against the last 14 days")
        cutoff = data.data_end - dt.timedelta(days=CHURN_HORIZON_DAYS - 1)
        metrics.update(churn_backtest(data.frame, cutoff=cutoff, horizon_days=CHURN_HORIZON_DAYS))
        model = InsightsModel(
            config=dict(config.__dict__), algorithm=ml.ALGORITHM, score_version=ml.SCORE_VERSION, freq=freq
        )
        return contract.TrainedModel(
            algorithm=f"{config.method}:{ml.SCORE_VERSION}",
            artifact_name="insights.json",
            artifact_bytes=model.to_bytes(),
            metrics=metrics,
            params={**model.config, "freq": freq},
            library_versions=_library_versions(),
        )

    # Serving
    def load(self, artifact: bytes, *, algorithm: str) -> Any:
        from .detection import InsightsModel

        return InsightsModel.from_bytes(artifact)

    def baseline(self) -> Any:
        from .detection import InsightsModel

        return InsightsModel(freq=insights_settings().freq)

    def predict(self, model: Any, inputs: dict[str, Any]) -> dict[str, Any]:
        """inputs: retailer_id and as_of. Answers what a run finds about that shop alone (its own anomalies and
        changes), most severe first."""
        from .services.run import insights_run, months_back

        as_of = dt.date.fromisoformat(str(inputs["as_of"]))
        months = set(months_back(as_of, insights_settings().segment_months))
        run = insights_run(
            as_of=as_of, config=model.anomaly_config(), retailer_ids=[int(inputs["retailer_id"])], stored_months=months
        )
        rows = run.insights[run.insights["subject_kind"] == "retailer"]
        rows = rows.sort_values(["severity", "score", "key"], ascending=[False, False, True])
        return {"as_of": as_of.isoformat(), "insights": [_insight_json(r) for r in rows.to_dict("records")]}

    # Batch scoring: one run over the marketplace
    def scoring_params(self, params: dict[str, Any]) -> dict[str, Any]:
        return {**params, "as_of": _as_of(params).isoformat(), "chunk_size": ONE_CHUNK}

    def scoring_entities(self, *, segment: str, params: dict[str, Any]) -> list[int]:
        """The active shops: the run reads their orders."""
        return active_retailer_ids()

    def score(self, model: Any, entity_ids: Sequence[int], *, params: dict[str, Any]) -> pd.DataFrame:
        from .services.run import insights_run

        as_of = _as_of(params)
        stored = set(RetailerSegment.objects.order_by().values_list("month", flat=True).distinct())
        run = insights_run(
            as_of=as_of, config=model.anomaly_config(), retailer_ids=list(entity_ids), stored_months=stored
        )
        # The registry hands this frame to write_predictions; the run's other tables travel with it.
        predictions = run.insights.copy()
        predictions.attrs["run"] = run
        return predictions

    def write_predictions(self, *, model_version_id: int, predictions: pd.DataFrame) -> int:
        from .services.run import RunOutput
        from .services.write import run_write

        run = predictions.attrs.get("run") or RunOutput(predictions, pd.DataFrame(), pd.DataFrame(), pd.DataFrame())
        return run_write(model_version_id=model_version_id, run=run)

    def prediction_table(self) -> contract.PredictionTable:
        return contract.PredictionTable(Insight, "as_of")

    # Monitoring
    def live_accuracy(self, *, model_version_ids: Sequence[int], since: dt.date) -> pd.DataFrame:
        """Per version and run day whose 14 days are over: the Brier score of every shop's churn-risk probability
        (0 where the run did not flag the shop) against whether it placed no order in those 14 days; and, where
        people gave feedback, the share of it that was "useful" or "acted on"."""
        last = latest_order_day()
        if last is None:
            return pd.DataFrame(columns=LIVE_COLUMNS)
        closed = last - dt.timedelta(days=CHURN_HORIZON_DAYS - 1)
        stored = pd.DataFrame.from_records(
            list(
                RetailerSegment.objects.filter(
                    model_version_id__in=list(model_version_ids), as_of__gte=since, as_of__lte=closed
                ).values_list("model_version_id", "as_of", "retailer_id", "churn_probability")
            ),
            columns=["model_version_id", "as_of", "retailer_id", "p"],
        )
        out = []
        if len(stored):
            start, end = stored["as_of"].min(), stored["as_of"].max() + dt.timedelta(days=CHURN_HORIZON_DAYS - 1)
            ordered = line_frame(start=start, end=end)[["retailer_id", "date"]].drop_duplicates()
            for (version_id, as_of), group in stored.groupby(["model_version_id", "as_of"]):
                window = ordered[
                    (ordered["date"] >= pd.Timestamp(as_of))
                    & (ordered["date"] < pd.Timestamp(as_of) + pd.Timedelta(days=CHURN_HORIZON_DAYS))
                ]
                y = (~group["retailer_id"].isin(window["retailer_id"])).astype(float).to_numpy()
                p = group["p"].to_numpy(float)
                out.append((version_id, as_of, "churn_brier_14", float(np.mean((p - y) ** 2)), len(group)))
        feedback = (
            InsightFeedback.objects.filter(
                insight__model_version_id__in=list(model_version_ids), insight__as_of__gte=since
            )
            .order_by()
            .values_list("insight__model_version_id", "insight__as_of", "action")
        )
        given = pd.DataFrame.from_records(list(feedback), columns=["model_version_id", "as_of", "action"])
        for (version_id, as_of), group in given.groupby(["model_version_id", "as_of"]):
            kept = group["action"].isin([FeedbackAction.USEFUL, FeedbackAction.ACTED_ON]).mean()
            out.append((version_id, as_of, "useful_share", float(kept), len(group)))
        return pd.DataFrame(out, columns=LIVE_COLUMNS)

    def latest_data_day(self) -> dt.date | None:
        return latest_order_day()

    def recent_features(self, *, segment: str, start: dt.date, end: dt.date) -> pd.DataFrame:
        return line_frame(start=start, end=end)[["quantity", "value"]]


def _library_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for package in ("numpy", "pandas", "scipy", "scikit-learn", "statsmodels"):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            continue
    return versions


insights_settings()  # a bad value in the environment stops the start, not the first run
contract.register_adapter(InsightsAdapter())

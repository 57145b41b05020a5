"""Recommendations' adapter to the model lifecycle: orders, catalogue, shops and feedback from the database, the
engine (``recommendations.ml``: candidate generators, a LightGBM ranker per list, business rules, reasons) judged
on a time split against popularity and frequency, its own artifact format zipped, lists for one shop on demand,
the nightly lists of every active shop, and live uptake once orders follow."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

import pandas as pd

from retailiq.features import recorded
from retailiq.registry import adapters as contract
from retailiq.registry.selectors import as_of_after

from .conf import recommendations_settings
from .features import CANDIDATE_FEATURES, check_candidates, with_feature_checks
from .models import Recommendation
from .selectors import (
    CAPABILITY,
    history_window,
    latest_order_day,
    order_frame,
    scoring_retailer_ids,
)
from .services.batch import recommendations_write
from .services.lists import LISTS, live_uptake, shop_lists

NO_HISTORY = "There is no order history yet; import orders or load the demo data first."
LIST_PARAMS = ("generators",)


def _as_of(params: dict[str, Any]) -> dt.date:
    return contract.day_from_params(
        params, otherwise=lambda: as_of_after(last) if (last := latest_order_day()) else None, missing=NO_HISTORY
    )


def training_params(params: dict[str, Any]) -> dict[str, Any]:
    """The settings' defaults (RETAILIQ_RECOMMENDATIONS_TRAIN_PARAMS) under the job's own parameters (see
    ``contract.model_params``)."""
    return contract.model_params(recommendations_settings().train_params, params, list_params=LIST_PARAMS)


class RecommendationsAdapter:
    capability = CAPABILITY
    label = "Recommendations"
    headline_metrics = (
        contract.Metric("ndcg_at_10_discover", "Discover NDCG@10", better=contract.HIGHER, summary=True),
        contract.Metric("popularity_ndcg_at_10_discover", "Popularity NDCG@10", better=contract.HIGHER),
        contract.Metric("ndcg_at_10_buy_again", "Buy again NDCG@10", better=contract.HIGHER, summary=True),
        contract.Metric("frequency_ndcg_at_10_buy_again", "Frequency NDCG@10", better=contract.HIGHER),
        contract.Metric("recall_at_10_discover", "Discover recall@10", better=contract.HIGHER),
        contract.Metric(
            "coverage_at_10_discover", "Discover coverage", format=contract.PERCENT, better=contract.HIGHER
        ),
    )
    live_metric = contract.Metric(
        "uptake_14",
        "Uptake, 14 days",
        format=contract.PERCENT,
        better=contract.HIGHER,
        help="Share of recommended products the shop ordered within 14 days of the list, per week",
    )
    urls = "recommendations.urls"
    mount = ""
    api_urls = "recommendations.api_urls"
    navigation = (
        contract.NavEntry("Recommended", "recommendations:retailer", roles=("retailer",), order=25),
        contract.NavEntry("Prospects", "recommendations:vendor", roles=("vendor",), order=45),
        contract.NavEntry("Uptake", "recommendations:uptake", roles=("analyst",), order=115),
    )
    home_panels = (
        contract.HomePanel(
            role="retailer",
            title="Suggested for you",
            url_name="recommendations:retailer-panel",
            slug="suggested",
            loading="Finding products shops like yours buy…",
            link_label="See all recommendations",
            link_url_name="recommendations:retailer",
            stylesheets=("css/recommendations.css",),
        ),
        contract.HomePanel(
            role="sales_rep",
            title="Cross-sell to pitch",
            url_name="recommendations:rep-panel",
            slug="pitch",
            loading="Finding products to pitch to your shops…",
            stylesheets=("css/recommendations.css",),
        ),
        contract.HomePanel(
            role="vendor",
            title="Where your products are recommended",
            url_name="recommendations:vendor-panel",
            slug="recommended",
            loading="Counting the shops your products are recommended to…",
            link_label="Prospects",
            link_url_name="recommendations:vendor",
        ),
    )
    job_kinds = (contract.TRAIN, contract.SCORE)

    # Training and evaluation
    def load_training_data(self, *, segment: str, params: dict[str, Any]) -> contract.TrainingData:
        from .selectors import feedback_frame, product_frame, retailer_frame

        last = latest_order_day()
        if last is None:
            raise ValueError(NO_HISTORY)
        as_of = dt.date.fromisoformat(str(params["as_of"])) if params.get("as_of") else as_of_after(last)
        start, end = history_window(as_of)
        if params.get("history_days"):
            start = end - dt.timedelta(days=int(params["history_days"]) - 1)
        orders = order_frame(start=start, end=end)
        if orders.empty:
            raise ValueError(f"No order between {start} and {end}; there is nothing to learn from.")
        # Everything training reads travels (and is hashed) here: the catalogue and shops the content and peer
        # generators read, and the shops' feedback (their dismissals are held out of the evaluated lists; their
        # clicks and adds to cart add confidence to those pairs).
        return contract.TrainingData(
            frame=orders,
            data_start=start,
            data_end=end,
            features=orders[["quantity"]],
            extra_frames={
                "products": product_frame(),
                "retailers": retailer_frame(),
                "feedback": feedback_frame(end=end),
            },
        )

    def train(self, data: contract.TrainingData, *, params: dict[str, Any], progress) -> contract.TrainedModel:
        from .ml.artifact import to_bytes
        from .ml.holdout import holdout_metrics, label_days_for, lists_served_by_baseline
        from .training import SERVED_LISTS, build_recommender, dismissed_rules

        chosen = training_params(params)
        products, retailers = data.extra_frames["products"], data.extra_frames["retailers"]
        chosen["label_days"] = label_days_for(
            data.frame, int(chosen.get("label_days") or recommendations_settings().label_days)
        )
        recommender = build_recommender(chosen)
        progress("evaluating", 30, f"time split, last {chosen['label_days']} days held out")
        metrics = holdout_metrics(
            data.frame,
            products,
            retailers,
            options=recommender.options,
            generators=recommender.generators,
            rules=dismissed_rules(data.extra_frames.get("feedback")),
            feedback=data.extra_frames.get("feedback"),
            feature_check=check_candidates,
        )
        progress("training", 65, "fitting on all the history")
        recommender.fit(data.frame, products, retailers, feedback=data.extra_frames.get("feedback"))
        metrics["training_retailers"] = float(recommender.training_["retailers"])
        # A list whose ranker did not beat its baseline on the held-out window is ranked by the baseline; the
        # models page names which serves (1: the baseline, 0: the ranker).
        for kind, generator in lists_served_by_baseline(metrics).items():
            if kind in recommender.rankers_:
                recommender.serve_baseline(kind, generator)
        for kind in SERVED_LISTS:
            metrics[f"baseline_serves_{kind}"] = float(kind in recommender.baseline_serves_)
        algorithm = "lgbm_ranker" + "".join(
            f"; {kind.replace('_', ' ')}: {generator}"
            for kind, generator in sorted(recommender.baseline_serves_.items())
        )
        return contract.TrainedModel(
            algorithm=algorithm,  # "lgbm_ranker; discover: popularity" where popularity ranks that list
            artifact_name="recommender.zip",
            artifact_bytes=to_bytes(recommender),
            metrics=metrics,
            params={**chosen, **recorded(CANDIDATE_FEATURES)},
            library_versions=_library_versions(),
        )

    # Serving
    def load(self, artifact: bytes, *, algorithm: str) -> Any:
        from .ml.artifact import from_bytes

        return with_feature_checks(from_bytes(artifact))

    def baseline(self) -> Any:
        from .training import BaselineFromHistory

        return BaselineFromHistory()

    def predict(self, model: Any, inputs: dict[str, Any]) -> dict[str, Any]:
        """inputs: retailer_id, as_of, kind (discover, buy_again, bundle), k, and for a bundle optionally
        product_id (the anchor; the shop's last basket otherwise)."""
        as_of = dt.date.fromisoformat(str(inputs["as_of"]))
        kind = str(inputs.get("kind") or "discover")
        k = int(inputs.get("k") or 10)
        anchor = inputs.get("product_id")
        rows = shop_lists(
            model, [int(inputs["retailer_id"])], as_of=as_of, kinds=(kind,), k=k, anchor=anchor and int(anchor)
        )
        items = [
            {
                "product_id": int(row["product_id"]),
                "rank": int(row["rank"]),
                "score": round(float(row["score"]), 4),
                "reason": str(row["reason"]),
                "source": str(row["source"]),
            }
            for row in rows.to_dict(orient="records")
        ]
        return {"as_of": as_of.isoformat(), "kind": kind, "items": items}

    # Batch scoring
    def scoring_params(self, params: dict[str, Any]) -> dict[str, Any]:
        chunk_size = params.get("chunk_size") or recommendations_settings().scoring_chunk_size
        return {**params, "as_of": _as_of(params).isoformat(), "chunk_size": int(chunk_size)}

    def scoring_entities(self, *, segment: str, params: dict[str, Any]) -> list[int]:
        return scoring_retailer_ids(as_of=_as_of(params))

    def score(self, model: Any, entity_ids: Sequence[int], *, params: dict[str, Any]) -> pd.DataFrame:
        as_of = _as_of(params)
        size = recommendations_settings().list_size
        return shop_lists(model, list(entity_ids), as_of=as_of, kinds=LISTS, k=size).assign(as_of=as_of)

    def write_predictions(self, *, model_version_id: int, predictions: pd.DataFrame) -> int:
        return recommendations_write(model_version_id=model_version_id, rows=predictions)

    def prediction_table(self) -> contract.PredictionTable:
        return contract.PredictionTable(Recommendation, "as_of")

    # Monitoring
    def live_accuracy(self, *, model_version_ids: Sequence[int], since: dt.date) -> pd.DataFrame:
        return live_uptake(model_version_ids=model_version_ids, since=since)

    def latest_data_day(self) -> dt.date | None:
        return latest_order_day()

    def recent_features(self, *, segment: str, start: dt.date, end: dt.date) -> pd.DataFrame:
        return order_frame(start=start, end=end)[["quantity"]]


def _library_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for package in ("numpy", "pandas", "scipy", "lightgbm", "implicit", "scikit-learn"):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            continue
    return versions


recommendations_settings()  # a bad value in the environment stops the start, not the first run
contract.register_adapter(RecommendationsAdapter())

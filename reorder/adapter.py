"""Reorder's adapter to the model lifecycle: the order history from the database, the ML's
``train_reorder_model`` (LightGBM, optionally blended with neural nets, over stacked cutoffs; served only where it
beats the strong logistic baseline), its artifact, on-demand predictions for one shop, nightly scoring of every
active shop, and live accuracy once the next 14 days are known.
"""

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from retailiq.features import recorded
from retailiq.registry import adapters as contract
from retailiq.registry.selectors import as_of_after

from .conf import reorder_settings
from .features import (
    PAIR_FEATURES,
    lookback_days,
    market_context_compute,
    market_context_warm,
    offline_pair_features,
    online_pair_features,
    shop_history,
    shops_pair_features,
)
from .ml.features import MarketContext
from .models import ReorderPrediction
from .selectors import (
    CAPABILITY,
    active_retailer_ids,
    call_outcomes_frame,
    latest_order_day,
    order_history_before,
    order_history_frame,
)
from .services.batch import active_pairs, prediction_rows, predictions_write
from .services.horizons import reorder_horizons

ACCURACY_HORIZON_DAYS = 14  # live accuracy: did the pair order within 14 days of the prediction
CALL_ORDER = ["date", "retailer_id", "product_id", "outcome"]
LIST_PARAMS = ("members",)  # given as "a,b" on the command line (`train_models --param members=lightgbm,ffn`)


def _as_of(params: dict[str, Any]) -> dt.date:
    """The day predictions are made as of: given, or the morning after the last day of orders."""
    return contract.day_from_params(
        params,
        otherwise=lambda: as_of_after(last) if (last := latest_order_day()) else None,
        missing="There is no order history yet; import orders or load the demo data first.",
    )


# The horizon and co-occurrence features (reorder.ml.horizon_features) compare a pair with every shop's intervals
# and baskets of its product; the feature store's market context carries what they need (per-product interval
# figures, basket co-occurrence counts), so a model trained with them still answers one shop from its own lines and
# scores in chunks. They are the features that meet the 14-day goal on Online Retail (docs/benchmarks.md), so the
# product trains with them, as the pure training code and the benches do ("horizon_features=false" turns them off).
APP_TRAINING_DEFAULTS = {"horizon_features": "true"}


def training_params(params: dict[str, Any]) -> dict[str, Any]:
    """What reaches ``train_reorder_model``: the app's defaults, then the settings' (RETAILIQ_REORDER_TRAIN_PARAMS),
    under the job's own parameters (see ``contract.model_params``)."""
    defaults = {**APP_TRAINING_DEFAULTS, **reorder_settings().train_params}
    return contract.model_params(defaults, params, list_params=LIST_PARAMS)


class ReorderAdapter:
    capability = CAPABILITY
    label = "Reorder prediction"
    headline_metrics = (
        contract.Metric("roc_auc", "ROC AUC", better=contract.HIGHER, summary=True),
        contract.Metric("pr_auc", "PR AUC", better=contract.HIGHER, summary=True),
        contract.Metric(
            "roc_auc_over_strong",
            "ROC AUC over strong baseline",
            better=contract.HIGHER,
            help="test ROC AUC of the served model minus the strong logistic baseline's (0 when the baseline serves)",
        ),
        contract.Metric("brier", "Brier", summary=True),
        contract.Metric("ece_after", "Calibration error"),
        contract.Metric("quantity_mae", "Quantity MAE"),
    )
    live_metric = contract.Metric(
        "brier_14", "Brier, 14 days", help="Brier score of the 14-day probability against whether the pair ordered"
    )
    urls = "reorder.urls"
    mount = ""
    api_urls = "reorder.api_urls"
    navigation = (
        contract.NavEntry("Time to reorder", "reorder:suggestions", roles=("retailer",), order=20),
        contract.NavEntry("Call list", "reorder:call-list", roles=("sales_rep",), order=50),
    )
    home_panels = (
        contract.HomePanel(
            role="retailer",
            title="Time to reorder",
            url_name="reorder:suggestions-panel",
            slug="reorder",
            loading="Looking for products you will need soon…",
            link_label="Review the cart",
            link_url_name="reorder:suggestions",
            first=True,
        ),
        contract.HomePanel(
            role="sales_rep",
            title="Today's calls",
            url_name="reorder:call-list-panel",
            slug="calls",
            loading="Finding the retailers most likely to reorder…",
            link_label="Open the call list",
            link_url_name="reorder:call-list",
            first=True,
            stylesheets=("css/reorder.css",),
        ),
    )
    job_kinds = (contract.TRAIN, contract.SCORE)

    # Training and evaluation
    def load_training_data(self, *, segment: str, params: dict[str, Any]) -> contract.TrainingData:
        last = latest_order_day()
        if last is None:
            raise ValueError("There is no order history yet; import orders or load the demo data first.")
        end = dt.date.fromisoformat(str(params["as_of"])) - dt.timedelta(days=1) if params.get("as_of") else last
        days = int(params.get("history_days") or reorder_settings().history_days)
        start = end - dt.timedelta(days=days - 1)
        frame = order_history_frame(start=start, end=end)
        if frame.empty:
            raise ValueError(f"No order between {start} and {end}; there is nothing to learn from.")
        features = frame[["quantity", "unit_price", "discount_rate"]]
        # Reps' recorded outcomes are learned from too, so they travel (and are hashed) with the orders; in a fixed
        # order, since the model's features break ties between calls of one day by their order.
        calls = call_outcomes_frame(start=start, end=end).sort_values(CALL_ORDER, kind="stable", ignore_index=True)
        return contract.TrainingData(
            frame=frame, data_start=start, data_end=end, features=features, extra_frames={"calls": calls}
        )

    def train(self, data: contract.TrainingData, *, params: dict[str, Any], progress) -> contract.TrainedModel:
        """Hand the history and the recorded calls to the ML's one training entry point."""
        from reorder.ml.pipeline import train_reorder_model

        result = train_reorder_model(
            data.frame,
            horizons=reorder_horizons(),
            # Each cutoff reads the days serving reads, so the store's online rows are the rows training saw.
            params={"lookback_days": lookback_days(), **training_params(params)},
            progress=progress,
            calls=data.extra_frames.get("calls"),
        )
        return contract.TrainedModel(
            algorithm=result.algorithm,
            artifact_name="reorder.zip",
            artifact_bytes=result.model.to_bytes(),
            metrics=result.metrics,
            params={**result.params, **recorded(PAIR_FEATURES)},
            library_versions=_library_versions(),
        )

    # Serving
    def load(self, artifact: bytes, *, algorithm: str) -> Any:
        from reorder.ml.pipeline import load_model

        return load_model(artifact)

    def baseline(self) -> Any:
        from reorder.ml.pipeline import BaselineReorderModel

        return BaselineReorderModel(horizons=reorder_horizons())

    def predict(self, model: Any, inputs: dict[str, Any]) -> dict[str, Any]:
        """inputs: retailer_id, as_of, and optionally product_ids. The shop's features come from the feature
        store's online path: its own lines and the cached market context (see :mod:`reorder.features`). The
        registry caches the answer per version and inputs."""
        as_of = dt.date.fromisoformat(str(inputs["as_of"]))
        products = None if inputs.get("product_ids") is None else [int(p) for p in inputs["product_ids"]]
        rows = self._predict_rows(model, as_of, [int(inputs["retailer_id"])], product_ids=products)
        return {"as_of": as_of.isoformat(), "predictions": [_json_row(row) for row in rows.to_dict(orient="records")]}

    def _predict_rows(
        self,
        model: Any,
        as_of: dt.date,
        retailer_ids: Sequence[int],
        context: MarketContext | None = None,
        product_ids: Sequence[int] | None = None,
    ) -> pd.DataFrame:
        """The shops' predictions as of the day, in the columns the batch writer stores; with ``product_ids``, only
        those products' (a pair's answer reads only its own row, so the model scores and explains only the pairs
        asked about: explaining a pair is the most expensive part of an answer).

        One shop reads the feature store's online rows (its own lines, the cached market context); a scoring
        chunk given its job's ``context`` reads only its shops' lines the same way; otherwise several shops read
        the whole history once and take the offline rows, which are the same function's. A model with rhythm
        features compares every pair of a product, so it always reads the whole history (the horizon features'
        marketplace half is in the market context, so they need no such read). The baseline reads only a
        pair's own figures, so it reads only the shops asked about and needs no market context."""
        from reorder.ml.call_features import uses_call_features
        from reorder.ml.decay_features import uses_decay_features
        from reorder.ml.pipeline import BaselineReorderModel
        from reorder.ml.rhythm_features import uses_rhythm_features

        baseline = isinstance(model, BaselineReorderModel)
        names = list(getattr(model, "feature_names", []))
        # Rhythm features compare a pair with every shop's intervals of its product, which the market context does
        # not hold: such a model reads the whole history and computes its own rows.
        rhythm = uses_rhythm_features(names)
        # The decayed features read only the shop's own lines: every path computes them when the model uses them.
        decay = uses_decay_features(names)
        online = len(retailer_ids) == 1 and not rhythm and not baseline
        chunk = context is not None and not rhythm and not baseline
        if online:
            history = shop_history(retailer_id=int(retailer_ids[0]), as_of=as_of)
        elif chunk:
            history = order_history_before(as_of=as_of, retailer_ids=list(retailer_ids))
        else:
            history = order_history_before(as_of=as_of, retailer_ids=list(retailer_ids) if baseline else None)
        if history.empty:
            return prediction_rows(_empty_prediction(reorder_horizons()), as_of=as_of)
        # A model trained with calls reads them (only the shops asked about: call features are per shop and pair);
        # the baseline and a model without call features read only the orders.
        calls = None
        if not baseline and uses_call_features(names):
            calls = call_outcomes_frame(end=as_of - dt.timedelta(days=1), retailer_ids=retailer_ids)
        features = None
        if chunk:
            features = shops_pair_features(history=history, as_of=as_of, context=context, decay=decay)
        elif online:
            features = online_pair_features(retailer_id=int(retailer_ids[0]), as_of=as_of, history=history, decay=decay)
        elif not rhythm:
            features = offline_pair_features(history, as_of, decay=decay)
            if not baseline:  # the whole marketplace was read: keep its context for the shops asked about later
                market_context_warm(history, as_of)
        if features is not None:
            # Only the pairs still active are answered (``active_pairs`` below): the model scores no others.
            active = features["days_since_last_order"] <= reorder_settings().active_days
            if product_ids is not None:
                active &= features["product_id"].isin(product_ids)
            features = features[active].reset_index(drop=True)
        predicted = model.predict(history, pd.Timestamp(as_of), calls=calls, features=features)
        predicted = predicted[predicted["retailer_id"].isin([int(r) for r in retailer_ids])]
        if product_ids is not None:
            predicted = predicted[predicted["product_id"].isin(product_ids)]
        return active_pairs(prediction_rows(predicted, as_of=as_of), as_of=as_of).reset_index(drop=True)

    # Batch scoring
    def scoring_params(self, params: dict[str, Any]) -> dict[str, Any]:
        """Fix the day for every chunk, and, when the shops make more than one chunk, the marketplace's half of
        the features: computed here once, from every shop's history, and shared through the cache, so each chunk
        reads only its own shops' lines. One chunk of every shop reads the whole history anyway and needs none."""
        chunk_size = int(params.get("chunk_size") or reorder_settings().scoring_chunk_size)
        as_of = _as_of(params)
        fixed = {**params, "as_of": as_of.isoformat(), "chunk_size": chunk_size, "context_key": None}
        if len(self.scoring_entities(segment="", params=fixed)) > chunk_size:
            fixed["context_key"] = scoring_context_store(as_of=as_of)
        return fixed

    def scoring_entities(self, *, segment: str, params: dict[str, Any]) -> list[int]:
        """Shops with an order within the active window before the day."""
        as_of = _as_of(params)
        since = as_of - dt.timedelta(days=reorder_settings().active_days)
        return active_retailer_ids(start=since, end=as_of - dt.timedelta(days=1))

    def score(self, model: Any, entity_ids: Sequence[int], *, params: dict[str, Any]) -> pd.DataFrame:
        as_of = _as_of(params)
        context = scoring_context(as_of=as_of, key=params["context_key"]) if params.get("context_key") else None
        return self._predict_rows(model, as_of, entity_ids, context=context)

    def write_predictions(self, *, model_version_id: int, predictions: pd.DataFrame) -> int:
        return predictions_write(model_version_id=model_version_id, rows=predictions)

    def prediction_table(self) -> contract.PredictionTable:
        return contract.PredictionTable(ReorderPrediction, "as_of")

    # Monitoring
    def live_accuracy(self, *, model_version_ids: Sequence[int], since: dt.date) -> pd.DataFrame:
        """Per version and prediction day whose 14 days are over: ROC AUC and Brier score of the 14-day
        probability against whether the pair ordered in those days."""
        columns = ["model_version_id", "day", "metric", "value", "observations"]
        last = latest_order_day()
        if last is None:
            return pd.DataFrame(columns=columns)
        closed = last - dt.timedelta(days=ACCURACY_HORIZON_DAYS - 1)  # as_of + 14 days <= last + 1
        predictions = pd.DataFrame.from_records(
            ReorderPrediction.objects.filter(
                model_version_id__in=list(model_version_ids), as_of__gte=since, as_of__lte=closed
            ).values_list("model_version_id", "as_of", "retailer_id", "product_id", "probabilities"),
            columns=["model_version_id", "as_of", "retailer_id", "product_id", "probabilities"],
        )
        if predictions.empty:
            return pd.DataFrame(columns=columns)
        key = str(ACCURACY_HORIZON_DAYS)
        predictions["p"] = [float(p.get(key, np.nan)) for p in predictions["probabilities"]]
        predictions = predictions.dropna(subset=["p"])
        start = predictions["as_of"].min()
        orders = order_history_frame(
            start=start,
            end=predictions["as_of"].max() + dt.timedelta(days=ACCURACY_HORIZON_DAYS - 1),
            retailer_ids=predictions["retailer_id"].unique().tolist(),
        )[["retailer_id", "product_id", "date"]].drop_duplicates()
        out = []
        for (version_id, as_of), group in predictions.groupby(["model_version_id", "as_of"]):
            window = orders[
                (orders["date"] >= pd.Timestamp(as_of))
                & (orders["date"] < pd.Timestamp(as_of + dt.timedelta(days=ACCURACY_HORIZON_DAYS)))
            ]
            ordered = (
                group.merge(
                    window[["retailer_id", "product_id"]].drop_duplicates().assign(y=1),
                    on=["retailer_id", "product_id"],
                    how="left",
                )["y"]
                .fillna(0)
                .to_numpy()
            )
            p = group["p"].to_numpy()
            n = len(group)
            out.append((version_id, as_of, "brier_14", float(np.mean((p - ordered) ** 2)), n))
            if 0 < ordered.sum() < n:
                from sklearn.metrics import roc_auc_score

                out.append((version_id, as_of, "roc_auc_14", float(roc_auc_score(ordered, p)), n))
        return pd.DataFrame(out, columns=columns)

    def latest_data_day(self) -> dt.date | None:
        return latest_order_day()

    def recent_features(self, *, segment: str, start: dt.date, end: dt.date) -> pd.DataFrame:
        return order_history_frame(start=start, end=end)[["quantity", "unit_price", "discount_rate"]]


CONTEXT_SECONDS = 6 * 60 * 60  # outlives any scoring job; a chunk that finds it gone recomputes it


def scoring_context_store(*, as_of: dt.date) -> str:
    """Compute the whole marketplace's context as of the day (one read of every shop's lines) and keep it in the
    cache every worker shares, under a key of this job's own: a new order while the job runs changes the data
    version, and the job's chunks must still share one context. Returns the key."""
    from django.core.cache import cache

    key = f"reorder:scoring-context:{as_of.isoformat()}:{uuid.uuid4().hex}"
    cache.set(key, market_context_compute(as_of), CONTEXT_SECONDS)
    return key


def scoring_context(*, as_of: dt.date, key: str) -> MarketContext:
    """The context the job's planner stored; recomputed (and stored again) when the cache lost it, so a chunk is
    never wrong, only slower."""
    from django.core.cache import cache

    context = cache.get(key)
    if context is None:
        context = market_context_compute(as_of)
        cache.set(key, context, CONTEXT_SECONDS)
    return context


def _empty_prediction(horizons: Sequence[int]) -> pd.DataFrame:
    columns = ["retailer_id", "product_id", *(f"probability_{h}" for h in horizons)]
    columns += ["expected_quantity", "expected_date", "last_order_date", "days_since_last_order", "interval_mean"]
    columns += ["days_overdue", "unit_price", "reasons"]
    return pd.DataFrame({c: pd.Series(dtype="datetime64[ns]" if c.endswith("date") else "float") for c in columns})


def _json_row(row: dict[str, Any]) -> dict[str, Any]:
    """A prediction row as plain JSON values (the registry caches and returns it as is)."""
    return {
        "product_id": int(row["product_id"]),
        "probabilities": {k: round(float(v), 4) for k, v in row["probabilities"].items()},
        "expected_quantity": round(float(row["expected_quantity"]), 2),
        "expected_date": row["expected_date"].isoformat(),
        "expected_value": round(float(row["expected_value"]), 2),
        "last_order_date": row["last_order_date"].isoformat(),
        "days_overdue": round(float(row["days_overdue"]), 1),
        "unit_price": round(float(row["unit_price"]), 2),
        "reasons": list(row["reasons"]),
    }


def _library_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    versions = {"numpy": np.__version__, "pandas": pd.__version__}
    for package in ("lightgbm", "scikit-learn", "tensorflow-cpu", "keras"):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            continue
    return versions


reorder_settings()  # a bad value in the environment stops the start, not the first run
contract.register_adapter(ReorderAdapter())

"""Reorder's features through the feature store: the rows training computes for a cutoff from the whole
marketplace are, shop by shop, the rows serving computes for that shop alone; the version records its feature set
and serving refuses one trained on other features."""

import datetime as dt
import uuid

import pandas as pd
import pytest

import reorder.features as store
from reorder.adapter import ReorderAdapter
from reorder.features import PAIR_FEATURES, market_context_at, offline_pair_features, online_pair_features
from reorder.ml.features import feature_columns
from reorder.services.predictions import predict_reorder
from retailiq.accounts.models import User
from retailiq.features import FeatureValidationError, recorded
from retailiq.registry.models import Job, JobState, ModelVersion
from retailiq.registry.services import training_job_run
from retailiq.registry.services.versions import serving_cache_key
from retailiq.retailers.models import Retailer

END = dt.date(2026, 11, 21)  # the `demo` fixture's last day (tests/conftest.py)
CUTOFF = END - dt.timedelta(days=30)  # a training cutoff with a month of labels after it


def _training_frame() -> pd.DataFrame:
    """What the registry hands training: the adapter's own read of the whole marketplace."""
    return ReorderAdapter().load_training_data(segment="", params={}).frame


def _assert_online_equals_offline(cutoff: dt.date, decay: bool = False) -> int:
    offline = offline_pair_features(_training_frame(), cutoff, decay=decay)
    shops = sorted(offline["retailer_id"].unique())
    assert len(shops) > 5
    for shop in shops:
        online = online_pair_features(retailer_id=int(shop), as_of=cutoff, decay=decay)
        expected = offline[offline["retailer_id"] == shop].reset_index(drop=True)
        pd.testing.assert_frame_equal(online, expected, check_exact=False, rtol=1e-9)
    return len(shops)


def test_online_features_of_each_shop_equal_the_training_rows_at_the_same_cutoff(demo):
    assert _assert_online_equals_offline(CUTOFF) == Retailer.objects.filter(orders__isnull=False).distinct().count()


def test_the_horizon_and_co_occurrence_columns_come_from_the_context_alone(demo):
    """The horizon columns compare a pair with every shop's intervals and baskets of its product: online, from the
    cached context and the shop's own lines, they are the training rows' (compared above with every column); here,
    that they are there and carry information, so the equality is not one of zeros."""
    offline = offline_pair_features(_training_frame(), CUTOFF)
    horizon = [c for c in PAIR_FEATURES.column_names if c.startswith(("horizon_", "cooc_due_"))]
    assert len(horizon) == 8
    assert all(offline[c].nunique() > 5 for c in horizon)
    context = market_context_at(CUTOFF)
    assert context.horizon is not None and context.horizon.cooccurrence.nnz > 0
    shop = int(offline["retailer_id"].iloc[0])
    online = online_pair_features(retailer_id=shop, as_of=CUTOFF)
    expected = offline.loc[offline["retailer_id"] == shop, horizon].reset_index(drop=True)
    pd.testing.assert_frame_equal(online[horizon], expected, check_exact=False, rtol=1e-9)


def test_the_decayed_repeat_and_rhythm_features_are_equal_online_and_offline_too(demo, monkeypatch):
    monkeypatch.setattr(store, "lookback_days", lambda: 45)
    assert _assert_online_equals_offline(CUTOFF, decay=True) > 5


def test_they_stay_equal_when_the_lookback_is_shorter_than_the_history(demo, monkeypatch):
    monkeypatch.setattr(store, "lookback_days", lambda: 45)
    offline = offline_pair_features(_training_frame(), CUTOFF)
    assert offline["pair_age_days"].max() <= 45  # the window really cut the history
    _assert_online_equals_offline(CUTOFF)


def test_the_rows_are_the_declared_feature_set(demo):
    features = offline_pair_features(_training_frame(), CUTOFF)
    assert feature_columns(features) == PAIR_FEATURES.column_names


def test_the_market_context_is_computed_once_per_day_and_data_version(demo, django_assert_max_num_queries):
    market_context_at(CUTOFF)
    shop = Retailer.objects.filter(orders__isnull=False).first()
    # A warm context leaves the shop's own lines and the data version to read.
    with django_assert_max_num_queries(3):
        online_pair_features(retailer_id=shop.pk, as_of=CUTOFF)


def test_batch_scoring_warms_the_context_for_the_shops_asked_about_later(demo, django_assert_max_num_queries):
    offline = offline_pair_features(_training_frame(), CUTOFF)
    shop = int(offline["retailer_id"].iloc[-1])
    store.market_context_warm(_training_frame(), CUTOFF)
    with django_assert_max_num_queries(3):
        online = online_pair_features(retailer_id=shop, as_of=CUTOFF)
    expected = offline[offline["retailer_id"] == shop].reset_index(drop=True)
    pd.testing.assert_frame_equal(online, expected, check_exact=False, rtol=1e-9)


def test_a_broken_feature_frame_is_refused_by_name(demo, monkeypatch):
    import reorder.features as module

    real = module.features_from_valid_history

    def leaky(*args, **kwargs):
        return real(*args, **kwargs).assign(share_of_wallet=2.0)

    monkeypatch.setattr(module, "features_from_valid_history", leaky)
    with pytest.raises(FeatureValidationError, match=r"reorder.pair: column share_of_wallet has \d+ values above 1"):
        offline_pair_features(_training_frame(), CUTOFF)


FAST = {"members": "lightgbm", "n_cutoffs": "8", "step_days": "7", "refit": "false"}


def test_the_version_records_its_feature_set_and_serving_refuses_another(demo):
    job = Job.objects.create(kind="train", capability="reorder", idempotency_key=f"test:{uuid.uuid4()}", params=FAST)
    job = training_job_run(job_id=job.pk, worker="test")
    assert job.state == JobState.SUCCEEDED, job.error
    version = job.model_version
    assert version.params["feature_set"] == recorded(PAIR_FEATURES)["feature_set"]
    assert version.params["lookback_days"] == store.lookback_days()

    analyst = User.objects.filter(role="analyst").first()
    shop = Retailer.objects.filter(orders__isnull=False).first()
    served = predict_reorder(user=analyst, retailer_id=shop.pk)
    assert served["model"]["version"] == version.pk and not served["model"]["fallback"]

    ModelVersion.objects.filter(pk=version.pk).update(
        params={**version.params, "feature_set": {"name": "reorder.pair", "version": "0.stale"}}
    )
    from django.core.cache import cache

    cache.delete(serving_cache_key("reorder", ""))
    refused = predict_reorder(user=analyst, retailer_id=shop.pk)
    assert refused["model"]["fallback"] and refused["model"]["version"] is None
    assert f"Version {version.pk} is not served" in refused["model"]["note"]
    assert "reorder.pair@0.stale" in refused["model"]["note"] and PAIR_FEATURES.label in refused["model"]["note"]


def test_a_new_order_replaces_the_context_kept_in_the_process(demo):
    """The process keeps the market context under the cache's key, which names the data version: an order
    placed before the cutoff is in the next answer, online still equal to offline, never a stale context."""
    from decimal import Decimal

    from django.core.cache import cache
    from django.utils import timezone

    from retailiq.catalog.models import Product
    from retailiq.orders.services import LineInput, order_create

    before = market_context_at(CUTOFF)
    assert market_context_at(CUTOFF) is before  # kept: the second shop asked about does not unpickle it
    shop = Retailer.objects.filter(orders__isnull=False).first()
    product = Product.objects.order_by("pk").last()
    placed = timezone.make_aware(dt.datetime.combine(CUTOFF - dt.timedelta(days=3), dt.time(10)))
    order_create(
        external_id="store-test-1",
        retailer_id=shop.pk,
        placed_at=placed,
        lines=[LineInput(product_id=product.pk, quantity=40, unit_price=Decimal("3.50"))],
    )
    cache.delete("dashboards:data-version")  # the version is memoised for seconds; a later request reads it anew
    after = market_context_at(CUTOFF)
    assert after is not before
    assert after.products.loc[product.pk, "product_total_quantity"] >= 40
    offline = offline_pair_features(_training_frame(), CUTOFF)
    online = online_pair_features(retailer_id=shop.pk, as_of=CUTOFF)
    expected = offline[offline["retailer_id"] == shop.pk].reset_index(drop=True)
    pd.testing.assert_frame_equal(online, expected, check_exact=False, rtol=1e-9)
    assert product.pk in set(online["product_id"])


class _ServedRule:
    """A served model that reads the store's rows, as a trained one does (the rule of the baseline, which the
    adapter would otherwise answer from the shops' lines without the store)."""

    horizons = (7, 14, 30)
    feature_names: list[str] = []

    def predict(self, history, as_of, calls=None, *, features=None):
        from reorder.ml.pipeline import BaselineReorderModel

        return BaselineReorderModel(horizons=self.horizons).predict(history, as_of, calls, features=features)


def test_one_shops_answer_scores_only_its_active_pairs_and_equals_its_offline_rows(demo, monkeypatch):
    from reorder.conf import reorder_settings
    from reorder.services.batch import active_pairs, prediction_rows

    monkeypatch.setenv("RETAILIQ_REORDER_ACTIVE_DAYS", "20")  # short, so some pairs of each shop are inactive
    reorder_settings.cache_clear()
    try:
        model, history = _ServedRule(), _training_frame()
        offline = offline_pair_features(history, CUTOFF)
        inactive = offline[offline["days_since_last_order"] > 20]
        shop = int(inactive["retailer_id"].value_counts().index[0])
        answer = ReorderAdapter()._predict_rows(model, CUTOFF, [shop])
        rows = offline[offline["retailer_id"] == shop].reset_index(drop=True)
        expected = active_pairs(
            prediction_rows(model.predict(history, CUTOFF, features=rows), as_of=CUTOFF), as_of=CUTOFF
        )
        assert 0 < len(answer) < len(rows)
        pd.testing.assert_frame_equal(answer, expected.reset_index(drop=True), check_exact=False, rtol=1e-9)
    finally:
        reorder_settings.cache_clear()


class _CountingRule(_ServedRule):
    """The served rule, remembering how many pairs it was asked to score (and so to explain)."""

    def __init__(self) -> None:
        self.scored: list[int] = []

    def predict(self, history, as_of, calls=None, *, features=None):
        self.scored.append(len(features))
        return super().predict(history, as_of, calls, features=features)


def test_an_answer_for_some_products_scores_only_their_pairs_and_equals_the_whole_answers_rows(demo):
    from reorder.conf import reorder_settings

    offline = offline_pair_features(_training_frame(), CUTOFF)
    active = offline[offline["days_since_last_order"] <= reorder_settings().active_days]
    shop = int(active["retailer_id"].value_counts().index[0])
    adapter, model = ReorderAdapter(), _CountingRule()
    whole = adapter.predict(model, {"retailer_id": shop, "as_of": CUTOFF.isoformat()})
    assert len(whole["predictions"]) >= 4 and model.scored == [len(whole["predictions"])]
    wanted = [row["product_id"] for row in whole["predictions"]][::2]
    never_bought = int(offline["product_id"].max()) + 1000
    some = adapter.predict(
        model, {"retailer_id": shop, "as_of": CUTOFF.isoformat(), "product_ids": [*wanted, never_bought]}
    )
    assert model.scored[-1] == len(wanted)
    assert some["predictions"] == [row for row in whole["predictions"] if row["product_id"] in wanted]

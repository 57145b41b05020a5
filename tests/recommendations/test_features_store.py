"""Recommendations' candidate features through the feature store: one shop's rows equal the rows the batch computes
for it, every frame the rankers learn from or score is validated against the declared set (the failure named), and
the version records its set, so serving refuses one trained on other features."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from recommendations.features import CANDIDATE_FEATURES, generator_columns, shop_candidate_features
from recommendations.ml.ranker import RankerOptions
from recommendations.ml.recommender import GENERATOR_CLASSES, Recommender, RecommenderOptions
from recommendations.training import build_recommender
from retailiq.features import FeatureValidationError, recorded
from tests.recommendations.synthetic import marketplace

FAST = RecommenderOptions(per_generator=20, ranker=RankerOptions(num_boost_round=20, min_data_in_leaf=5))
KINDS = ("discover", "buy_again", "next_basket")


@pytest.fixture(scope="module")
def market():
    return marketplace(n_shops=40, n_products=30, days=150, seed=3)


@pytest.fixture(scope="module")
def model(market):
    return Recommender(options=FAST).fit(*market)


@pytest.mark.parametrize("kind", KINDS)
def test_one_shops_rows_equal_its_rows_in_the_batch(model, market, kind):
    shops = market[2]["retailer_id"].tolist()
    batch = shop_candidate_features(model, shops, kind=kind)
    assert batch["retailer_id"].nunique() == len(shops)
    for shop in shops[:12]:
        alone = shop_candidate_features(model, [shop], kind=kind)
        expected = batch[batch["retailer_id"] == shop].reset_index(drop=True)
        # float32 scores: a matrix product over a batch may round the last bits differently than over one row
        pd.testing.assert_frame_equal(alone, expected, check_exact=False, rtol=1e-5, atol=1e-7)


def test_the_rows_are_the_declared_feature_set(model, market):
    rows = shop_candidate_features(model, market[2]["retailer_id"].tolist(), kind="buy_again")
    assert list(rows.columns) == [*CANDIDATE_FEATURES.keys, *CANDIDATE_FEATURES.column_names]
    assert rows["days_since_last"].notna().all()  # buy again: every candidate was bought before


def test_the_declared_set_names_every_generator_the_recommender_knows():
    declared = set(CANDIDATE_FEATURES.column_names)
    for name in GENERATOR_CLASSES:
        assert set(generator_columns(name)) <= declared


def test_a_generator_out_of_range_stops_training_with_the_column_named(market):
    recommender = build_recommender({"per_generator": 20, "num_boost_round": 20})
    broken = next(g for g in recommender.generators if g.name == "peers")
    real = type(broken).score
    type(broken).score = lambda self, ids: -np.abs(real(self, ids)) - 1.0
    try:
        with pytest.raises(
            FeatureValidationError, match=r"recommendations.candidate: column peers has \d+ values below 0"
        ):
            recommender.fit(*market)
    finally:
        type(broken).score = real


def test_a_loaded_model_refuses_to_rank_on_missing_evidence(model, market, tmp_path):
    from recommendations.features import check_candidates, with_feature_checks

    model.save(tmp_path)
    served = with_feature_checks(Recommender.load(tmp_path))
    frequency = served.generators_["frequency"]
    real = frequency.evidence
    frequency.evidence = lambda ids: {**real(ids), "orders": np.full(real(ids)["orders"].shape, np.nan)}
    with pytest.raises(FeatureValidationError, match=r"recommendations\.candidate: column orders has 100% missing"):
        served.recommend(market[2]["retailer_id"].tolist()[:3], kind="next_basket", k=5)

    rows = shop_candidate_features(model, market[2]["retailer_id"].tolist()[:3], kind="discover")
    with pytest.raises(FeatureValidationError, match=r"recommendations\.candidate: column orders is absent"):
        check_candidates(rows.drop(columns=["orders"]), "discover")


def test_a_model_built_without_some_generators_validates_without_their_columns(market):
    recommender = build_recommender(
        {"generators": ["popularity", "content"], "per_generator": 20, "num_boost_round": 20}
    )
    model = recommender.fit(*market)
    rows = shop_candidate_features(model, market[2]["retailer_id"].tolist()[:5], kind="discover")
    assert "implicit_als" not in rows.columns and "content" in rows.columns


# --- Through the registry, on the tiny demo marketplace --------------------------------------------------------------

END = dt.date(2026, 3, 1)
TRAIN_PARAMS = {"generators": "popularity,peers,item_knn,content", "per_generator": 20, "num_boost_round": 30}


def test_the_version_records_its_feature_set_and_serving_refuses_another(db):
    from django.core.cache import cache

    from recommendations.services.shop import shop_recommendations
    from retailiq.accounts.models import User
    from retailiq.demo.generator import generate_marketplace
    from retailiq.demo.loader import load_marketplace
    from retailiq.registry.models import Job, JobKind, JobState, ModelVersion
    from retailiq.registry.services import training_job_run
    from retailiq.registry.services.versions import serving_cache_key
    from retailiq.retailers.models import Retailer

    load_marketplace(generate_marketplace(size="tiny", seed=5, end=END))
    job = Job.objects.create(kind=JobKind.TRAIN, capability="recommendations", idempotency_key="f", params=TRAIN_PARAMS)
    job = training_job_run(job_id=job.pk, worker="test")
    assert job.state == JobState.SUCCEEDED, job.error
    version = job.model_version
    assert version.params["feature_set"] == recorded(CANDIDATE_FEATURES)["feature_set"]

    analyst = User.objects.filter(role="analyst").first()
    shop = Retailer.objects.filter(orders__isnull=False).order_by("pk").first()
    served = shop_recommendations(user=analyst, retailer_id=shop.pk, kind="discover", k=5)
    assert served.model == f"{version.algorithm} v{version.pk}" and served.items

    ModelVersion.objects.filter(pk=version.pk).update(
        params={**version.params, "feature_set": {"name": "recommendations.candidate", "version": "0.stale"}}
    )
    cache.delete(serving_cache_key("recommendations", ""))
    refused = shop_recommendations(user=analyst, retailer_id=shop.pk, kind="discover", k=5)
    assert refused.model == "baseline (no trained model yet)"

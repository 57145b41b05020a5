"""The recommendations adapter on the tiny demo marketplace: training records metrics against the baselines and
hashes what it read, the artifact loads back, nightly lists are stored and served (dismissals still apply), a
vendor's reach and prospects read them, and live uptake has a row per list."""

import datetime as dt

import pytest

from recommendations.adapter import RecommendationsAdapter
from recommendations.models import Recommendation
from recommendations.services.feedback import feedback_record
from recommendations.services.reach import vendor_reach
from recommendations.services.shop import shop_recommendations
from retailiq.accounts.models import User
from retailiq.demo.generator import generate_marketplace
from retailiq.demo.loader import load_marketplace
from retailiq.registry.models import Job, JobKind, JobState
from retailiq.registry.services import scoring_job_create, scoring_job_run_here, training_job_run

END = dt.date(2026, 3, 1)
FAST = {"generators": "popularity,peers,item_knn,content", "per_generator": 20, "num_boost_round": 30}


@pytest.fixture
def trained(db):
    load_marketplace(generate_marketplace(size="tiny", seed=5, end=END))
    job = Job.objects.create(kind=JobKind.TRAIN, capability="recommendations", idempotency_key="t", params=FAST)
    job = training_job_run(job_id=job.pk, worker="test")
    assert job.state == JobState.SUCCEEDED, job.error
    scoring = scoring_job_create(capability="recommendations", user=None, idempotency_key="s")
    assert scoring_job_run_here(job_id=scoring.pk, worker="test").state == JobState.SUCCEEDED
    return job.model_version


def test_training_records_offline_metrics_beside_the_baselines(trained):
    metrics = trained.metrics
    for name in ("ndcg_at_10_discover", "popularity_ndcg_at_10_discover", "ndcg_at_10_buy_again"):
        assert 0 <= metrics[name] <= 1
    assert metrics["label_days"] >= 30 and trained.training_data_hash
    assert trained.params["generators"] == ["popularity", "peers", "item_knn", "content"]


def test_nightly_lists_are_stored_per_shop_and_list_and_served_from_there(trained):
    rows = Recommendation.objects.filter(model_version=trained)
    assert set(rows.values_list("kind", flat=True)) >= {"discover", "buy_again"}
    shop_id, kind = rows.values_list("retailer_id", "kind").first()
    owner = User.objects.filter(retailer_id=shop_id).first()
    analyst = User.objects.filter(role="analyst").first()
    user = owner or analyst
    found = shop_recommendations(user=user, retailer_id=shop_id, kind=kind, k=5)
    assert found.model == f"lgbm_ranker v{trained.pk}" and found.items
    first = found.items[0].product
    feedback_record(user=analyst, retailer_id=shop_id, product_id=first.pk, action="dismissed")
    again = shop_recommendations(user=user, retailer_id=shop_id, kind=kind, k=5)
    assert first not in [item.product for item in again.items]


def test_a_vendor_sees_where_its_products_are_recommended_and_its_prospects(trained):
    vendor = User.objects.filter(role="vendor").first()
    reach = vendor_reach(user=vendor)
    assert reach.stored
    own = set(vendor.vendor.products.values_list("pk", flat=True))
    assert {p.product_id for p in reach.products} <= own
    assert {p.product_id for p in reach.prospects} <= own


def test_live_uptake_per_week_and_list(trained):
    earlier = scoring_job_create(
        capability="recommendations",
        user=None,
        idempotency_key="s-earlier",
        params={"as_of": (END - dt.timedelta(days=40)).isoformat()},
    )
    assert scoring_job_run_here(job_id=earlier.pk, worker="test").state == JobState.SUCCEEDED
    uptake = RecommendationsAdapter().live_accuracy(model_version_ids=[trained.pk], since=END - dt.timedelta(days=90))
    assert {"uptake_14", "uptake_30", "uptake_30_discover", "uptake_30_buy_again"} <= set(uptake["metric"])
    assert uptake["value"].between(0, 1).all()
    assert all(day.weekday() == 0 for day in uptake["day"])

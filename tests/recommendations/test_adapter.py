"""The recommendations adapter on the tiny demo marketplace: training records metrics against the baselines and
hashes what it read, the artifact loads back, nightly lists are stored and served (dismissals still apply), a
vendor's reach and prospects read them, and live uptake has a row per list."""

import datetime as dt

import pytest
from django.utils import timezone

from recommendations.adapter import RecommendationsAdapter
from recommendations.ml.data import TrainingData
from recommendations.models import Recommendation, RecommendationFeedback
from recommendations.selectors import uptake_by_list_week
from recommendations.services.feedback import feedback_record
from recommendations.services.reach import vendor_reach
from recommendations.services.shop import shop_recommendations
from retailiq.accounts.models import User
from retailiq.demo.generator import generate_marketplace
from retailiq.demo.loader import load_marketplace
from retailiq.registry.models import Job, JobKind, JobState
from retailiq.registry.services import scoring_job_create, scoring_job_run_here, training_job_run
from retailiq.registry.services.training import training_data_hash
from retailiq.retailers.models import Retailer

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


def test_a_list_whose_ranker_did_not_beat_its_baseline_is_served_by_the_baseline(trained):
    """As reorder serves its strong baseline: the version says which serves each list, in its metrics and its
    algorithm (the models page's column), and the stored lists follow it."""
    metrics = trained.metrics
    for kind, baseline in (("discover", "popularity"), ("buy_again", "frequency")):
        lost = metrics[f"ndcg_at_10_{kind}"] <= metrics[f"{baseline}_ndcg_at_10_{kind}"]
        assert metrics[f"baseline_serves_{kind}"] == float(lost)
        assert (f"{kind.replace('_', ' ')}: {baseline}" in trained.algorithm) == lost
        if lost:
            sources = set(
                Recommendation.objects.filter(model_version=trained, kind=kind).values_list("source", flat=True)
            )
            assert sources <= {baseline, "reorder"}


def test_the_models_page_names_what_serves_each_list(trained, client):
    client.force_login(User.objects.filter(role="analyst").first())
    page = client.get("/analyst/models/").content.decode()
    assert trained.algorithm in page


def test_nightly_lists_are_stored_per_shop_and_list_and_served_from_there(trained):
    rows = Recommendation.objects.filter(model_version=trained)
    assert set(rows.values_list("kind", flat=True)) >= {"discover", "buy_again"}
    shop_id, kind = rows.values_list("retailer_id", "kind").first()
    owner = User.objects.filter(retailer_id=shop_id).first()
    analyst = User.objects.filter(role="analyst").first()
    user = owner or analyst
    found = shop_recommendations(user=user, retailer_id=shop_id, kind=kind, k=5)
    assert found.model == f"{trained.algorithm} v{trained.pk}" and found.items
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


def test_analysts_see_uptake_per_list_and_week_as_a_chart(trained, client):
    earlier = scoring_job_create(
        capability="recommendations",
        user=None,
        idempotency_key="s-uptake",
        params={"as_of": (END - dt.timedelta(days=40)).isoformat()},
    )
    assert scoring_job_run_here(job_id=earlier.pk, worker="test").state == JobState.SUCCEEDED
    analyst = User.objects.filter(role="analyst").first()
    weekly = uptake_by_list_week(user=analyst, weeks=12)
    assert {"discover", "buy_again"} <= set(weekly["kind"])
    assert weekly["share"].between(0, 1).all() and (weekly["taken"] <= weekly["recommended"]).all()
    assert all(week.weekday() == 0 for week in weekly["week"])
    # Counted from the stored lists and the orders that followed them, as the live metric is.
    stored = Recommendation.objects.filter(as_of=END - dt.timedelta(days=40))
    assert weekly["recommended"].sum() == stored.values("retailer", "kind", "product").distinct().count()

    client.force_login(analyst)
    body = client.get("/analyst/recommendations/uptake/").content.decode()
    assert 'data-chart="uptake-figure"' in body and "Ordered within 30 days" in body and "Buy again" in body
    # Other roles read no shop's uptake.
    vendor = User.objects.filter(role="vendor").first()
    assert uptake_by_list_week(user=vendor, weeks=12)["recommended"].sum() < weekly["recommended"].sum()
    client.force_login(vendor)
    assert client.get("/analyst/recommendations/uptake/").status_code == 403


def test_clicks_and_adds_to_cart_are_training_input_and_change_the_recorded_hash(db):
    load_marketplace(generate_marketplace(size="tiny", seed=5, end=END))
    adapter = RecommendationsAdapter()
    before = adapter.load_training_data(segment="", params={})
    shop = Retailer.objects.filter(pk__in=before.frame["retailer_id"].unique().tolist()).order_by("pk").first()
    bought = set(before.frame.loc[before.frame["retailer_id"] == shop.pk, "product_id"])
    product = next(p for p in before.extra_frames["products"]["product_id"] if p not in bought)
    when = timezone.make_aware(dt.datetime.combine(END - dt.timedelta(days=3), dt.time(12)))
    for action in ("clicked", "added_to_cart"):
        RecommendationFeedback.objects.create(
            retailer=shop, product_id=product, action=action, kind="discover", created_at=when
        )
    after = adapter.load_training_data(segment="", params={})
    assert len(after.extra_frames["feedback"]) == len(before.extra_frames["feedback"]) + 2
    assert training_data_hash(after) != training_data_hash(before)
    fed = TrainingData.build(after.frame, feedback=after.extra_frames["feedback"])
    plain = TrainingData.build(before.frame, feedback=before.extra_frames["feedback"])
    r, p = fed.retailer_positions([shop.pk])[0], fed.product_positions([product])[0]
    assert p >= 0 and plain.confidence[r, p] == 0 and fed.confidence[r, p] > 0

"""The nightly run through the registry (insights with their evidence, a repeated run, a failed run), the feed's
scope for every role, its stated rules, and the feedback counts."""

import pytest

from insights.models import FeedbackAction, Insight, InsightFeedback, PatternProfile, RetailerSegment, SeriesAnomaly
from insights.services.feed import insight_feed, insight_feedback_record
from insights.services.patterns import segment_overview, shop_pattern
from retailiq.core.errors import InvalidInput, NotFound
from retailiq.registry.services import scoring_job_create, scoring_job_run_here
from tests import factories as f

from .conftest import AS_OF, score, train_and_score

pytestmark = pytest.mark.django_db


def _titles(user) -> list[str]:
    return [i.title for i in insight_feed(user=user).items]


def test_a_run_finds_the_patterns_and_stores_them_with_their_evidence(scored):
    m = scored
    churn = Insight.objects.get(kind="churn_risk", retailer=m.shop_a)
    assert churn.title.startswith("Alpha Kirana Store has not ordered for 35 days") and churn.title.endswith("call")
    assert churn.evidence["days_since_last_order"] == 35 and churn.evidence["probability"] > 0.9
    assert churn.severity == 3 and churn.model_version is not None and churn.as_of == AS_OF
    lapse = Insight.objects.get(kind="category_lapse", retailer=m.shop_c)
    assert "has not ordered" in lapse.title and "orders were" in lapse.title and "smaller" in lapse.title
    shop_spike = Insight.objects.get(kind="spike", retailer=m.shop_b)
    assert "Bravo Supermart ordered 5.5x its expected week" in shop_spike.title
    product_spike = Insight.objects.filter(kind="spike", product=m.product_1).first()
    assert product_spike.vendor == m.vendor_1 and "with no promotion" in product_spike.title
    assert product_spike.evidence["value"] > product_spike.evidence["upper"]
    # segments per month (this one and the months before), profiles, and the flagged weeks for the charts
    assert RetailerSegment.objects.filter(retailer=m.shop_a).count() == 7
    assert RetailerSegment.objects.get(retailer=m.shop_a, month=AS_OF.replace(day=1)).churn_probability > 0.9
    assert PatternProfile.objects.filter(retailer=m.shop_a).exists()
    assert PatternProfile.objects.get(product=m.product_1).abc in ("A", "B", "C")
    assert SeriesAnomaly.objects.filter(series_key=f"r{m.shop_b.pk}", direction="spike").exists()


def test_a_run_repeated_on_the_same_day_writes_the_same_insights_and_keeps_their_feedback(scored):
    before = dict(Insight.objects.values_list("key", "pk"))
    churn = Insight.objects.get(kind="churn_risk")
    insight_feedback_record(user=scored.rep_a, insight_id=churn.pk, action=FeedbackAction.ACTED_ON)
    score(key="again")
    assert dict(Insight.objects.values_list("key", "pk")) == before
    assert InsightFeedback.objects.filter(insight=churn).count() == 1
    assert RetailerSegment.objects.count() == 21


def test_a_failed_run_keeps_the_insights_that_serve(scored, monkeypatch):
    shown = _titles(scored.analyst)

    def broken(*args, **kwargs):
        raise RuntimeError("detector broke")

    monkeypatch.setattr("insights.services.run.detection_run", broken)
    job = scoring_job_create(capability="insights", user=None, idempotency_key="broken", params={"as_of": "2026-03-09"})
    with pytest.raises(RuntimeError):  # the chunk fails; on the worker, its retries then fail the job
        scoring_job_run_here(job_id=job.pk, worker="test")
    assert job.chunks.get().state == "failed"
    assert _titles(scored.analyst) == shown and len(shown) >= 6
    assert not Insight.objects.filter(as_of="2026-03-09").exists()


def test_each_role_reads_only_its_own_insights(scored):
    m = scored
    everything = Insight.objects.count()
    assert insight_feed(user=m.analyst).total == everything
    assert {i.retailer_id for i in insight_feed(user=m.retailer_user_a).items} == {m.shop_a.pk}
    assert {i.retailer_id for i in insight_feed(user=m.retailer_user_b).items} == {m.shop_b.pk}
    assert {i.retailer_id for i in insight_feed(user=m.rep_a).items} == {m.shop_a.pk, m.shop_c.pk}
    assert {i.retailer_id for i in insight_feed(user=m.rep_b).items} == {m.shop_b.pk}
    assert {i.product.vendor_id for i in insight_feed(user=m.vendor_user_1).items} == {m.vendor_1.pk}
    assert all(i.retailer_id is None for i in insight_feed(user=m.vendor_user_2).items)
    assert {i.product_id for i in insight_feed(user=m.vendor_user_2).items} == {m.product_2.pk}


def test_feedback_is_counted_once_per_person_and_action(scored):
    m = scored
    churn = Insight.objects.get(kind="churn_risk")
    first, created = insight_feedback_record(user=m.rep_a, insight_id=churn.pk, action="acted_on")
    again, created_again = insight_feedback_record(user=m.rep_a, insight_id=churn.pk, action="acted_on")
    assert created and not created_again and first.pk == again.pk
    insight_feedback_record(user=m.analyst, insight_id=churn.pk, action="useful")
    feed = insight_feed(user=m.rep_a)
    assert (feed.acted_on, feed.useful, feed.total) == (1, 1, 3)  # shop A's churn, shop C's lapse and baskets
    card = next(i for i in feed.items if i.pk == churn.pk)
    assert card.acted_count == 1 and card.useful_count == 1 and card.my_actions == {"acted_on"}


def test_feedback_refuses_a_bad_action_and_another_reps_insight(scored):
    m = scored
    churn = Insight.objects.get(kind="churn_risk")
    with pytest.raises(InvalidInput) as bad:
        insight_feedback_record(user=m.rep_a, insight_id=churn.pk, action="loved")
    assert "action" in bad.value.fields
    with pytest.raises(NotFound):
        insight_feedback_record(user=m.rep_b, insight_id=churn.pk, action="useful")
    with pytest.raises(InvalidInput):
        insight_feedback_record(user=m.rep_a, insight_id="x", action="useful")


def test_a_dismissal_quiets_the_insight_for_its_dismisser_only(scored):
    m = scored
    churn = Insight.objects.get(kind="churn_risk")
    insight_feedback_record(user=m.rep_a, insight_id=churn.pk, action="dismissed")
    feed = insight_feed(user=m.rep_a)
    assert churn.pk not in {i.pk for i in feed.items} and feed.hidden == 1
    assert churn.pk in {i.pk for i in insight_feed(user=m.rep_a, show_all=True).items}
    assert churn.pk in {i.pk for i in insight_feed(user=m.analyst).items}


def test_a_kind_dismissed_again_and_again_leaves_the_feed_and_the_feed_says_so(scored):
    m = scored
    spikes = list(Insight.objects.filter(kind="spike"))
    assert len(spikes) >= 3
    for insight in spikes[:3]:
        insight_feedback_record(user=m.analyst, insight_id=insight.pk, action="dismissed")
    feed = insight_feed(user=m.analyst)
    assert "Unexplained spike" in feed.muted_kinds and all(i.kind != "spike" for i in feed.items)
    insight_feedback_record(user=m.analyst, insight_id=spikes[-1].pk, action="useful")  # a kind still wanted
    assert insight_feed(user=m.analyst).muted_kinds == []


def test_the_feed_is_most_severe_first(scored):
    items = insight_feed(user=scored.analyst).items
    assert [i.severity for i in items] == sorted((i.severity for i in items), reverse=True)


def test_segment_overview_counts_movement_between_months(scored):
    overview = segment_overview(user=scored.analyst)
    assert overview.month == AS_OF.replace(day=1) and overview.previous == overview.month.replace(month=2)
    assert sum(s["shops"] for s in overview.sizes) == 3
    assert overview.stayed + overview.moved == 3
    assert sum(map(sum, overview.transitions)) == 3
    rep = segment_overview(user=scored.rep_b)
    assert sum(s["shops"] for s in rep.sizes) == 1


def test_shop_pattern_reads_a_shops_series_and_its_anomalies_within_scope(scored):
    m = scored
    pattern = shop_pattern(user=m.rep_b, retailer_id=m.shop_b.pk)
    assert pattern.series["value"].max() == 3000 and any(a.direction == "spike" for a in pattern.anomalies)
    assert pattern.segments and pattern.profile is not None
    with pytest.raises(NotFound):
        shop_pattern(user=m.rep_a, retailer_id=m.shop_b.pk)


def test_no_run_yet_reads_as_an_empty_feed(marketplace):
    feed = insight_feed(user=marketplace.analyst)
    assert not feed.stored and feed.items == [] and feed.total == 0


def test_a_shop_without_orders_gets_no_insight(patterns):
    quiet = f.RetailerFactory(name="Quiet Corner")
    train_and_score()
    assert not Insight.objects.filter(retailer=quiet).exists()

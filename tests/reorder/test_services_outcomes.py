"""Call outcomes: recorded only for a rep's own shops with every bad input named, shown on the shop's timeline
beside its orders, and measured against the orders that followed."""

import datetime as dt

import pytest
from django.utils import timezone

from reorder.models import CallOutcome
from reorder.services.outcomes import call_list_hit_rate, record_call_outcome, retailer_timeline
from retailiq.core.errors import DomainError, Forbidden, InvalidInput, NotFound
from tests import factories as f
from tests.reorder.orders import buy


@pytest.fixture
def weekly(marketplace):
    """Shop A buys product 1 every week up to yesterday."""
    today = timezone.localdate()
    for k in range(6):
        buy(marketplace.shop_a, marketplace.product_1, today - dt.timedelta(days=1 + 7 * k), quantity=12)
    return marketplace


def test_a_rep_records_a_call_with_a_snapshot_of_the_call_list(weekly):
    call = record_call_outcome(
        user=weekly.rep_a,
        retailer_id=weekly.shop_a.pk,
        outcome="not_now",
        note="  busy with a delivery ",
        product_ids=[weekly.product_1.pk],
    )
    assert call.rep == weekly.rep_a and call.note == "busy with a delivery" and call.horizon_days == 14
    assert list(call.products.all()) == [weekly.product_1]
    assert 0 < call.probability <= 1 and call.priority > 0 and call.prediction_as_of == timezone.localdate()


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"outcome": "maybe"}, "outcome"),
        ({"outcome": "note", "note": "   "}, "note"),
        ({"outcome": "ordered", "horizon_days": 9}, "horizon_days"),
        ({"outcome": "ordered", "product_ids": [987654]}, "product_ids"),
    ],
)
def test_bad_inputs_name_their_field_and_store_nothing(weekly, kwargs, field):
    with pytest.raises(InvalidInput) as raised:
        record_call_outcome(user=weekly.rep_a, retailer_id=weekly.shop_a.pk, **kwargs)
    assert raised.value.fields.keys() == {field}
    assert not CallOutcome.objects.exists()


def test_only_the_assigned_rep_or_an_analyst_records_calls(weekly):
    with pytest.raises(NotFound) as raised:
        record_call_outcome(user=weekly.rep_b, retailer_id=weekly.shop_a.pk, outcome="ordered")
    assert "retailer_id" in raised.value.fields
    record_call_outcome(user=weekly.analyst, retailer_id=weekly.shop_a.pk, outcome="unreachable")
    for user in (weekly.retailer_user_a, weekly.vendor_user_1):
        with pytest.raises(DomainError) as denied:
            record_call_outcome(user=user, retailer_id=weekly.shop_a.pk, outcome="ordered")
        assert isinstance(denied.value, Forbidden)


def test_an_inactive_product_cannot_be_named_by_a_rep(weekly):
    retired = f.ProductFactory(is_active=False)
    with pytest.raises(InvalidInput) as raised:
        record_call_outcome(
            user=weekly.rep_a, retailer_id=weekly.shop_a.pk, outcome="ordered", product_ids=[retired.pk]
        )
    assert "product_ids" in raised.value.fields


def test_the_timeline_interleaves_orders_and_calls_newest_first(weekly):
    record_call_outcome(user=weekly.rep_a, retailer_id=weekly.shop_a.pk, outcome="note", note="asked for a discount")
    events = retailer_timeline(user=weekly.rep_a, retailer_id=weekly.shop_a.pk)
    assert events[0].kind == "call" and events[0].detail == "asked for a discount" and events[0].outcome == "note"
    orders = [e for e in events if e.kind == "order"]
    assert len(orders) == 7  # six weekly orders and the fixture's own
    assert [e.when for e in events] == sorted((e.when for e in events), reverse=True)
    assert orders[0].value == pytest.approx(12 * 40) and "₹" in orders[0].detail
    assert len(retailer_timeline(user=weekly.analyst, retailer_id=weekly.shop_a.pk, limit=3)) == 3
    assert retailer_timeline(user=weekly.retailer_user_a, retailer_id=weekly.shop_a.pk)


@pytest.mark.parametrize("who", ["rep_b", "vendor_user_1", "retailer_user_b"])
def test_the_timeline_of_a_shop_outside_ones_scope_is_not_found(weekly, who):
    with pytest.raises(DomainError) as raised:
        retailer_timeline(user=getattr(weekly, who), retailer_id=weekly.shop_a.pk)
    assert isinstance(raised.value, NotFound)


def test_hit_rate_counts_calls_followed_by_an_order_within_their_horizon(weekly):
    today = timezone.localdate()

    def call(shop, rep, days_ago: int, horizon: int = 7):
        at = timezone.now() - dt.timedelta(days=days_ago)
        return CallOutcome.objects.create(rep=rep, retailer=shop, outcome="ordered", called_at=at, horizon_days=horizon)

    call(weekly.shop_a, weekly.rep_a, 10)  # shop A ordered 8 days ago: a hit
    call(weekly.shop_b, weekly.rep_b, 30)  # shop B never ordered after: a miss for rep B
    call(weekly.shop_b, weekly.rep_b, 2)  # horizon still open, no order yet: pending
    mine = call_list_hit_rate(user=weekly.rep_a)
    assert (mine.calls, mine.hits, mine.rate) == (1, 1, 1.0)
    everyone = call_list_hit_rate(user=weekly.analyst)
    assert (everyone.calls, everyone.hits, everyone.rate, everyone.pending) == (2, 1, 0.5, 1)
    assert sum(calls for _, calls, _ in everyone.weekly) == 2
    assert all(week.weekday() == 0 and week <= today for week, _, _ in everyone.weekly)
    assert call_list_hit_rate(user=weekly.rep_b).rate == 0.0

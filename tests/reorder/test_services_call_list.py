"""The call list: the baseline serves before any model, a scored version's rows take over, filters and capacity
apply, each role sees only its shops, and the CSV is safe to open in a spreadsheet."""

import datetime as dt

import pandas as pd
import pytest

from reorder.selectors import reorder_batch_serving
from reorder.services.batch import predictions_write
from reorder.services.call_list import build_call_list, call_list_csv_rows, call_list_filter_choices
from retailiq.core.errors import DomainError, Forbidden, InvalidInput
from retailiq.registry.models import ModelStatus, ModelVersion
from retailiq.web.csv_export import csv_response
from tests import factories as f
from tests.reorder.orders import buy, move_fixture_orders

END = dt.date(2026, 3, 31)


@pytest.fixture
def habits(marketplace):
    """Shop A (rep A) buys product 1 weekly and product 2 every 10 days; shop B (rep B, Delhi) product 1 every
    5 days; a third shop of rep A in Mumbai, a supermarket, buys product 2 every 3 weeks."""
    m = marketplace
    move_fixture_orders(m, END - dt.timedelta(days=200))
    m.shop_c = f.RetailerFactory(name="Charlie Mart", assigned_rep=m.rep_a, city="Mumbai", segment="supermarket")
    for k in range(8):
        buy(m.shop_a, m.product_1, END - dt.timedelta(days=6 + 7 * k), quantity=20)
        buy(m.shop_a, m.product_2, END - dt.timedelta(days=9 + 10 * k), quantity=4)
        buy(m.shop_b, m.product_1, END - dt.timedelta(days=4 + 5 * k), quantity=8)
        buy(m.shop_c, m.product_2, END - dt.timedelta(days=21 * k), quantity=5)
    return m


def test_before_any_model_the_baseline_ranks_the_reps_own_shops(habits):
    calls = build_call_list(user=habits.rep_a)
    assert calls.model_label.startswith("baseline") and calls.as_of == END + dt.timedelta(days=1)
    assert {e.retailer for e in calls.entries} == {habits.shop_a, habits.shop_c}
    assert calls.entries[0].retailer == habits.shop_a  # weekly and overdue beats a shop that just ordered
    first = calls.entries[0]
    assert first.priority == pytest.approx(sum(p.probability * p.expected_value for p in first.products), rel=1e-3)
    assert first.priority <= first.expected_value
    assert first.probability >= max(p.probability for p in first.products)
    assert first.products[0].product == habits.product_1
    assert first.reasons and first.last_order_date == END - dt.timedelta(days=6)


def test_filters_capacity_and_an_analysts_rep_picker(habits):
    assert [e.retailer for e in build_call_list(user=habits.rep_a, city="mumbai").entries] == [habits.shop_c]
    assert [e.retailer for e in build_call_list(user=habits.rep_a, segment="supermarket").entries] == [habits.shop_c]
    by_category = build_call_list(user=habits.rep_a, category_id=habits.product_1.category_id)
    assert [e.retailer for e in by_category.entries] == [habits.shop_a]
    assert {p.product for p in by_category.entries[0].products} == {habits.product_1}
    top = build_call_list(user=habits.rep_a, capacity=1)
    assert len(top.entries) == 1 and top.total_candidates == 2
    everyone = build_call_list(user=habits.analyst)
    assert {e.retailer for e in everyone.entries} == {habits.shop_a, habits.shop_b, habits.shop_c}
    picked = build_call_list(user=habits.analyst, rep_id=habits.rep_b.pk)
    assert [e.retailer for e in picked.entries] == [habits.shop_b]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"horizon_days": 10}, "horizon"),
        ({"capacity": 0}, "capacity"),
        ({"segment": "casino"}, "segment"),
        ({"category_id": 999999}, "category"),
    ],
)
def test_bad_inputs_name_their_field(habits, kwargs, field):
    with pytest.raises(InvalidInput) as raised:
        build_call_list(user=habits.rep_a, **kwargs)
    assert raised.value.fields.keys() == {field}


def test_a_rep_cannot_read_another_reps_book_and_shops_and_vendors_have_none(habits):
    with pytest.raises(InvalidInput):
        build_call_list(user=habits.rep_a, rep_id=habits.rep_b.pk)
    for user in (habits.retailer_user_a, habits.vendor_user_1):
        with pytest.raises(DomainError) as raised:
            build_call_list(user=user)
        assert isinstance(raised.value, Forbidden)


def test_a_scored_version_replaces_the_baseline_and_a_longer_horizon_raises_probabilities(habits):
    version = ModelVersion.objects.create(
        capability="reorder", algorithm="retailiq_ensemble", status=ModelStatus.ACTIVE
    )
    as_of = END + dt.timedelta(days=1)
    rows = pd.DataFrame(
        [
            _row(habits.shop_c.pk, habits.product_2.pk, as_of, {"7": 0.6, "14": 0.9, "30": 0.95}, value=1000.0),
            _row(habits.shop_a.pk, habits.product_1.pk, as_of, {"7": 0.1, "14": 0.2, "30": 0.9}, value=800.0),
            _row(habits.shop_b.pk, habits.product_1.pk, as_of, {"7": 0.9, "14": 0.9, "30": 0.9}, value=900.0),
        ]
    )
    predictions_write(model_version_id=version.pk, rows=rows)
    assert predictions_write(model_version_id=version.pk, rows=rows) == 3  # upserted, not duplicated
    assert version.reorder_predictions.count() == 3
    assert reorder_batch_serving().version == version
    calls = build_call_list(user=habits.rep_a)
    assert calls.model_label == f"retailiq_ensemble v{version.pk}"
    assert [e.retailer for e in calls.entries] == [habits.shop_c, habits.shop_a]
    assert calls.entries[0].priority == pytest.approx(900.0)
    month = build_call_list(user=habits.rep_a, horizon_days=30)
    assert month.entries[0].probability == pytest.approx(0.95)


def test_filter_choices_are_the_users_own(habits):
    choices = call_list_filter_choices(user=habits.rep_a)
    assert choices["cities"] == ["Mumbai", "Pune"]
    assert [value for value, _ in choices["segments"]] == ["kirana", "supermarket"]
    assert choices["horizons"] == (7, 14, 30) and choices["reps"] == []
    analyst = call_list_filter_choices(user=habits.analyst)
    assert {pk for pk, _ in analyst["reps"]} == {habits.rep_a.pk, habits.rep_b.pk}


def test_csv_has_one_row_per_shop_and_product_as_values_the_response_escapes(habits):
    habits.shop_a.name = "=HYPERLINK(1)"
    habits.shop_a.save()
    rows = list(call_list_csv_rows(build_call_list(user=habits.rep_a)))
    assert rows[0][:2] == ["rank", "retailer"]
    assert len(rows) == 1 + 3  # shop A's two products, shop C's one
    assert all(isinstance(row[0], int) for row in rows[1:])  # values, not text
    assert "=HYPERLINK(1)" in [row[1] for row in rows]  # escaped once, by retailiq.web.csv_export
    body = csv_response("calls", rows[0], rows[1:]).content.decode()
    assert "'=HYPERLINK(1)" in body and "''=HYPERLINK(1)" not in body


def _row(retailer_id: int, product_id: int, as_of: dt.date, probabilities: dict, *, value: float) -> dict:
    return {
        "retailer_id": retailer_id,
        "product_id": product_id,
        "as_of": as_of,
        "probabilities": probabilities,
        "probability": probabilities["14"],
        "expected_quantity": value / 40,
        "expected_date": as_of + dt.timedelta(days=3),
        "expected_value": value,
        "priority": probabilities["14"] * value,
        "last_order_date": as_of - dt.timedelta(days=8),
        "days_since_last_order": 8,
        "interval_days": 7.0,
        "days_overdue": 1.0,
        "unit_price": 40.0,
        "reasons": ["orders every 7 days, last order 8 days ago"],
    }


def test_a_shop_far_past_its_rhythm_is_a_win_back_call_not_the_top_one(habits):
    """Batra bought ten times shop A's volumes weekly, then went quiet for 106 days. Before any model is trained,
    its old volumes must not put it first: the chance it orders at all in the horizon is small, and the card says
    it is a call to win the shop back. The ranking is still by the figure each card shows."""
    batra = f.RetailerFactory(name="Batra Supermart", assigned_rep=habits.rep_a, city="Pune")
    for k in range(12):
        buy(batra, habits.product_1, END - dt.timedelta(days=106 + 7 * k), quantity=200)
    calls = build_call_list(user=habits.rep_a)
    assert calls.model_label.startswith("baseline")
    ranked = [e.retailer for e in calls.entries]
    assert ranked[0] == habits.shop_a and batra in ranked
    lapsed = calls.entries[ranked.index(batra)]
    assert lapsed.win_back and lapsed.days_quiet == 107  # as of the day after END
    assert lapsed.priority < 0.01 * lapsed.expected_value
    assert not calls.entries[0].win_back
    priorities = [e.priority for e in calls.entries]
    assert priorities == sorted(priorities, reverse=True)


def test_the_ranking_is_cached_but_a_recorded_call_shows_at_once_and_a_new_batch_reranks(habits, monkeypatch):
    from reorder.services import call_list as service
    from reorder.services.outcomes import record_call_outcome

    ranked = []
    real = service._prioritized

    def counting(*args, **kwargs):
        ranked.append(kwargs.get("category_id"))
        return real(*args, **kwargs)

    monkeypatch.setattr(service, "_prioritized", counting)
    first = build_call_list(user=habits.rep_a)
    again = build_call_list(user=habits.rep_a)
    assert len(ranked) == 1
    assert [e.retailer for e in again.entries] == [e.retailer for e in first.entries]
    assert [e.priority for e in again.entries] == [e.priority for e in first.entries]
    build_call_list(user=habits.rep_a, horizon_days=30)
    build_call_list(user=habits.analyst)  # another scope never reads the rep's list
    assert len(ranked) == 3

    record_call_outcome(user=habits.rep_a, retailer_id=habits.shop_a.pk, outcome="not_now")
    recorded = len(ranked)  # the call's snapshot reads the shop's own entry
    after_call = build_call_list(user=habits.rep_a)
    assert len(ranked) == recorded  # the ranking came from the cache ...
    shop_a = next(e for e in after_call.entries if e.retailer == habits.shop_a)
    assert shop_a.last_outcome is not None and shop_a.last_outcome.outcome == "not_now"  # ... the call did not

    version = ModelVersion.objects.create(
        capability="reorder", algorithm="retailiq_ensemble", status=ModelStatus.ACTIVE
    )
    as_of = END + dt.timedelta(days=1)
    predictions_write(
        model_version_id=version.pk,
        rows=pd.DataFrame(
            [_row(habits.shop_c.pk, habits.product_2.pk, as_of, {"7": 0.6, "14": 0.9, "30": 0.95}, value=1000.0)]
        ),
    )
    scored = build_call_list(user=habits.rep_a)
    assert len(ranked) == recorded + 1 and scored.model_version_id == version.pk
    assert [e.retailer for e in scored.entries] == [habits.shop_c]

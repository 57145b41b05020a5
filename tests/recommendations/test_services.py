"""Recommendation services: a shop's lists by role, the business rules from the database, and feedback."""

import pytest
from django.core.cache import cache

from recommendations.models import FeedbackAction, RecommendationFeedback
from recommendations.services.feedback import feedback_record
from recommendations.services.reach import rep_pitches
from recommendations.services.shop import shop_recommendations
from retailiq.core.errors import InvalidInput, NotFound
from tests import factories as f

pytestmark = pytest.mark.django_db


def _ids(found) -> list[int]:
    return [item.product.pk for item in found.items]


def test_a_retailer_discovers_what_it_never_bought_and_buys_again_what_it_did(habits):
    discover = shop_recommendations(user=habits.retailer_user_a, kind="discover")
    assert discover.shop == habits.shop_a
    assert set(_ids(discover)) == {habits.product_3.pk, habits.product_4.pk}
    assert all(item.reason for item in discover.items)
    again = shop_recommendations(user=habits.retailer_user_a, kind="buy_again")
    assert set(_ids(again)) == {habits.product_1.pk, habits.product_2.pk}
    assert "baseline" in again.model


def test_a_retailer_always_gets_its_own_shop_whatever_it_names(habits):
    found = shop_recommendations(user=habits.retailer_user_a, retailer_id=habits.shop_b.pk)
    assert found.shop == habits.shop_a


def test_a_rep_reads_its_shops_and_not_a_colleagues(habits):
    assert shop_recommendations(user=habits.rep_a, retailer_id=habits.shop_c.pk).shop == habits.shop_c
    with pytest.raises(NotFound):
        shop_recommendations(user=habits.rep_a, retailer_id=habits.shop_b.pk)
    pitched = rep_pitches(user=habits.rep_a)
    assert {found.shop for found in pitched} == {habits.shop_a, habits.shop_c}


def test_a_vendor_reads_no_shop_list(habits):
    with pytest.raises(NotFound):
        shop_recommendations(user=habits.vendor_user_1, retailer_id=habits.shop_a.pk)


@pytest.mark.parametrize(("kwargs", "field"), [({"kind": "later"}, "kind"), ({"k": 0}, "k"), ({"k": "x"}, "k")])
def test_bad_input_names_its_field(habits, kwargs, field):
    with pytest.raises(InvalidInput) as raised:
        shop_recommendations(user=habits.retailer_user_a, **kwargs)
    assert field in raised.value.fields


def test_a_dismissed_product_is_not_shown_to_that_shop_again_but_still_to_others(habits):
    feedback_record(
        user=habits.retailer_user_a, product_id=habits.product_2.pk, action=FeedbackAction.DISMISSED, kind="buy_again"
    )
    assert _ids(shop_recommendations(user=habits.retailer_user_a, kind="buy_again")) == [habits.product_1.pk]
    assert habits.product_2.pk not in _ids(
        shop_recommendations(user=habits.analyst, retailer_id=habits.shop_a.pk, kind="buy_again")
    )
    assert _ids(shop_recommendations(user=habits.retailer_user_b)) == [habits.product_2.pk]
    assert RecommendationFeedback.objects.get().retailer == habits.shop_a


def test_inactive_and_out_of_stock_products_are_left_out(habits):
    habits.product_4.is_active = False
    habits.product_4.save()
    warehouse = f.WarehouseFactory(region=habits.shop_a.region)
    f.StockLevelFactory(product=habits.product_3, warehouse=warehouse, on_hand=0)
    assert _ids(shop_recommendations(user=habits.retailer_user_a)) == []
    # stock in one warehouse serving the region is enough (once the served list's cache has expired)
    cache.clear()
    f.StockLevelFactory(product=habits.product_3, warehouse=f.WarehouseFactory(region=habits.shop_a.region), on_hand=9)
    assert _ids(shop_recommendations(user=habits.retailer_user_a)) == [habits.product_3.pk]


def test_a_bundle_starts_from_an_anchor_product(habits):
    found = shop_recommendations(user=habits.retailer_user_b, kind="bundle", product_id=habits.product_3.pk)
    assert found.kind == "bundle"
    with pytest.raises(InvalidInput) as raised:
        shop_recommendations(user=habits.retailer_user_a, kind="discover", product_id=habits.product_3.pk)
    assert "product" in raised.value.fields


def test_feedback_checks_its_action_product_and_shop(habits):
    with pytest.raises(InvalidInput) as raised:
        feedback_record(user=habits.retailer_user_a, product_id=habits.product_1.pk, action="liked")
    assert "action" in raised.value.fields
    with pytest.raises(NotFound):
        feedback_record(user=habits.rep_a, retailer_id=habits.shop_b.pk, product_id=habits.product_1.pk, action="shown")
    with pytest.raises(NotFound):
        feedback_record(user=habits.retailer_user_a, product_id=999999, action="shown")

"""Every candidate generator on a small seeded marketplace: candidates with reasons, the .npz artifact, cold start,
TIFU-KNN's vectors as the authors build them, and bundles by lift."""

import numpy as np
import pandas as pd
import pytest

from recommendations.ml.base import CANDIDATE_COLUMNS, CandidateGenerator
from recommendations.ml.bundles import CoPurchaseLift
from recommendations.ml.collaborative import ImplicitALS, ItemKNN
from recommendations.ml.content import ContentSimilarity
from recommendations.ml.data import OrdersError, TrainingData
from recommendations.ml.popularity import PeerPopularity, Popularity
from recommendations.ml.repeat import PersonalFrequency, TifuKNN, TifuParams, tifu_user_vector
from tests.recommendations.synthetic import START, marketplace

GENERATORS = [
    Popularity(),
    PeerPopularity(min_peers=3),
    ImplicitALS(factors=8, iterations=5),
    ItemKNN(neighbours=10),
    PersonalFrequency(),
    TifuKNN(preset="tafeng", k=10),
    ContentSimilarity(),
    CoPurchaseLift(min_together=2),
]


@pytest.fixture(scope="module")
def market():
    orders, products, retailers = marketplace(n_shops=40, n_products=30, days=120, seed=1)
    new_product = pd.DataFrame(
        {"product_id": ["NEW"], "name": ["Brand 1 chips 60g"], "category_id": ["Snacks"], "brand": ["Brand 1"]}
    )
    one_order = pd.DataFrame(
        {"retailer_id": ["ONE"], "product_id": ["P000"], "date": [START + pd.Timedelta(days=100)], "quantity": [3]}
    )
    new_shop = pd.DataFrame({"retailer_id": ["ONE", "NONE"], "segment": ["kirana"] * 2, "city": ["Pune"] * 2})
    return (
        pd.concat([orders, one_order], ignore_index=True),
        pd.concat([products, new_product], ignore_index=True),
        pd.concat([retailers, new_shop], ignore_index=True),
    )


@pytest.fixture(scope="module")
def data(market):
    return TrainingData.build(*market)


@pytest.mark.parametrize("generator", GENERATORS, ids=lambda g: g.name)
def test_candidates_carry_reasons_and_the_artifact_gives_the_same_scores(generator, data, tmp_path):
    fitted = type(generator)(**generator.get_params()).fit(data)
    assert isinstance(fitted, CandidateGenerator)
    shops = ["S000", "S001", "ONE"]
    frame = fitted.candidates(shops, k=5)
    assert tuple(frame.columns) == CANDIDATE_COLUMNS and len(frame) > 0
    assert frame.groupby("retailer_id").size().max() <= 5
    assert frame["reason"].map(lambda text: isinstance(text, str) and len(text) > 5).all()
    assert (frame["source"] == fitted.name).all()
    path = tmp_path / f"{fitted.name}.npz"
    fitted.save(path)
    loaded = type(fitted).load(path)
    np.testing.assert_allclose(loaded.score(shops), fitted.score(shops), rtol=1e-6)
    assert loaded.explain("S000", ["P001", "P002"]) == fitted.explain("S000", ["P001", "P002"])
    other = Popularity if not isinstance(fitted, Popularity) else ItemKNN
    with pytest.raises(ValueError, match="not a"):
        other.load(path)


def test_the_same_seed_gives_the_same_factors(data):
    first = ImplicitALS(factors=8, iterations=5).fit(data)
    second = ImplicitALS(factors=8, iterations=5).fit(data)
    np.testing.assert_array_equal(first.user_factors_, second.user_factors_)


def test_a_product_with_no_sales_is_a_content_candidate_with_a_reason_that_says_so(data):
    content = ContentSimilarity().fit(data)
    frame = content.candidates(data.retailer_ids, k=10)
    new = frame[frame["product_id"] == "NEW"]
    assert len(new) > 0
    assert new["reason"].str.startswith("new in Snacks").any()


def test_a_shop_with_one_order_and_a_shop_with_none_get_candidates(data):
    content = ContentSimilarity().fit(data)
    assert len(content.candidates(["ONE"], k=5)) == 5
    peers = PeerPopularity(min_peers=3).fit(data)
    frame = peers.candidates(["NONE"], k=5)
    assert len(frame) == 5 and frame["reason"].str.contains("kirana shops in Pune").all()


def test_frequency_reasons_give_the_rhythm_and_the_last_order(data):
    frequency = PersonalFrequency().fit(data)
    reasons = frequency.candidates(["S000"], k=3)["reason"]
    assert reasons.str.match(r"you order it every .+; last order .+ ago").any()
    # Its one order was on day 100; the data end on day 119, so as_of (the day after) is 20 days later.
    assert frequency.explain("ONE", ["P000"]) == ["you ordered it once; last order 20 days ago"]


def test_tifu_vector_follows_the_authors_grouping_and_decay():
    params = TifuParams(k=1, r_b=0.5, r_g=0.5, alpha=1.0, m=2)
    baskets = [np.array([0]), np.array([1]), np.array([0, 2])]  # three baskets in two groups of 1 and 2
    vector = tifu_user_vector(baskets, 3, params)
    group_1 = np.array([0.25, 0.0, 0.0])  # first basket, decayed twice
    group_2 = (np.array([0.0, 0.5, 0.0]) + np.array([1.0, 0.0, 1.0])) / 2
    np.testing.assert_allclose(vector, (group_1 * 0.5 + group_2) / 2)
    short = tifu_user_vector([np.array([1])], 3, TifuParams(k=1, r_b=0.9, r_g=0.5, alpha=1.0, m=3))
    np.testing.assert_allclose(short, [0.0, 0.25, 0.0])  # one basket: its own group, still decayed from m


def test_bundles_for_an_anchor_and_a_cart_leave_the_cart_out():
    day = pd.Timestamp("2024-01-01")
    rows = []
    for shop in range(12):
        for week in range(4):
            date = day + pd.Timedelta(days=7 * week)
            rows += [(shop, "tea", date), (shop, "biscuits", date)]
            rows.append((shop, "soap" if shop % 2 else "broom", date))
    orders = pd.DataFrame(rows, columns=["retailer_id", "product_id", "date"])
    extra = pd.DataFrame({"retailer_id": [1, 3], "product_id": ["milk", "milk"], "date": [day, day]})
    lift = CoPurchaseLift(min_together=2).fit(TrainingData.build(pd.concat([orders, extra])))
    anchored = lift.bundle(["milk"], k=5)
    assert list(anchored["product_id"]) == ["soap"]  # tea and biscuits go with everything: lift 1, no bundle
    assert anchored["reason"].iloc[0] == "often bought with milk (lift 2.0)"
    cart = lift.bundle(["soap", "milk"], k=5)
    assert not {"soap", "milk"} & set(cart["product_id"])
    assert lift.bundle(["unknown"]).empty


def test_orders_in_the_wrong_shape_are_named():
    with pytest.raises(OrdersError, match="product_id"):
        TrainingData.build(pd.DataFrame({"retailer_id": [1], "date": ["2024-01-01"]}))
    with pytest.raises(OrdersError, match="quantity"):
        TrainingData.build(
            pd.DataFrame({"retailer_id": [1], "product_id": [2], "date": ["2024-01-01"], "quantity": [0]})
        )


def test_clicks_and_adds_to_cart_add_confidence_to_their_pairs_only(market):
    orders, products, retailers = market
    plain = TrainingData.build(orders, products, retailers)
    shop, bought, unseen = plain.retailer_ids[0], plain.product_ids[0], "NEW"
    day = plain.as_of - pd.Timedelta(days=2)
    feedback = pd.DataFrame(
        {
            "retailer_id": [shop, shop, shop, shop],
            "product_id": [unseen, bought, bought, unseen],
            "date": [day, day, day, plain.as_of],  # the last is on as_of: after the history, so not read
            "action": ["added_to_cart", "clicked", "dismissed", "clicked"],
        }
    )
    fed = TrainingData.build(orders, products, retailers, feedback=feedback)
    r, (p_bought, p_unseen) = plain.retailer_positions([shop])[0], plain.product_positions([bought, unseen])
    assert plain.confidence[r, p_unseen] == 0 and fed.confidence[r, p_unseen] > 0
    assert fed.confidence[r, p_bought] > plain.confidence[r, p_bought]
    # A cart add weighs more than a click; everything else, and the purchase counts, stay as they were.
    assert fed.confidence[r, p_unseen] > np.log1p(0.25)
    changed = (fed.confidence != plain.confidence).nnz
    assert changed == 2 and (fed.counts != plain.counts).nnz == 0 and fed.baskets.equals(plain.baskets)
    # The collaborative generators read it: the shop's item-kNN scores move.
    before = np.asarray(ItemKNN(neighbours=10).fit(plain).score([shop]))
    after = np.asarray(ItemKNN(neighbours=10).fit(fed).score([shop]))
    assert not np.allclose(before, after)

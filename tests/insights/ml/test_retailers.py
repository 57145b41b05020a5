"""Segments and changes in behaviour of shops, on hand-made order histories (no database)."""

import pandas as pd

from insights.ml import SEGMENT_LABELS, detect_changes, segment_retailers

from .synthetic import START, shop_lines

AS_OF = START + pd.Timedelta(days=200)


def marketplace() -> pd.DataFrame:
    return pd.concat(
        [
            # weekly, steady: ordering still
            shop_lines(1, list(range(4, 200, 7)), first_order_id=0),
            # weekly for months, then its gaps stretch and it goes quiet
            shop_lines(2, [*range(0, 120, 7), 130, 145, 165], first_order_id=100),
            # monthly big baskets
            shop_lines(3, list(range(10, 200, 30)), value=6000.0, first_order_id=200),
            # first order three weeks ago
            shop_lines(4, [180, 190, 197], first_order_id=300),
            # weekly, but stopped buying rice five orders ago
            shop_lines(5, list(range(1, 165, 7)), categories=["rice", "oil"], first_order_id=400),
            shop_lines(5, list(range(165, 200, 7)), categories=["oil"], first_order_id=500),
        ],
        ignore_index=True,
    )


def test_segments_get_stable_codes_and_readable_labels():
    result = segment_retailers(marketplace(), as_of=AS_OF, n_clusters=3)
    by_shop = result.set_index("retailer_id")
    assert by_shop.loc[4, "segment"] == "new"
    assert by_shop.loc[2, "segment"] == "lapsing"
    assert by_shop.loc[1, "mean_interval_days"] == 7.0
    assert set(result["segment_label"]) <= set(SEGMENT_LABELS.values())
    assert by_shop.loc[1, "cluster_label"].startswith("Weekly")
    assert by_shop.loc[3, "cluster_label"].startswith("Monthly")
    assert by_shop.loc[1, "cluster"] < by_shop.loc[3, "cluster"]  # clusters numbered from the most frequent
    assert result[["r_score", "f_score", "m_score"]].isin(range(1, 6)).all().all()
    again = segment_retailers(marketplace(), as_of=AS_OF, n_clusters=3)
    pd.testing.assert_frame_equal(result, again)


def test_a_shop_whose_gaps_stretch_gets_churn_risk_with_evidence():
    changes = detect_changes(marketplace(), as_of=AS_OF)
    churn = changes[changes["kind"] == "churn_risk"].set_index("retailer_id")
    assert 2 in churn.index and 1 not in churn.index
    assert churn.loc[2, "probability"] > 0.9
    evidence = churn.loc[2, "evidence"]
    assert evidence["usual_interval_days"] == 7.0
    assert evidence["days_since_last_order"] == 35
    assert evidence["cycles_missed"] == 5


def test_a_shop_that_stopped_buying_a_category_gets_a_lapse_with_its_cycles():
    changes = detect_changes(marketplace(), as_of=AS_OF)
    lapses = changes[changes["kind"] == "category_lapse"]
    assert lapses[["retailer_id", "category"]].values.tolist() == [[5, "rice"]]
    evidence = lapses.iloc[0]["evidence"]
    assert evidence["orders_without_category"] == 5
    assert evidence["usual_category_interval_days"] == 7.0
    assert lapses.iloc[0]["probability"] > 0.99


def test_shrinking_baskets_are_reported_with_the_change():
    lines = shop_lines(9, list(range(0, 140, 7)), basket_scale=[1.0] * 17 + [0.5, 0.55, 0.6])
    changes = detect_changes(lines, as_of=START + pd.Timedelta(days=140))
    shrink = changes[changes["kind"] == "basket_shrink"].iloc[0]
    assert shrink["retailer_id"] == 9
    assert shrink["evidence"]["last_3_basket_change_pct"] == -45.0

"""Bottom-up group totals: points add up exactly, interval widths combine in quadrature
(or more, for correlated errors), never narrower than the widest member's."""

import numpy as np
import pandas as pd
import pytest

from forecasting.ml.hierarchy import BOUNDS, aggregate, aggregate_frame, coherence_gaps, is_coherent

Z80, Z95 = 1.2816, 1.96


def _forecasts(n_products: int = 30, horizon: int = 14, seed: int = 3) -> pd.DataFrame:
    """Long frame as DemandForecast stores it, with nested, sometimes asymmetric intervals."""
    rng = np.random.default_rng(seed)
    quantity = rng.gamma(2.0, 5.0, size=(n_products, horizon))
    below80, above80 = rng.uniform(0.2, 0.6, (2, n_products, horizon)) * quantity
    below95, above95 = below80 * rng.uniform(1.2, 1.8, below80.shape), above80 * rng.uniform(1.2, 2.0, above80.shape)
    return pd.DataFrame(
        {
            "product_id": np.repeat(np.arange(100, 100 + n_products), horizon),
            "target_date": np.tile(pd.date_range("2026-04-01", periods=horizon).to_numpy(), n_products),
            "quantity": quantity.ravel(),
            "lower_80": np.maximum(quantity - below80, 0).ravel(),
            "upper_80": (quantity + above80).ravel(),
            "lower_95": np.maximum(quantity - below95, 0).ravel(),
            "upper_95": (quantity + above95).ravel(),
        }
    )


def _category_of(frame: pd.DataFrame) -> dict[int, str]:
    return {pid: f"cat-{pid % 4}" for pid in frame["product_id"].unique()}


def _one_day(widths: list[tuple[float, float]], point: float = 100.0) -> pd.DataFrame:
    """Products on one day with the given (lower, upper) half-widths at both levels."""
    n = len(widths)
    below, above = np.array(widths, dtype=float).T
    return pd.DataFrame(
        {
            "product_id": np.arange(n),
            "target_date": pd.Timestamp("2026-04-01"),
            "quantity": point,
            "lower_80": point - below,
            "upper_80": point + above,
            "lower_95": point - 2 * below,
            "upper_95": point + 2 * above,
        }
    )


def test_group_points_are_exactly_the_sums():
    frame = _forecasts()
    groups = _category_of(frame)
    totals = aggregate_frame(frame, groups=groups)
    expected = frame.assign(group=frame["product_id"].map(groups)).groupby(["group", "target_date"])["quantity"].sum()
    np.testing.assert_allclose(totals.set_index(["group", "target_date"])["quantity"], expected, rtol=1e-12)
    assert is_coherent(frame, totals, groups=groups)
    assert set(totals["n_members"]) == {7, 8}  # 30 products over 4 categories
    assert len(totals) == 4 * 14


def test_widths_add_in_quadrature_for_independent_errors_and_linearly_for_correlated():
    one_day = _one_day([(3, 6), (4, 8)])
    independent = aggregate_frame(one_day, groups={0: "g", 1: "g"}).iloc[0]
    assert independent["quantity"] == 200
    assert independent["lower_80"] == pytest.approx(200 - 5)  # sqrt(3^2 + 4^2)
    assert independent["upper_80"] == pytest.approx(200 + 10)  # upper side on its own: sqrt(6^2 + 8^2)
    assert independent["lower_95"] == pytest.approx(200 - 10)
    together = aggregate_frame(one_day, groups={0: "g", 1: "g"}, correlation=1.0).iloc[0]
    assert together["lower_80"] == pytest.approx(200 - 7) and together["upper_80"] == pytest.approx(200 + 14)
    halfway = aggregate_frame(one_day, groups={0: "g", 1: "g"}, correlation=0.5).iloc[0]
    assert halfway["lower_80"] == pytest.approx(200 - np.sqrt(0.5 * 25 + 0.5 * 49))


def test_never_narrower_than_the_widest_member_and_relatively_narrower_as_groups_grow():
    one_day = _one_day([(40, 40)] + [(0.5, 0.5)] * 9, point=50.0)
    total = aggregate_frame(one_day, groups=dict.fromkeys(range(10), "g")).iloc[0]
    assert total["upper_80"] - total["quantity"] >= 40
    assert total["lower_80"] == pytest.approx(500 - np.sqrt(40**2 + 9 * 0.25))

    # 100 alike products, each +-10% of its point: the total is +-1%.
    alike = aggregate_frame(_one_day([(10, 10)] * 100), groups=dict.fromkeys(range(100), "g")).iloc[0]
    assert (alike["upper_80"] - alike["quantity"]) / alike["quantity"] == pytest.approx(0.01)


def test_bounds_stay_nested_and_lower_bounds_stop_at_zero():
    frame = _forecasts(seed=11)
    totals = aggregate_frame(frame, groups=_category_of(frame), correlation=0.3)
    assert (totals["lower_95"] <= totals["lower_80"]).all() and (totals["lower_80"] <= totals["quantity"]).all()
    assert (totals["quantity"] <= totals["upper_80"]).all() and (totals["upper_80"] <= totals["upper_95"]).all()
    wide = aggregate_frame(_one_day([(90, 10), (90, 10)], point=10), groups={0: "g", 1: "g"}).iloc[0]
    assert wide["lower_80"] == 0 and wide["lower_95"] == 0


def test_quadrature_intervals_cover_as_promised_for_independent_errors():
    """Simulated: 20 products with independent normal errors; the total's 80% and 95%
    intervals built from the products' own intervals cover the simulated totals that often."""
    rng = np.random.default_rng(0)
    sd = rng.uniform(1, 10, 20)
    point = np.full(20, 50.0)
    one_day = pd.DataFrame(
        {
            "product_id": np.arange(20),
            "target_date": 0,
            "quantity": point,
            "lower_80": point - Z80 * sd,
            "upper_80": point + Z80 * sd,
            "lower_95": point - Z95 * sd,
            "upper_95": point + Z95 * sd,
        }
    )
    total = aggregate_frame(one_day, groups=dict.fromkeys(range(20), "all")).iloc[0]
    simulated = (point + rng.normal(0, sd, size=(20_000, 20))).sum(axis=1)
    coverage80 = np.mean((simulated >= total["lower_80"]) & (simulated <= total["upper_80"]))
    coverage95 = np.mean((simulated >= total["lower_95"]) & (simulated <= total["upper_95"]))
    assert coverage80 == pytest.approx(0.80, abs=0.015)
    assert coverage95 == pytest.approx(0.95, abs=0.01)
    # Adding the widths (perfect correlation assumed) would badly over-cover.
    linear = aggregate_frame(one_day, groups=dict.fromkeys(range(20), "all"), correlation=1.0).iloc[0]
    assert np.mean((simulated >= linear["lower_80"]) & (simulated <= linear["upper_80"])) > 0.99


def test_two_steps_give_the_same_departments_as_one():
    frame = _forecasts(seed=5)
    category = _category_of(frame)
    department = {"cat-0": "dept-a", "cat-1": "dept-a", "cat-2": "dept-b", "cat-3": "dept-b"}
    categories = aggregate_frame(frame, groups=category)
    two_steps = aggregate_frame(categories, groups=department, id_col="group")
    one_step = aggregate_frame(frame, groups={pid: department[c] for pid, c in category.items()})
    columns = ["quantity", *BOUNDS]
    np.testing.assert_allclose(two_steps[columns], one_step[columns], rtol=1e-9)
    assert is_coherent(categories, two_steps, groups=department, id_col="group")


def test_forecaster_arrays_aggregate_like_the_long_frame():
    frame = _forecasts(n_products=6, horizon=5)
    arrays = {
        ("forecast" if name == "quantity" else name): frame[name].to_numpy().reshape(6, 5)
        for name in ("quantity", *BOUNDS)
    }
    series_ids = frame["product_id"].unique()
    groups = pd.Series(["north", "north", "south", "south", "south", "east"], index=series_ids)
    result = aggregate(arrays, series_ids=series_ids, groups=groups)
    assert result.group_ids.tolist() == ["east", "north", "south"]
    assert result.n_members.tolist() == [1, 2, 3]
    np.testing.assert_allclose(result.values["forecast"][2], arrays["forecast"][2:5].sum(axis=0))
    np.testing.assert_allclose(result.values["upper_95"][0], arrays["upper_95"][5])  # a group of one is itself
    long = aggregate_frame(frame, groups=groups).pivot(index="group", columns="target_date", values="lower_80")
    np.testing.assert_allclose(result.values["lower_80"], long.to_numpy())


def test_incoherent_parents_are_reported():
    frame = _forecasts(n_products=8, horizon=3)
    groups = _category_of(frame)
    totals = aggregate_frame(frame, groups=groups)
    assert coherence_gaps(frame, totals, groups=groups).empty
    tampered = totals.copy()
    tampered.loc[0, "quantity"] += 0.5
    gaps = coherence_gaps(frame, tampered, groups=groups)
    assert len(gaps) == 1 and gaps.loc[0, "gap"] == pytest.approx(0.5)
    assert is_coherent(frame, tampered, groups=groups, tolerance=0.1)  # within a 10% tolerance
    missing_row = totals.iloc[1:]
    assert len(coherence_gaps(frame, missing_row, groups=groups)) == 1


def test_every_product_needs_a_group_and_correlation_is_a_fraction():
    frame = _forecasts(n_products=3, horizon=2)
    with pytest.raises(ValueError, match="No group for series 102"):
        aggregate_frame(frame, groups={100: "a", 101: "a"})
    with pytest.raises(ValueError, match="between 0 and 1"):
        aggregate_frame(frame, groups=_category_of(frame), correlation=1.5)

"""The demo marketplace generator: deterministic, internally consistent, and showing the
demand patterns it claims to model. Pure NumPy/pandas; no database involved."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from retailiq.demo.generator import DemoMarketplace, generate_marketplace
from retailiq.demo.sizes import SIZES

END = dt.date(2026, 11, 21)
SEED = 7


@pytest.fixture(scope="module")
def tiny() -> DemoMarketplace:
    return generate_marketplace(size="tiny", seed=SEED, end=END)


@pytest.fixture(scope="module")
def demo() -> DemoMarketplace:
    return generate_marketplace(size="demo", seed=SEED, end=END)


@pytest.fixture(params=["tiny", "demo"])
def market(request: pytest.FixtureRequest) -> DemoMarketplace:
    return request.getfixturevalue(request.param)


def sale_lines(market: DemoMarketplace) -> pd.DataFrame:
    orders, lines = market.history.orders, market.history.lines
    return lines[lines["order_id"].isin(orders.loc[orders["kind"] == "sale", "id"])]


def history_days(market: DemoMarketplace) -> pd.DatetimeIndex:
    return pd.date_range(market.start, market.end, freq="D")


@pytest.fixture(scope="module")
def demo_daily_units(demo: DemoMarketplace) -> pd.Series:
    """Units sold per day across the whole demo marketplace, zero-filled."""
    lines = sale_lines(demo)
    return lines.groupby(pd.to_datetime(lines["placed_on"]))["quantity"].sum().reindex(history_days(demo), fill_value=0)


@pytest.fixture(scope="module")
def demo_product_units(demo: DemoMarketplace) -> pd.DataFrame:
    """Units sold per product (rows, every product) and day (columns), zero-filled."""
    lines = sale_lines(demo)
    return (
        lines.groupby(["product_id", pd.to_datetime(lines["placed_on"]).rename("day")])["quantity"]
        .sum()
        .unstack(fill_value=0)
        .reindex(index=demo.catalog.products["id"], columns=history_days(demo), fill_value=0)
    )


# --- determinism ----------------------------------------------------------------------


def test_same_seed_and_end_give_identical_frames(tiny: DemoMarketplace) -> None:
    again = generate_marketplace(size="tiny", seed=SEED, end=END)
    pd.testing.assert_frame_equal(again.history.orders, tiny.history.orders)
    pd.testing.assert_frame_equal(again.history.lines, tiny.history.lines)
    pd.testing.assert_frame_equal(again.catalog.products, tiny.catalog.products)
    pd.testing.assert_frame_equal(again.catalog.retailers, tiny.catalog.retailers)
    pd.testing.assert_frame_equal(again.stock_levels, tiny.stock_levels)
    assert (again.start, again.end) == (tiny.start, tiny.end)


def test_different_seed_gives_a_different_marketplace(tiny: DemoMarketplace) -> None:
    other = generate_marketplace(size="tiny", seed=SEED + 1, end=END)
    assert (other.start, other.end) == (tiny.start, tiny.end)
    assert not other.history.lines.equals(tiny.history.lines)
    assert not other.history.orders.equals(tiny.history.orders)
    assert not other.catalog.retailers["name"].equals(tiny.catalog.retailers["name"])


def test_end_date_sets_the_history_window(tiny: DemoMarketplace) -> None:
    assert tiny.end == END
    assert (tiny.end - tiny.start).days + 1 == SIZES["tiny"].days
    placed = tiny.history.lines["placed_on"]
    assert placed.min() >= tiny.start
    assert placed.max() <= tiny.end


# --- integrity ------------------------------------------------------------------------


def test_lines_agree_with_their_orders(market: DemoMarketplace) -> None:
    orders, lines = market.history.orders, market.history.lines
    assert orders["id"].is_unique
    assert lines["id"].is_unique
    assert lines["order_id"].isin(orders["id"]).all()
    assert orders["id"].isin(lines["order_id"]).all(), "every order has at least one line"

    order = orders.set_index("id").loc[lines["order_id"]]
    assert (order["retailer_id"].to_numpy() == lines["retailer_id"].to_numpy()).all()
    placed_date = order["placed_at"].dt.tz_convert("UTC").dt.date.to_numpy()
    assert (placed_date == lines["placed_on"].to_numpy()).all()

    warehouse_of = market.catalog.retailers.set_index("id")["warehouse_id"]
    assert (orders["warehouse_id"].to_numpy() == warehouse_of.loc[orders["retailer_id"]].to_numpy()).all()

    assert not lines.duplicated(["order_id", "line_number"]).any()
    assert not lines.duplicated(["order_id", "product_id"]).any()
    per_order = lines.groupby("order_id")["line_number"].agg(["min", "max", "size"])
    assert (per_order["min"] == 1).all()
    assert (per_order["max"] == per_order["size"]).all(), "line numbers run 1..n"


def test_quantities_prices_and_discounts_are_valid(market: DemoMarketplace) -> None:
    lines = market.history.lines
    assert (lines["quantity"] > 0).all()
    assert (lines["unit_price"] >= 0).all()
    assert ((lines["discount_rate"] >= 0) & (lines["discount_rate"] < 1)).all()

    sales = sale_lines(market)
    pack = market.catalog.products.set_index("id")["pack_size"].loc[sales["product_id"]].to_numpy()
    assert (pack >= 1).all()
    assert (sales["quantity"].to_numpy() % pack == 0).all(), "sale quantities come in whole packs"

    # Line prices follow the product's daily price path.
    day = (pd.to_datetime(sales["placed_on"]) - pd.Timestamp(market.start)).dt.days.to_numpy()
    path = market.history.prices[sales["product_id"].to_numpy() - 1, day]
    np.testing.assert_allclose(sales["unit_price"].to_numpy(), path)


def test_catalog_integrity(market: DemoMarketplace) -> None:
    catalog = market.catalog
    products, categories = catalog.products, catalog.categories
    assert products["id"].is_unique
    assert not products.duplicated(["vendor_id", "sku"]).any()
    assert products["name"].is_unique, "one name, one product: no two SKUs read the same on a shelf"
    assert products["vendor_id"].isin(catalog.vendors["id"]).all()
    assert products["brand_id"].isin(catalog.brands["id"]).all()
    brand_vendor = catalog.brands.set_index("id")["vendor_id"].loc[products["brand_id"]].to_numpy()
    assert (brand_vendor == products["vendor_id"].to_numpy()).all(), "a product's brand belongs to its vendor"

    category = categories.set_index("id").loc[products["category_id"]]
    assert category["parent_id"].notna().all(), "products sit in second-level categories"
    assert categories.loc[categories["parent_id"].notna(), "parent_id"].isin(categories["id"]).all()
    assert categories.set_index("id").loc[category["parent_id"].astype(int), "parent_id"].isna().all()
    assert (category["department"].to_numpy() == products["department"].to_numpy()).all()

    assert catalog.retailers["warehouse_id"].isin(catalog.warehouses["id"]).all()


def test_no_line_before_onboarding_or_launch(market: DemoMarketplace) -> None:
    lines = market.history.lines
    onboarded = market.catalog.retailers.set_index("id")["onboarded_on"].loc[lines["retailer_id"]].to_numpy()
    launched = market.catalog.products.set_index("id")["launched_on"].loc[lines["product_id"]].to_numpy()
    placed = lines["placed_on"].to_numpy()
    assert (placed >= onboarded).all(), "a retailer orders nothing before it is onboarded"
    assert (placed >= launched).all(), "a product sells nothing before it is launched"


def test_late_launches_and_late_joiners_exist_and_sell(demo: DemoMarketplace) -> None:
    """The launch/onboarding check above is only meaningful if some dates fall inside the history."""
    lines = sale_lines(demo)
    products, retailers = demo.catalog.products, demo.catalog.retailers
    late_products = products.loc[products["launched_on"] > demo.start, "id"]
    late_retailers = retailers.loc[retailers["onboarded_on"] > demo.start, "id"]
    assert len(late_products) >= 10
    assert len(late_retailers) >= 10
    assert lines["product_id"].isin(late_products).sum() > 100
    assert lines["retailer_id"].isin(late_retailers).sum() > 100


def test_inactive_products_never_sell(market: DemoMarketplace) -> None:
    products = market.catalog.products
    assert products["is_active"].mean() > 0.8
    inactive = products.loc[~products["is_active"], "id"]
    assert not market.history.lines["product_id"].isin(inactive).any()


@pytest.mark.parametrize("seed", range(6))
def test_invariants_hold_for_other_seeds(seed: int) -> None:
    """Cheap invariants on several tiny marketplaces, so they do not hold by luck of one seed."""
    market = generate_marketplace(size="tiny", seed=seed, end=END)
    lines, products = market.history.lines, market.catalog.products.set_index("id")
    retailers = market.catalog.retailers.set_index("id")
    placed = lines["placed_on"].to_numpy()
    assert (placed >= products["launched_on"].loc[lines["product_id"]].to_numpy()).all()
    assert (placed >= retailers["onboarded_on"].loc[lines["retailer_id"]].to_numpy()).all()
    assert not lines["product_id"].isin(products.index[~products["is_active"]]).any()
    sales = sale_lines(market)
    assert (sales["quantity"].to_numpy() % products["pack_size"].loc[sales["product_id"]].to_numpy() == 0).all()
    assert not lines.duplicated(["order_id", "line_number"]).any()


# --- returns and cancellations --------------------------------------------------------


def test_returns_reference_an_earlier_sale_of_the_same_retailer(demo: DemoMarketplace) -> None:
    orders, lines = demo.history.orders, demo.history.lines
    assert set(orders["kind"]) == {"sale", "return"}
    sales, returns = orders[orders["kind"] == "sale"], orders[orders["kind"] == "return"]
    assert sales["returns_order_id"].isna().all()
    assert returns["returns_order_id"].notna().all()
    assert 0.005 < len(returns) / len(sales) < 0.05

    original = orders.set_index("id").loc[returns["returns_order_id"].astype(int)]
    assert (original["kind"] == "sale").all()
    assert (original["status"] == "delivered").all(), "only delivered goods come back"
    assert (original["retailer_id"].to_numpy() == returns["retailer_id"].to_numpy()).all()
    assert (returns["placed_at"].to_numpy() > original["placed_at"].to_numpy()).all()

    # Each returned line is a product of the original order, in a smaller quantity.
    returned = lines[lines["order_id"].isin(returns["id"])].merge(
        returns[["id", "returns_order_id"]], left_on="order_id", right_on="id", suffixes=("", "_order")
    )
    sold = returned.merge(
        lines,
        left_on=[returned["returns_order_id"].astype(int), "product_id"],
        right_on=["order_id", "product_id"],
        how="left",
        suffixes=("", "_sold"),
        indicator=True,
    )
    assert (sold["_merge"] == "both").all()
    assert (sold["quantity"] <= sold["quantity_sold"]).all()


def test_cancellations(market: DemoMarketplace) -> None:
    orders = market.history.orders
    cancelled = orders["status"] == "cancelled"
    assert (orders["cancelled_at"].notna() == cancelled).all(), "only cancelled orders have cancelled_at"
    assert (orders.loc[cancelled, "cancelled_at"] > orders.loc[cancelled, "placed_at"]).all()


def test_about_two_percent_of_sales_are_cancelled(demo: DemoMarketplace) -> None:
    sales = demo.history.orders[demo.history.orders["kind"] == "sale"]
    share = (sales["status"] == "cancelled").mean()
    assert 0.012 < share < 0.03


# --- demand patterns (demo size) ------------------------------------------------------


def test_weekly_seasonality_sunday_is_low(demo_daily_units: pd.Series) -> None:
    by_weekday = demo_daily_units.groupby(demo_daily_units.index.dayofweek).mean()
    sunday, other_days = by_weekday.loc[6], by_weekday.loc[0:5]
    assert by_weekday.idxmin() == 6
    assert sunday < 0.6 * other_days.mean()
    assert other_days.min() > 0.8 * other_days.mean(), "the other days stay close to each other"


def test_diwali_lifts_demand_in_the_run_up(demo: DemoMarketplace, demo_daily_units: pd.Series) -> None:
    events = demo.events
    event_days = pd.DatetimeIndex(
        np.concatenate([pd.date_range(e.starts_on, e.ends_on).to_numpy() for e in events.itertuples()])
    )
    checked = 0
    for diwali in events[events["name"] == "Diwali"].itertuples():
        peak = pd.Timestamp(diwali.peak_on)
        run_up = pd.date_range(peak - pd.Timedelta(days=10), peak - pd.Timedelta(days=1))
        # Same weekdays a few weeks earlier, away from any other event.
        baselines = [run_up - pd.Timedelta(weeks=w) for w in range(3, 8)]
        baselines = [b for b in baselines if b[0] >= pd.Timestamp(demo.start) and not b.isin(event_days).any()]
        if run_up[0] < pd.Timestamp(demo.start) or len(baselines) < 2:
            continue
        before = max(demo_daily_units.loc[b].mean() for b in baselines)
        assert demo_daily_units.loc[run_up].mean() > 1.15 * before, f"Diwali {diwali.peak_on}"
        checked += 1
    assert checked >= 2


def test_department_yearly_seasonality(demo: DemoMarketplace) -> None:
    """Beverages peak in early summer: their May-July to December-February ratio of units
    is well above that of Staples (nearly flat) and Dairy (peaks in December). Comparing
    ratios between departments cancels out the shared trend and festivals."""
    lines = sale_lines(demo)
    units = pd.DataFrame(
        {
            "department": demo.catalog.products.set_index("id")["department"].loc[lines["product_id"]].to_numpy(),
            "month": pd.to_datetime(lines["placed_on"]).dt.month.to_numpy(),
            "quantity": lines["quantity"].to_numpy(),
        }
    )
    summer = units[units["month"].isin([5, 6, 7])].groupby("department")["quantity"].sum()
    winter = units[units["month"].isin([12, 1, 2])].groupby("department")["quantity"].sum()
    ratio = summer / winter
    assert ratio["Beverages"] > 1.25 * ratio["Staples"]
    assert ratio["Beverages"] > 1.25 * ratio["Dairy"]


def test_promoted_lines_match_their_promotion(market: DemoMarketplace) -> None:
    history = market.history
    lines = sale_lines(market)
    promotions = history.promotions.set_index("id")
    promoted = lines[lines["on_promotion"]]
    assert len(promoted) > 0
    assert lines.loc[~lines["on_promotion"], "promotion_id"].isna().all()
    assert promoted["promotion_id"].notna().all()

    promo = promotions.loc[promoted["promotion_id"].astype(int)]
    np.testing.assert_allclose(promoted["discount_rate"].to_numpy(), promo["discount_rate"].to_numpy())
    placed = promoted["placed_on"].to_numpy()
    assert ((placed >= promo["starts_on"].to_numpy()) & (placed <= promo["ends_on"].to_numpy())).all()
    members = set(
        zip(history.promotion_products["promotion_id"], history.promotion_products["product_id"], strict=True)
    )
    assert all(
        pair in members for pair in zip(promoted["promotion_id"].astype(int), promoted["product_id"], strict=True)
    )
    vendor = market.catalog.products.set_index("id")["vendor_id"]
    assert (vendor.loc[promoted["product_id"]].to_numpy() == promo["vendor_id"].to_numpy()).all()

    # Conversely, every sale of a product inside one of its promotions is flagged.
    covered = lines.merge(history.promotion_products, on="product_id").merge(
        history.promotions[["id", "starts_on", "ends_on"]], left_on="promotion_id_y", right_on="id"
    )
    covered = covered[(covered["placed_on"] >= covered["starts_on"]) & (covered["placed_on"] <= covered["ends_on"])]
    assert covered["on_promotion"].all()
    # Promotion discounts are deeper than the routine trade discount.
    assert promoted["discount_rate"].min() > lines.loc[~lines["on_promotion"], "discount_rate"].max()


def test_promotions_lift_sales(demo: DemoMarketplace, demo_product_units: pd.DataFrame) -> None:
    """A promoted product sells more per day during the promotion than in the weeks before."""
    joined = demo.history.promotion_products.merge(demo.history.promotions, left_on="promotion_id", right_on="id")
    ratios = []
    for row in joined.itertuples():
        units = demo_product_units.loc[row.product_id]
        starts, ends = pd.Timestamp(row.starts_on), pd.Timestamp(row.ends_on)
        before = units.loc[starts - pd.Timedelta(days=35) : starts - pd.Timedelta(days=8)]
        if len(before) == 28 and before.sum() > 0:
            ratios.append(units.loc[starts:ends].mean() / before.mean())
    assert len(ratios) >= 50
    assert np.median(ratios) > 1.1


def test_intermittent_long_tail_and_steady_best_sellers(
    demo: DemoMarketplace, demo_product_units: pd.DataFrame
) -> None:
    products = demo.catalog.products.set_index("id")
    days = demo_product_units.columns
    available = days.to_numpy()[None, :] >= pd.to_datetime(products["launched_on"]).to_numpy()[:, None]
    zero_days = ((demo_product_units.to_numpy() == 0) & available).sum(axis=1)
    zero_share = pd.Series(zero_days / np.maximum(available.sum(axis=1), 1), index=products.index)
    zero_share = zero_share[products["is_active"]]

    assert (zero_share > 0.8).mean() > 0.2, "a long tail of products sells on few days"
    assert (zero_share < 0.2).mean() > 0.1, "while many sell on most days"
    best_sellers = sale_lines(demo)["product_id"].value_counts().index[:10]  # most often ordered
    assert (zero_share.loc[best_sellers] < 0.05).all(), "top sellers sell on nearly every day"


def test_bundled_products_are_bought_together(demo: DemoMarketplace) -> None:
    lines = sale_lines(demo)[["order_id", "product_id"]]
    n_orders = lines["order_id"].nunique()
    orders_with = lines.groupby("product_id")["order_id"].nunique()
    pairs = lines.merge(lines, on="order_id")
    pairs = pairs[pairs["product_id_x"] < pairs["product_id_y"]]
    together = pairs.groupby(["product_id_x", "product_id_y"]).size()
    together = together[together >= 100]  # enough support for the lift to mean something
    expected = (
        orders_with.loc[together.index.get_level_values(0)].to_numpy()
        * orders_with.loc[together.index.get_level_values(1)].to_numpy()
        / n_orders
    )
    lift = together / expected
    assert lift.max() > 10
    assert (lift > 3).sum() >= SIZES["demo"].bundles // 3
    assert lift.median() < 2, "most frequent pairs are close to independent"


def test_stockouts_remove_sales_from_that_warehouse(demo: DemoMarketplace) -> None:
    lines = sale_lines(demo)
    warehouse_of = demo.catalog.retailers.set_index("id")["warehouse_id"]
    lines = lines.assign(warehouse_id=warehouse_of.loc[lines["retailer_id"]].to_numpy())
    stockouts = demo.history.stockouts
    assert len(stockouts) >= 2
    assert stockouts["ended_on"].isna().sum() >= 1, "some products are still out at the end"
    sold_before = 0
    for out in stockouts.itertuples():
        last = demo.end if pd.isna(out.ended_on) else out.ended_on
        assert out.started_on <= last
        here = lines[(lines["product_id"] == out.product_id) & (lines["warehouse_id"] == out.warehouse_id)]
        during = here[(here["placed_on"] >= out.started_on) & (here["placed_on"] <= last)]
        assert during.empty, f"product {out.product_id} sold from warehouse {out.warehouse_id} while out of stock"
        month_before = here[
            (here["placed_on"] >= out.started_on - dt.timedelta(days=28)) & (here["placed_on"] < out.started_on)
        ]
        sold_before += not month_before.empty
    assert sold_before >= len(stockouts) / 2, "stockouts hit products that were selling there"

    stock = demo.stock_levels.set_index(["product_id", "warehouse_id"])
    ongoing = stockouts[stockouts["ended_on"].isna()]
    assert (stock.loc[list(zip(ongoing["product_id"], ongoing["warehouse_id"], strict=True)), "on_hand"] == 0).all()


# --- sizes ----------------------------------------------------------------------------


def test_sizes_are_ordered(tiny: DemoMarketplace, demo: DemoMarketplace) -> None:
    assert len(tiny.catalog.retailers) < len(demo.catalog.retailers)
    assert len(tiny.catalog.products) < len(demo.catalog.products)
    assert len(tiny.history.lines) < len(demo.history.lines)
    assert len(tiny.history.orders) < len(demo.history.orders)

    assert len(demo.catalog.retailers) >= 200
    assert len(demo.catalog.products) >= 200
    assert (demo.end - demo.start).days >= 2 * 365
    placed = demo.history.lines["placed_on"]
    assert (placed.max() - placed.min()).days >= 2 * 365, "orders span the whole history"
    assert demo.history.lines["retailer_id"].nunique() >= 0.9 * len(demo.catalog.retailers)


def test_every_retailer_has_a_contact_to_call(tiny: DemoMarketplace) -> None:
    retailers = tiny.catalog.retailers
    assert retailers["contact_name"].str.len().gt(0).all()
    assert retailers["contact_phone"].str.fullmatch(r"\+91 9\d{4} \d{5}").all()
    assert retailers["contact_email"].str.fullmatch(r"[a-z0-9]+@r\d{5}\.shop\.example").all()


# --- ordering rhythms and discovery ---------------------------------------------------


def _days_since_last_order(market: DemoMarketplace) -> pd.Series:
    orders = market.history.orders
    sales = orders[(orders["kind"] == "sale") & (orders["status"] != "cancelled")]
    last = sales.groupby("retailer_id")["placed_at"].max().dt.date
    return last.map(lambda day: (market.end - day).days)


def test_shops_order_on_rhythms_of_their_own(demo: DemoMarketplace) -> None:
    """Weekly stock-ups, fortnightly and four-weekly shops, and a few that order several times a week: the gap
    between a shop's orders is its own, not one a day for everyone."""
    orders = demo.history.orders
    sales = orders[(orders["kind"] == "sale") & (orders["status"] != "cancelled")]
    days = sales.assign(day=pd.to_datetime(sales["placed_at"].dt.date))[["retailer_id", "day"]].drop_duplicates()
    gap = days.sort_values("day").groupby("retailer_id")["day"].diff().dt.days
    typical = gap.groupby(days["retailer_id"]).median()
    assert typical.between(2, 4).mean() > 0.1, "some shops order more than once a week"
    assert typical.between(6, 8).mean() > 0.3, "many stock up weekly"
    assert typical.between(13, 15).mean() > 0.05, "some fortnightly"
    assert (typical >= 26).mean() > 0.02, "a few every four weeks"
    assert len(sales) < 0.4 * len(demo.catalog.retailers) * (demo.end - demo.start).days, "no shop orders daily"


def test_some_shops_are_quiet_and_a_few_have_lapsed(demo: DemoMarketplace) -> None:
    """A rep's 'quiet for more than 7 days' filter and the reorder chance need shops that differ at the end."""
    since = _days_since_last_order(demo)
    assert (since <= 7).mean() > 0.6, "most shops ordered in the last week"
    assert (since > 7).sum() >= 10, "some have been quiet for more than a week"
    assert (since > 28).sum() >= 5, "a few have lapsed for a month or more"
    assert since.max() <= 120


def test_quiet_shops_exist_in_a_tiny_marketplace_too(tiny: DemoMarketplace) -> None:
    assert (_days_since_last_order(tiny) > 7).sum() >= 2


def test_shops_take_up_products_their_peers_buy(demo: DemoMarketplace) -> None:
    """Discovery has something to learn from: shops keep buying products new to them, long after both the shop
    and the product arrived, and what they take up is what shops of the same segment already buy."""
    lines = sale_lines(demo)
    first = lines.groupby(["retailer_id", "product_id"])["placed_on"].min().rename("first").reset_index()
    retailers = demo.catalog.retailers.set_index("id")
    products = demo.catalog.products.set_index("id")
    available = np.maximum(
        retailers["onboarded_on"].loc[first["retailer_id"]].to_numpy(),
        products["launched_on"].loc[first["product_id"]].to_numpy(),
    )
    available = np.maximum(available, demo.start)
    wait = pd.Series([(f - a).days for f, a in zip(first["first"], available, strict=True)])
    assert (wait > 180).mean() > 0.08, "a share of a shop's products are taken up after its first half year"

    last_quarter = first[first["first"] > demo.end - dt.timedelta(days=90)]
    late = last_quarter[(wait.loc[last_quarter.index] > 90).to_numpy()]
    assert late["retailer_id"].nunique() >= 0.2 * len(retailers), "shops discover products in the last quarter"

    # Peers: a product a shop takes up is, more often than not, one its segment already buys.
    segment = retailers["segment"]
    before = lines[lines["placed_on"] <= demo.end - dt.timedelta(days=90)]
    peer_products = set(zip(segment.loc[before["retailer_id"]].to_numpy(), before["product_id"], strict=True))
    taken = list(zip(segment.loc[late["retailer_id"]].to_numpy(), late["product_id"], strict=True))
    assert np.mean([pair in peer_products for pair in taken]) > 0.9


def test_refused_lines_name_their_retailer_warehouse_and_order(market: DemoMarketplace) -> None:
    refused, orders = market.history.refused, market.history.orders
    assert len(refused) > 0 and (refused["quantity"] > 0).all()
    retailers = market.catalog.retailers.set_index("id")
    assert (retailers.loc[refused["retailer_id"], "warehouse_id"].to_numpy() == refused["warehouse_id"]).all()
    # A refused line belongs to the order its retailer's shipped lines of that day made, never a cancelled one;
    # some days had every line refused and made no order.
    on_order = refused.dropna(subset=["order_id"])
    assert len(on_order) > 0
    order = orders.set_index("id").loc[on_order["order_id"].astype(int)]
    assert (order["retailer_id"].to_numpy() == on_order["retailer_id"].to_numpy()).all()
    assert (order["placed_at"].dt.date.to_numpy() == on_order["placed_on"].to_numpy()).all()
    assert (order["status"] != "cancelled").all() and (order["kind"] == "sale").all()
    missing = refused[refused["order_id"].isna()]
    shipped_keys = set(zip(orders["retailer_id"], orders["placed_at"].dt.date, strict=True))
    assert not any(key in shipped_keys for key in zip(missing["retailer_id"], missing["placed_on"], strict=True))

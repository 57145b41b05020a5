"""The demo's stock: purchase orders, the ledger and stockout periods agree with each other and with the orders."""

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from retailiq.demo.generator import DemoMarketplace, generate_marketplace
from retailiq.demo.loader import load_marketplace
from retailiq.inventory.models import PurchaseOrder, StockLevel, StockMovement, StockoutPeriod
from retailiq.inventory.selectors import stock_daily_frame, stock_on_hand, supplier_reliability

END = dt.date(2026, 11, 21)


@pytest.fixture(scope="module")
def demo() -> DemoMarketplace:
    return generate_marketplace(size="demo", seed=7, end=END)


@pytest.fixture(scope="module")
def tiny() -> DemoMarketplace:
    return generate_marketplace(size="tiny", seed=11, end=END)


def pair_key(frame: pd.DataFrame) -> pd.Series:
    return frame["product_id"] * 1000 + frame["warehouse_id"]


def test_stock_is_never_negative_and_today_is_the_ledgers_sum(demo: DemoMarketplace) -> None:
    inventory = demo.history.inventory
    assert inventory.daily_on_hand.min() >= 0
    movements = inventory.movements
    total = movements.groupby(["product_id", "warehouse_id"])["quantity"].sum()
    position = demo.stock_levels.set_index(["product_id", "warehouse_id"])["on_hand"]
    assert (total.reindex(position.index, fill_value=0) == position).all()
    signs = movements.groupby("kind")["quantity"].agg(["min", "max"])
    assert signs.loc["sale", "max"] < 0 and signs.loc["receipt", "min"] > 0 and signs.loc["return", "min"] > 0


def test_sales_issues_are_the_shipped_order_lines(demo: DemoMarketplace) -> None:
    orders, lines = demo.history.orders, demo.history.lines
    shipped = lines.merge(orders[["id", "kind", "status"]], left_on="order_id", right_on="id")
    shipped = shipped[(shipped["kind"] == "sale") & (shipped["status"] != "cancelled")]
    issued = demo.history.inventory.movements.query("kind == 'sale'")["quantity"].sum()
    assert -issued == shipped["quantity"].sum()


def test_receipts_follow_purchase_orders(demo: DemoMarketplace) -> None:
    inventory = demo.history.inventory
    pos, po_lines = inventory.purchase_orders, inventory.purchase_order_lines
    assert set(pos["status"]) >= {"received", "sent"}
    assert (po_lines["quantity_received"] <= po_lines["quantity_ordered"]).all()
    receipts = inventory.movements.query("kind == 'receipt'")
    by_line = receipts.groupby("purchase_order_line_id")["quantity"].sum()
    received = po_lines.set_index("id")["quantity_received"]
    assert (by_line.to_numpy() == received.loc[by_line.index.astype(int)].to_numpy()).all()
    assert received.drop(by_line.index.astype(int)).eq(0).all()
    first = receipts.groupby("purchase_order_line_id")["moved_on"].min()
    po = pos.set_index("id").loc[po_lines.set_index("id").loc[first.index.astype(int), "purchase_order_id"]]
    assert (first.to_numpy() == po["first_received_on"].to_numpy()).all()
    assert (po["ordered_on"].to_numpy() < first.to_numpy()).all()
    on_order = demo.stock_levels["on_order"].sum()
    open_lines = po_lines[po_lines["purchase_order_id"].isin(pos.loc[pos["status"] == "sent", "id"])]
    assert on_order >= open_lines["quantity_ordered"].sum() > 0


def test_unreliable_vendors_split_some_deliveries(demo: DemoMarketplace) -> None:
    """A split line has two receipts; an order between them is partly received and its remainder is on order."""
    inventory = demo.history.inventory
    pos, po_lines = inventory.purchase_orders.set_index("id"), inventory.purchase_order_lines.set_index("id")
    receipts = inventory.movements.query("kind == 'receipt'")
    by_line = receipts.groupby("purchase_order_line_id")["moved_on"].agg(["min", "max", "size"])
    assert by_line["size"].max() == 2
    split = by_line[by_line["size"] == 2]
    assert (split["min"] < split["max"]).all()
    split_orders = pos.loc[po_lines.loc[split.index.astype(int), "purchase_order_id"].unique()]
    assert split_orders["vendor_id"].isin(inventory.unreliable_vendor_ids).all()

    # Closed orders close on their last receipt.
    last = by_line["max"].groupby(po_lines.loc[by_line.index.astype(int), "purchase_order_id"].to_numpy()).max()
    received = pos[pos["status"] == "received"]
    assert (received["closed_on"] == last.loc[received.index]).all()

    partly = pos[pos["status"] == "partly_received"]
    assert len(partly) >= 1
    assert partly["closed_on"].isna().all() and (partly["first_received_on"] <= demo.end).all()
    partly_lines = po_lines[po_lines["purchase_order_id"].isin(partly.index)]
    first = by_line["min"].reindex(partly_lines.index)
    assert (
        first.dropna()
        == partly.loc[partly_lines.loc[first.dropna().index, "purchase_order_id"]]["first_received_on"].to_numpy()
    ).all()
    assert (partly_lines["quantity_received"] < partly_lines["quantity_ordered"]).all()

    # The ledger's receipts are each line's quantity received; on order is the open lines' remainder, per pair.
    total = receipts.groupby("purchase_order_line_id")["quantity"].sum()
    assert (total == po_lines.loc[total.index.astype(int), "quantity_received"].to_numpy()).all()
    lines = po_lines.join(pos[["warehouse_id", "status"]], on="purchase_order_id")
    open_lines = lines[lines["status"].isin(["sent", "partly_received"])]
    remainder = (
        (open_lines["quantity_ordered"] - open_lines["quantity_received"])
        .groupby([open_lines["product_id"], open_lines["warehouse_id"]])
        .sum()
    )
    on_order = demo.stock_levels.set_index(["product_id", "warehouse_id"])["on_order"]
    assert (on_order.reindex(remainder.index) == remainder).all()
    assert on_order.drop(remainder.index).eq(0).all()
    assert open_lines.groupby(["product_id", "warehouse_id"])["purchase_order_id"].nunique().max() == 1


def test_some_vendors_are_unreliable_and_it_shows(demo: DemoMarketplace) -> None:
    inventory = demo.history.inventory
    pos = inventory.purchase_orders[inventory.purchase_orders["first_received_on"].notna()]
    late = (pd.to_datetime(pos["first_received_on"]) - pd.to_datetime(pos["promised_on"])).dt.days
    unreliable = pos["vendor_id"].isin(inventory.unreliable_vendor_ids)
    assert 1 <= len(inventory.unreliable_vendor_ids) < len(demo.catalog.vendors) / 2
    assert late[unreliable].mean() > late[~unreliable].mean() + 2
    assert (late[~unreliable] <= 0).mean() > 0.8


def test_stockouts_are_the_days_the_ledger_had_nothing_to_ship(demo: DemoMarketplace) -> None:
    inventory, stockouts = demo.history.inventory, demo.history.stockouts
    assert len(stockouts) >= 20 and stockouts["ended_on"].isna().any()
    pairs = inventory.position
    row = pd.Series(np.arange(len(pairs)), index=pair_key(pairs))
    for out in stockouts.sample(40, random_state=0).itertuples():
        r = row.loc[out.product_id * 1000 + out.warehouse_id]
        first = (out.started_on - demo.start).days
        last = (demo.end - demo.start).days if pd.isna(out.ended_on) else (out.ended_on - demo.start).days
        closing = inventory.daily_on_hand[r]
        assert closing[first - 1] == 0 if first > 0 else True
        assert (closing[first : last + 1] >= 0).all()
    # Stockouts hit for reasons: unreliable vendors' products are out more often than the others'.
    vendor = demo.catalog.products.set_index("id")["vendor_id"]
    out_days = (
        pd.to_datetime(stockouts["ended_on"].fillna(demo.end)) - pd.to_datetime(stockouts["started_on"])
    ).dt.days + 1
    unreliable = vendor.loc[stockouts["product_id"]].isin(inventory.unreliable_vendor_ids).to_numpy()
    products = demo.catalog.products
    share = products["vendor_id"].isin(inventory.unreliable_vendor_ids).mean()
    assert out_days[unreliable].sum() / out_days.sum() > share


def test_lost_sales_stay_small(demo: DemoMarketplace) -> None:
    """Refused lines are a few percent: demo volumes hold."""
    assert len(demo.history.lines) > 380_000


@pytest.mark.django_db
def test_loaded_ledger_answers_the_selectors(tiny: DemoMarketplace) -> None:
    load_marketplace(tiny)
    inventory = tiny.history.inventory
    assert StockMovement.objects.count() == len(inventory.movements)
    assert PurchaseOrder.objects.count() == len(inventory.purchase_orders)
    assert StockoutPeriod.objects.count() == len(tiny.history.stockouts)
    level = StockLevel.objects.filter(on_hand__gt=0).order_by("id").first()
    assert stock_on_hand(product_id=level.product_id, warehouse_id=level.warehouse_id, as_of=tiny.end) == level.on_hand

    frame = stock_daily_frame(start=tiny.start, end=tiny.end)
    wide = frame.pivot(index=["product_id", "warehouse_id"], columns="date", values="closing")
    pairs = inventory.position.set_index(["product_id", "warehouse_id"])
    expected = pd.DataFrame(inventory.daily_on_hand, index=pairs.index).loc[wide.index]
    np.testing.assert_array_equal(wide.to_numpy(), expected.to_numpy())
    out = frame[frame["stocked"] & (frame["available"] < frame["pack_size"])]
    assert len(out) == sum(((p.ended_on or tiny.end) - p.started_on).days + 1 for p in StockoutPeriod.objects.all()), (
        "the periods loaded are the days the loaded ledger could not ship"
    )
    on_order = frame[frame["date"] == tiny.end].set_index(["product_id", "warehouse_id"])["on_order"]
    assert on_order.sum() > 0
    # What is on order at the start of the last day: today's levels less the orders sent that day.
    levels = pd.DataFrame(StockLevel.objects.values("product_id", "warehouse_id", "on_order"))
    levels = levels.set_index(["product_id", "warehouse_id"])["on_order"]
    pos, po_lines = inventory.purchase_orders, inventory.purchase_order_lines
    sent_today = po_lines.join(pos.set_index("id")[["warehouse_id", "ordered_on"]], on="purchase_order_id")
    sent_today = sent_today[sent_today["ordered_on"] == tiny.end]
    sent_today = sent_today.groupby(["product_id", "warehouse_id"])["quantity_ordered"].sum()
    expected = levels - sent_today.reindex(levels.index, fill_value=0)
    assert (on_order.reindex(levels.index, fill_value=0) == expected).all(), (
        "the receipts loaded leave what is on order"
    )
    # Between a split line's two receipts, its remainder is on order (the pair has no other open line), then nothing.
    receipts = inventory.movements.query("kind == 'receipt'").sort_values("moved_on")
    parts = receipts.groupby("purchase_order_line_id").agg(
        product_id=("product_id", "first"),
        warehouse_id=("warehouse_id", "first"),
        first_on=("moved_on", "min"),
        last_on=("moved_on", "max"),
        first_quantity=("quantity", "first"),
        parts=("quantity", "size"),
    )
    split = parts[(parts["parts"] == 2) & (parts["last_on"] <= tiny.end)]
    assert len(split) >= 1
    ordered = po_lines.set_index("id")["quantity_ordered"]
    daily_on_order = frame.set_index(["product_id", "warehouse_id", "date"])["on_order"]
    for line_id, part in split.iterrows():
        pair = (part["product_id"], part["warehouse_id"])
        between = daily_on_order.loc[[(*pair, pd.Timestamp(part["first_on"])), (*pair, pd.Timestamp(part["last_on"]))]]
        assert between.tolist() == [ordered.loc[int(line_id)] - part["first_quantity"], 0]
    reliability = supplier_reliability(until=tiny.end)
    assert len(reliability) == len(tiny.catalog.vendors)
    assert reliability["fill_rate"].between(0.3, 1).all()


def test_daily_stock_worked_out_in_blocks_of_pairs_is_the_same(
    tiny: DemoMarketplace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big marketplace's daily stock is worked out a block of pairs at a time; tiny's 80 pairs fit one block
    by default, so blocks of 7 (and a last, shorter one) must give the same stock, stockouts and ledger."""
    from retailiq.demo import ledger

    assert len(tiny.history.inventory.position) <= ledger.PAIR_BLOCK
    monkeypatch.setattr(ledger, "PAIR_BLOCK", 7)
    blocked = generate_marketplace(size="tiny", seed=11, end=END).history
    np.testing.assert_array_equal(blocked.inventory.daily_on_hand, tiny.history.inventory.daily_on_hand)
    pd.testing.assert_frame_equal(blocked.stockouts, tiny.history.stockouts, check_exact=True)
    pd.testing.assert_frame_equal(blocked.inventory.movements, tiny.history.inventory.movements, check_exact=True)
    pd.testing.assert_frame_equal(blocked.inventory.position, tiny.history.inventory.position, check_exact=True)

"""The stockout model's calendar from the database: festivals everywhere, regional ones and promotions per pair,
and the warning's reason naming what is ahead."""

import datetime as dt

from optimization.ml.training import CoverRuleModel
from optimization.selectors import calendar_frame, pair_frame
from optimization.services.risk import risk_rows
from retailiq.events.models import CalendarEvent, Promotion
from retailiq.inventory.models import Warehouse

from .conftest import END


def test_calendar_has_festivals_everywhere_regional_ones_and_promotions_per_pair(stocked):
    CalendarEvent.objects.all().delete()
    Promotion.objects.all().delete()
    pairs = pair_frame()
    warehouse = Warehouse.objects.get(pk=int(pairs["warehouse_id"].iloc[0]))
    product_id = int(pairs["product_id"].iloc[0])
    CalendarEvent.objects.create(name="Diwali", kind="festival", starts_on=END + dt.timedelta(days=9),
                                 ends_on=END + dt.timedelta(days=12))  # fmt: skip
    CalendarEvent.objects.create(name="Pongal", kind="festival", region=warehouse.region,
                                 starts_on=END + dt.timedelta(days=3), ends_on=END + dt.timedelta(days=4))  # fmt: skip
    CalendarEvent.objects.create(name="Republic Day", kind="holiday", starts_on=END, ends_on=END)
    promotion = Promotion.objects.create(name="Spring offer", vendor_id=int(pairs["vendor_id"].iloc[0]),
                                         discount_rate="0.1", starts_on=END, ends_on=END + dt.timedelta(days=6))  # fmt: skip
    promotion.products.add(product_id)

    start = END - dt.timedelta(days=10)
    calendar = calendar_frame(start=start, end=END + dt.timedelta(days=28), pairs=pairs)
    everywhere = calendar[calendar["pair"] == -1]
    assert everywhere[["first_day", "name", "kind"]].values.tolist() == [[19, "Diwali", "festival"]]
    regional = calendar[calendar["name"] == "Pongal"]
    assert set(regional["pair"]) == set(pairs.index[pairs["region"] == warehouse.region])
    promoted = calendar[calendar["kind"] == "promotion"]
    assert set(promoted["pair"]) == set(pairs.index[pairs["product_id"] == product_id])

    rows = risk_rows(CoverRuleModel(), as_of=END)
    reasons = dict(zip(zip(rows["product_id"], rows["warehouse_id"], strict=True), rows["reason"], strict=True))
    first = reasons[(product_id, warehouse.pk)]
    assert first.endswith("Pongal in 3 days, Spring offer now")  # the sooner festival of the two
    elsewhere = set(pairs.loc[pairs["region"] != warehouse.region, "warehouse_id"])
    assert elsewhere and all(
        "Diwali in 9 days" in reason for (_, warehouse_id), reason in reasons.items() if warehouse_id in elsewhere
    )

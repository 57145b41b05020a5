"""The last day of history, which forecasts start from and reorder predictions are made as of, is never moved
by one line dated in the future."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from forecasting.selectors import latest_sales_day
from reorder.selectors import latest_order_day
from retailiq.dashboards.reference_day import last_order_day
from tests import factories as f

pytestmark = pytest.mark.django_db


def _sale(day: dt.date) -> None:
    order = f.OrderFactory(placed_at=timezone.make_aware(dt.datetime.combine(day, dt.time(10))))
    f.OrderLineFactory(order=order, line_number=1)


def test_a_line_dated_2030_does_not_move_the_latest_day():
    cache.clear()
    real_day = timezone.localdate() - dt.timedelta(days=3)
    _sale(real_day)
    _sale(dt.date(2030, 1, 1))

    assert latest_sales_day() == real_day
    assert latest_order_day() == real_day
    assert last_order_day() == real_day

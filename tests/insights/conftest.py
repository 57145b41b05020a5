"""Order histories with patterns the detectors must find, on the two-sided marketplace of tests/conftest.py, and
the insights a run through the registry stores from them."""

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest

from insights.models import Insight
from retailiq.orders.models import Order, OrderLine
from retailiq.registry.models import Job, JobKind
from retailiq.registry.services import scoring_job_create, scoring_job_run_here, training_job_run
from tests import factories as f

END = dt.date(2026, 3, 1)  # a Sunday: the last day of data
AS_OF = END + dt.timedelta(days=1)
WEEKS = 40


def _orders(shop, warehouse, plan: list[tuple[dt.date, list[tuple[object, int]]]], prefix: str) -> None:
    orders = Order.objects.bulk_create(
        Order(
            external_id=f"{prefix}-{n}",
            retailer=shop,
            warehouse=warehouse,
            placed_at=dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC),
            status="delivered",
        )
        for n, (day, _) in enumerate(plan)
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order, line_number=k + 1, product=product, quantity=quantity, unit_price=Decimal("50"),
            retailer=shop, placed_on=day,
        )
        for order, (day, lines) in zip(orders, plan, strict=True)
        for k, (product, quantity) in enumerate(lines)
    )  # fmt: skip


@pytest.fixture
def patterns(marketplace):
    """Shop A (rep A's) ordered every week for 36 weeks, then stopped: churn risk. Shop B (rep B's) ordered
    product 1 every week and six times its usual in the last week: an unexplained spike for the shop and for
    vendor 1's product. Shop C (rep A's) bought products 1 and 2 every week, then left product 2's category out
    of its last four orders, its baskets a third smaller: a category lapse with smaller baskets."""
    m = marketplace
    Order.objects.filter(pk__in=[m.order_a.pk, m.order_b.pk]).update(
        placed_at=dt.datetime(2025, 1, 6, 10, tzinfo=dt.UTC)
    )
    OrderLine.objects.filter(order__in=[m.order_a, m.order_b]).update(placed_on=dt.date(2025, 1, 6))
    m.shop_c = f.RetailerFactory(name="Charlie Stores", assigned_rep=m.rep_a, region=m.shop_a.region)
    rng = np.random.default_rng(3)
    warehouse = m.order_a.warehouse
    first = END - dt.timedelta(weeks=WEEKS) + dt.timedelta(days=1)  # a Monday
    weeks = [first + dt.timedelta(weeks=k) for k in range(WEEKS)]
    noise = lambda: int(rng.integers(-2, 3))  # noqa: E731
    _orders(
        m.shop_a, warehouse,
        [(day, [(m.product_1, 10 + noise()), (m.product_2, 6 + noise())]) for day in weeks[:-4]], "A",
    )  # fmt: skip
    _orders(
        m.shop_b, warehouse,
        [(day, [(m.product_1, (60 if k == WEEKS - 1 else 10 + noise()))]) for k, day in enumerate(weeks)], "B",
    )  # fmt: skip
    _orders(
        m.shop_c, warehouse,
        [
            (day + dt.timedelta(days=2), [(m.product_1, 8 + noise())] if k >= WEEKS - 4 else [(m.product_1, 12 + noise()), (m.product_2, 6 + noise())])
            for k, day in enumerate(weeks)
        ],
        "C",
    )  # fmt: skip
    return m


def train_and_score(*, as_of: dt.date = AS_OF, key: str = "1") -> Job:
    job = Job.objects.create(
        kind=JobKind.TRAIN, capability="insights", idempotency_key=f"t-{key}", params={"as_of": as_of.isoformat()}
    )
    trained = training_job_run(job_id=job.pk, worker="test")
    assert trained.state == "succeeded", trained.error
    return score(as_of=as_of, key=key)


def score(*, as_of: dt.date = AS_OF, key: str = "1") -> Job:
    job = scoring_job_create(
        capability="insights", user=None, idempotency_key=f"s-{key}", params={"as_of": as_of.isoformat()}
    )
    done = scoring_job_run_here(job_id=job.pk, worker="test")
    assert done.state == "succeeded", done.error
    return done


@pytest.fixture
def scored(patterns):
    train_and_score()
    return patterns


def stored_insight(key: str, kind: str, subject_kind: str, severity: int = 2, **fields) -> Insight:
    return Insight.objects.create(
        as_of=AS_OF, key=key, kind=kind, subject_kind=subject_kind, severity=severity, score=fields.pop("score", 1.0),
        title=fields.pop("title", key), body="evidence in words", action="Call", evidence={"days": 35}, **fields,
    )  # fmt: skip


@pytest.fixture
def stored(marketplace):
    """Insights as a run of the untrained baseline stores them, without running one: shop A's churn risk, shop
    B's spike, vendor 1's product spike in a region, vendor 2's level shift, a marketplace movement; and both
    shops' segments in February and March (shop B moved)."""
    from insights.models import RetailerSegment

    m = marketplace
    m.churn_a = stored_insight(
        f"churn_risk:r{m.shop_a.pk}", "churn_risk", "retailer", 3, retailer=m.shop_a,
        title="Alpha Kirana Store has not ordered for 35 days — call",
    )  # fmt: skip
    m.spike_b = stored_insight(f"spike:r{m.shop_b.pk}", "spike", "retailer", 2, retailer=m.shop_b)
    m.spike_p1 = stored_insight(
        f"spike:p{m.product_1.pk}:Pune", "spike", "product", 3, product=m.product_1, vendor=m.vendor_1, region="Pune",
        title="Sunrise Basmati Rice 5 kg sold 3.2x its expected week in Pune with no promotion",
    )  # fmt: skip
    m.shift_p2 = stored_insight(
        f"level_shift:p{m.product_2.pk}", "level_shift", "product", 1, product=m.product_2, vendor=m.vendor_2
    )
    m.market = stored_insight("segment_shift:a>b", "segment_shift", "marketplace", 1)
    for shop, before, now in ((m.shop_a, "loyal", "lapsing"), (m.shop_b, "loyal", "loyal")):
        for month, segment in ((dt.date(2026, 2, 1), before), (dt.date(2026, 3, 1), now)):
            RetailerSegment.objects.create(
                retailer=shop, month=month, as_of=month, segment=segment, segment_label=segment.title(),
                recency_days=3, frequency=20, monetary=9000, r_score=4, f_score=4, m_score=4,
            )  # fmt: skip
    return m

import os

import pytest
from django.conf import settings


def pytest_configure(config: pytest.Config) -> None:
    # In CI the suite must exercise the production stack, never fall back quietly.
    if os.environ.get("CI"):
        engine = settings.DATABASES["default"]["ENGINE"]
        if engine != "django.db.backends.postgresql" and not os.environ.get("RETAILIQ_TEST_SQLITE"):
            pytest.exit(f"CI is set but the tests would run on {engine}; set DATABASE_URL to PostgreSQL.", returncode=1)


# Asking for any of these (directly or through another fixture) opens the test database.
DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "django_db_setup",
    "live_server",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark `no_database` every test that asks for no database: pure ML, file reading,
    charts. pytest-django refuses database access to such a test, so the mark cannot lie;
    `make test` runs these tests in its first pass only, as a second database changes
    nothing for them."""
    for item in items:
        if not item.get_closest_marker("django_db") and not DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.no_database)


@pytest.fixture
def redis_url() -> str:
    """The Redis the suite talks to. Fails in CI when Redis is unreachable; elsewhere skips."""
    url = os.environ.get("REDIS_URL", "")
    problem = "REDIS_URL is not set"
    if url:
        import redis

        try:
            redis.Redis.from_url(url, socket_connect_timeout=2).ping()
            return url
        except redis.RedisError as exc:
            problem = f"Redis at {url} is unreachable: {exc}"
    if os.environ.get("CI"):
        pytest.fail(problem)
    pytest.skip(problem)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Database ids restart with each test; cached answers keyed by them must not leak."""
    from django.core.cache import cache

    from retailiq.features.cache import in_process_features_clear

    cache.clear()
    in_process_features_clear()
    yield


@pytest.fixture(autouse=True)
def _empty_file_storage():
    """Artifacts are stored under their version's id, which restarts with each test on SQLite: a file an earlier
    test left in the in-memory storage would give the next version's artifact a suffixed name."""
    from django.core.files.storage import InMemoryStorage, default_storage, storages
    from django.utils.functional import empty

    if isinstance(storages["default"], InMemoryStorage):
        storages._storages.pop("default", None)
        default_storage._wrapped = empty
    yield


@pytest.fixture
def marketplace(db):
    """Two retailers with their own reps and two vendors, each selling to both shops,
    so every isolation test has a neighbour whose data must stay invisible."""
    from types import SimpleNamespace

    from tests import factories as f

    rep_a, rep_b = f.SalesRepFactory(username="rep_a"), f.SalesRepFactory(username="rep_b")
    shop_a = f.RetailerFactory(name="Alpha Kirana Store", assigned_rep=rep_a)
    shop_b = f.RetailerFactory(name="Bravo Supermart", assigned_rep=rep_b, city="Delhi", region="North")
    vendor_1, vendor_2 = f.VendorFactory(name="Sunrise Foods"), f.VendorFactory(name="Bluecrest Care")
    product_1 = f.ProductFactory(vendor=vendor_1, name="Sunrise Basmati Rice 5 kg")
    product_2 = f.ProductFactory(vendor=vendor_2, name="Bluecrest Shampoo 340 ml")
    order_a = f.OrderFactory(retailer=shop_a, external_id="SO-ALPHA-1")
    order_b = f.OrderFactory(retailer=shop_b, external_id="SO-BRAVO-1")
    f.OrderLineFactory(order=order_a, product=product_1, line_number=1)
    f.OrderLineFactory(order=order_a, product=product_2, line_number=2)
    f.OrderLineFactory(order=order_b, product=product_1, line_number=1, quantity=7)
    return SimpleNamespace(
        rep_a=rep_a,
        rep_b=rep_b,
        shop_a=shop_a,
        shop_b=shop_b,
        vendor_1=vendor_1,
        vendor_2=vendor_2,
        product_1=product_1,
        product_2=product_2,
        order_a=order_a,
        order_b=order_b,
        retailer_user_a=f.RetailerUserFactory(username="shop_a_owner", retailer=shop_a),
        retailer_user_b=f.RetailerUserFactory(username="shop_b_owner", retailer=shop_b),
        vendor_user_1=f.VendorUserFactory(username="vendor_1_mgr", vendor=vendor_1),
        vendor_user_2=f.VendorUserFactory(username="vendor_2_mgr", vendor=vendor_2),
        analyst=f.UserFactory(username="analyst_1"),
    )


DEMAND_END = __import__("datetime").date(2026, 3, 31)


@pytest.fixture
def demand_history(marketplace):
    """70 days of daily orders from shop A: product 1 sells 10 a day and 15 on
    Saturdays, product 2 sells 3 on even days. Ends on DEMAND_END."""
    import datetime as dt
    from decimal import Decimal

    from retailiq.orders.models import Order, OrderLine

    warehouse = marketplace.order_a.warehouse
    # The fixture's two single orders move to before this history, which then ends the data.
    before = dt.datetime.combine(DEMAND_END - dt.timedelta(days=200), dt.time(9), tzinfo=dt.UTC)
    Order.objects.filter(pk__in=[marketplace.order_a.pk, marketplace.order_b.pk]).update(placed_at=before)
    OrderLine.objects.filter(order__in=[marketplace.order_a, marketplace.order_b]).update(placed_on=before.date())
    orders, lines = [], []
    for offset in range(70):
        day = DEMAND_END - dt.timedelta(days=69 - offset)
        placed_at = dt.datetime.combine(day, dt.time(10), tzinfo=dt.UTC)
        orders.append(
            Order(
                external_id=f"HIST-{offset}",
                retailer=marketplace.shop_a,
                warehouse=warehouse,
                placed_at=placed_at,
                status="delivered",
            )
        )
    Order.objects.bulk_create(orders)
    for offset, order in enumerate(Order.objects.filter(external_id__startswith="HIST-").order_by("placed_at")):
        day = order.placed_at.date()
        quantity = 15 if day.weekday() == 5 else 10
        lines.append(
            OrderLine(
                order=order,
                line_number=1,
                product=marketplace.product_1,
                quantity=quantity,
                unit_price=Decimal("50"),
                retailer=marketplace.shop_a,
                placed_on=day,
            )
        )
        if offset % 2 == 0:
            lines.append(
                OrderLine(
                    order=order,
                    line_number=2,
                    product=marketplace.product_2,
                    quantity=3,
                    unit_price=Decimal("20"),
                    retailer=marketplace.shop_a,
                    placed_on=day,
                )
            )
    OrderLine.objects.bulk_create(lines)
    # Written in bulk past the order services, as the demo loader does: the rollups follow once.
    from retailiq.rollups.services import rollups_rebuild

    rollups_rebuild()
    return marketplace


FEATURE_STORE_END = "2026-11-21"  # the last day of the feature-store tests' marketplace (their modules cut before it)


@pytest.fixture(scope="module")
def feature_store_market():
    """The tiny marketplace the feature-store tests read through both paths (seed 11), generated once a module."""
    import datetime as dt

    from retailiq.demo.generator import generate_marketplace

    return generate_marketplace(size="tiny", seed=11, end=dt.date.fromisoformat(FEATURE_STORE_END))


@pytest.fixture
def demo(db, feature_store_market):
    """That marketplace loaded into the test's database."""
    from retailiq.demo.loader import load_marketplace

    load_marketplace(feature_store_market)
    return feature_store_market

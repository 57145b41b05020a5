import os

import pytest
from django.conf import settings


def pytest_configure(config: pytest.Config) -> None:
    # In CI the suite must exercise the production stack, never fall back quietly.
    if os.environ.get("CI"):
        engine = settings.DATABASES["default"]["ENGINE"]
        if engine != "django.db.backends.postgresql" and not os.environ.get("RETAILIQ_TEST_SQLITE"):
            pytest.exit(f"CI is set but the tests would run on {engine}; set DATABASE_URL to PostgreSQL.", returncode=1)


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

"""Fixtures the fault tests share."""

import random
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection

from retailiq.registry import adapters
from tests.faults.private_postgres import PrivatePostgres
from tests.faults.private_redis import REDIS_SERVER, PrivateRedis
from tests.imports.conftest import ORDERS_HEADER
from tests.workers import celery_worker_process

# The import the faults land in: big enough that a fault finds it mid-file, read in chunks of CHUNK_LINES.
LINES = 24_000
CHUNK_LINES = 1_000


@pytest.fixture
def slow_adapter():
    """A capability whose training takes long enough for a fault to land mid-run; registered in this process
    (the worker loads it through RETAILIQ_ADAPTER_MODULES)."""
    from tests.registry import slow_adapter

    adapters.register_adapter(slow_adapter.SlowAdapter())
    yield slow_adapter
    adapters._ADAPTERS.pop(slow_adapter.CAPABILITY, None)


@pytest.fixture
def private_redis(tmp_path) -> Iterator[PrivateRedis]:
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed: the broker-outage test needs a private Redis it may stop")
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def private_database(transactional_db) -> Iterator[PrivatePostgres]:
    """This process's default connection, and the worker's (made from it), on a private copy of the test
    database; the shared one again afterwards."""
    if connection.vendor != "postgresql":
        pytest.skip("the database-outage test copies a PostgreSQL test database")
    server = PrivatePostgres()
    settings_dict = connection.settings_dict
    saved = {key: settings_dict[key] for key in ("HOST", "PORT", "NAME")}
    try:
        server.init()
        server.start()
        server.copy_database(host=saved["HOST"], port=saved["PORT"], user=settings_dict["USER"], name=saved["NAME"])
        connection.close()
        settings_dict.update(HOST="127.0.0.1", PORT=str(server.port), NAME=server.NAME)
        yield server
    finally:
        connection.close()
        settings_dict.update(saved)
        server.remove()


@pytest.fixture
def big_orders_csv(tmp_path):
    """Two lines per order, 40 shops, 150 products, dated in 2025; seeded."""
    rng = random.Random(18)
    path = tmp_path / "orders.csv"
    quantity = 0
    with path.open("w", encoding="utf-8") as handle:
        handle.write(ORDERS_HEADER + "\n")
        for n in range(LINES):
            if n % 2 == 0:  # an order's two lines share its shop and day, not its product
                shop, first_sku = rng.randrange(40), rng.randrange(149)
            sku, units = first_sku + n % 2, rng.randint(1, 9)
            quantity += units
            day = 1 + (n // 2) % 180
            handle.write(
                f"SO-{n // 2},2025-{1 + (day - 1) // 30:02d}-{1 + (day - 1) % 28:02d} 10:00:00,R{shop},"
                f"Shop {shop},Pune,SKU-{sku},Product {sku},Staples,{units},{10 + sku % 7}.50\n"
            )
    return path, quantity


@contextmanager
def import_worker_running(*, redis_url: str, tmp_path: Path, settings, name: str) -> Iterator[Path]:
    """A real prefork worker on the default queue that imports in chunks of CHUNK_LINES, with media on disk it
    shares with the test and a heartbeat that goes stale within seconds; yields its log's path."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    extra_env = {
        "RETAILIQ_TEST_MEDIA_ROOT": settings.MEDIA_ROOT,
        "RETAILIQ_IMPORT_CHUNK_LINES": str(CHUNK_LINES),
        "RETAILIQ_JOB_HEARTBEAT_SECONDS": "0.3",
        "RETAILIQ_JOB_STALE_AFTER_SECONDS": "3",
    }
    log_path = tmp_path / "worker.log"
    with celery_worker_process(
        redis_url=redis_url, log_path=log_path, queue="default", pool="prefork", name=name, extra_env=extra_env
    ):
        yield log_path

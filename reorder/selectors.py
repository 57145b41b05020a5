"""Reads for reorder: the order history in the ML's long format, call outcomes, and stored predictions, each
already narrowed to what a user may see."""

import datetime as dt
import hashlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.db.models import Q, QuerySet

from retailiq.accounts.models import User
from retailiq.accounts.scoping import NoScope, product_filter, retailer_filter
from retailiq.catalog.models import Product
from retailiq.orders.selectors import last_day_of, sale_lines
from retailiq.registry.adapters import adapter_for
from retailiq.registry.selectors import ServingBatch, as_of_after, serving_batch
from retailiq.retailers.models import Retailer
from retailiq.web.cache import cached_for_data

from .conf import reorder_settings
from .models import CallOutcome, ReorderPrediction

FEW_SHOPS = 50  # up to this many shops, a history read is a few index lookups (see index_read)
HISTORY_COLUMNS = [
    "retailer_id",
    "product_id",
    "date",
    "quantity",
    "unit_price",
    "discount_rate",
    "segment",
    "city",
    "category_id",
    "vendor_id",
]
CALL_COLUMNS = ["retailer_id", "product_id", "date", "outcome"]
CAPABILITY = "reorder"
BASELINE_LABEL = "baseline (no trained model yet)"
# The columns of a serving frame, whether read from stored rows or predicted by the adapter's baseline.
FRAME_COLUMNS = [
    "retailer_id",
    "product_id",
    "probabilities",
    "expected_quantity",
    "expected_date",
    "expected_value",
    "unit_price",
    "last_order_date",
    "days_overdue",
    "days_since_last_order",
    "interval_days",
    "reasons",
]


def latest_order_day() -> dt.date | None:
    """The last day with a purchase: predictions are made as of the day after it. Cached under the data version:
    the baseline call list asks on every request, and the maximum over every order line took 160 ms."""
    return cached_for_data("reorder:latest-order-day", lambda: last_day_of(sale_lines()))


def order_history_before(*, as_of: dt.date, retailer_ids: Sequence[int] | None) -> pd.DataFrame:
    """The history a prediction as of ``as_of`` reads: the training window's length, ending the day before."""
    start = as_of - dt.timedelta(days=reorder_settings().history_days)
    return order_history_frame(start=start, end=as_of - dt.timedelta(days=1), retailer_ids=retailer_ids)


def purchase_days(*, retailer_ids: Iterable[int], start: dt.date) -> dict[int, list[dt.date]]:
    """Each shop's days with a purchase since ``start``, sorted: what a call's hit is measured against."""
    rows = (
        sale_lines()
        .filter(retailer_id__in=list(retailer_ids), placed_on__gte=start)
        .order_by("retailer_id", "placed_on")
        .values_list("retailer_id", "placed_on")
        .distinct()
    )
    days: dict[int, list[dt.date]] = {}
    for retailer_id, day in rows:
        days.setdefault(retailer_id, []).append(day)
    return days


def active_retailer_ids(*, start: dt.date, end: dt.date) -> list[int]:
    """Shops with a purchase between ``start`` and ``end``: the ones batch scoring predicts for."""
    lines = sale_lines().filter(placed_on__gte=start, placed_on__lte=end)
    return sorted(lines.order_by().values_list("retailer_id", flat=True).distinct())


def order_history_frame(
    *, start: dt.date | None = None, end: dt.date | None = None, retailer_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """Every purchase line between ``start`` and ``end`` (inclusive) in the long format of
    :mod:`reorder.ml.history`.

    Read with one ``values_list`` and built column by column, because model instances or per-row dicts cost
    seconds per hundred thousand lines and training reads well over a million."""
    lines = sale_lines()
    if start is not None:
        lines = lines.filter(placed_on__gte=start)
    if end is not None:
        lines = lines.filter(placed_on__lte=end)
    if retailer_ids is not None:
        lines = lines.filter(retailer_id__in=list(retailer_ids))
    few_shops = retailer_ids is not None and len(retailer_ids) <= FEW_SHOPS
    rows = lines.order_by().values_list(
        "retailer_id",
        "product_id",
        "placed_on",
        "quantity",
        "unit_price",
        "discount_rate",
        "retailer__segment",
        "retailer__city",
        "product__category_id",
        "product__vendor_id",
    )
    with index_read() if few_shops else nullcontext():
        rows = list(rows)
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in HISTORY_COLUMNS]
    frame = pd.DataFrame(
        {
            "retailer_id": np.asarray(columns[0], dtype=np.int64),
            "product_id": np.asarray(columns[1], dtype=np.int64),
            "date": np.asarray(columns[2], dtype="datetime64[D]").astype("datetime64[ns]"),
            "quantity": np.asarray(columns[3], dtype=float),
            "unit_price": np.asarray(columns[4], dtype=float),
            "discount_rate": np.asarray(columns[5], dtype=float),
            "segment": pd.Series(columns[6], dtype="object"),
            "city": pd.Series(columns[7], dtype="object"),
            # A product without a category stays empty; the ML reads it as "unknown", like any missing attribute.
            "category_id": pd.Series(columns[8], dtype="object"),
            "vendor_id": np.asarray(columns[9], dtype=np.int64),
        }
    )
    return frame


@contextmanager
def index_read() -> Iterator[None]:
    """A few shops' lines read through the indexes, on one process. PostgreSQL's defaults price a random page
    read as four sequential ones and so, for one shop's few hundred lines, planned either a parallel query (a
    worker started for every answer: 8-14 ms of the 10) or a scan of every order; with the pages cached, as they
    are, an index read costs about what a sequential one does. Measured on `large`: 2 ms instead of 8-14.

    Only in a transaction of its own, so the settings end with it; inside a caller's transaction they would
    outlive the read, and the read keeps the defaults."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('max_parallel_workers_per_gather', '0', true), "
            "set_config('random_page_cost', '1.1', true)"
        )
        yield


def call_outcomes_frame(
    *, start: dt.date | None = None, end: dt.date | None = None, retailer_ids: Sequence[int] | None = None
) -> pd.DataFrame:
    """Recorded calls in the format of :mod:`reorder.ml.call_features`: one row per call and product discussed
    (``product_id`` empty for a call that named none), so outcomes can be reused as training signal."""
    calls = CallOutcome.objects.all()
    if start is not None:
        calls = calls.filter(called_at__date__gte=start)
    if end is not None:
        calls = calls.filter(called_at__date__lte=end)
    if retailer_ids is not None:
        calls = calls.filter(retailer_id__in=list(retailer_ids))
    rows = list(calls.order_by().values_list("retailer_id", "products", "called_at", "outcome"))
    frame = pd.DataFrame.from_records(rows, columns=CALL_COLUMNS)
    frame["date"] = pd.to_datetime(frame["date"], utc=True).dt.tz_localize(None).dt.floor("D")
    frame["product_id"] = frame["product_id"].astype("float")
    return frame


# --- Scope ------------------------------------------------------------------------


def reorder_retailers_for_user(*, user: User) -> QuerySet[Retailer]:
    """Shops whose predictions a user may read: a retailer its own, a rep its assigned ones, analysts all, and a
    vendor every shop (but only the lines of its own products, see :func:`reorder_products_q`)."""
    if user.is_vendor:
        return Retailer.objects.all()
    try:
        return Retailer.objects.filter(retailer_filter(user))
    except NoScope:
        return Retailer.objects.none()


def call_list_retailers_for_user(*, user: User) -> QuerySet[Retailer] | None:
    """Shops a user may call: reps their assigned shops, analysts all; None for roles without a call list."""
    if user.sees_everything or user.is_sales_rep:
        return Retailer.objects.filter(retailer_filter(user))
    return None


def reorder_products_q(*, user: User, prefix: str = "product__") -> Q:
    """Which products' predictions a user may read: a vendor its own, analysts all, shops and reps the active
    catalog (an inactive product cannot be reordered)."""
    try:
        return product_filter(user, prefix=prefix)
    except NoScope:
        return Q(pk__in=[])


def prediction_list_for_user(*, user: User) -> QuerySet[ReorderPrediction]:
    """Every stored prediction the user may read, of any version and day."""
    retailers = reorder_retailers_for_user(user=user)
    return ReorderPrediction.objects.filter(retailer__in=retailers).filter(reorder_products_q(user=user))


def call_outcome_list_for_user(*, user: User) -> QuerySet[CallOutcome]:
    """Calls on the shops a user may read: a rep the calls on its assigned shops (also a colleague's, made
    before a reassignment), a shop its own, analysts all; vendors none."""
    if user.is_vendor:
        return CallOutcome.objects.none()
    try:
        scope = retailer_filter(user, prefix="retailer__")
    except NoScope:
        return CallOutcome.objects.none()
    return CallOutcome.objects.filter(scope).select_related("retailer", "rep").prefetch_related("products")


# --- Serving predictions ------------------------------------------------------------


def reorder_batch_serving() -> ServingBatch:
    """The serving batch (``retailiq.registry.selectors.serving_batch``). While nothing is stored, its ``as_of``
    is the day after the last order and the adapter's baseline predicts from there (``version`` None)."""
    batch = serving_batch(capability=CAPABILITY)
    if batch.stored:
        return batch
    last = latest_order_day()
    return ServingBatch(version=None, as_of=as_of_after(last) if last else None, stamp=batch.stamp, stored=False)


def reorder_batch_label(batch: ServingBatch) -> str:
    if not batch.stored:
        return BASELINE_LABEL
    return f"{batch.version.algorithm} v{batch.version.pk}" if batch.version is not None else "baseline"


def serving_prediction_frame(
    *,
    user: User,
    batch: ServingBatch,
    retailer_ids: Sequence[int] | None = None,
    product_ids: Sequence[int] | None = None,
    category_id: int | None = None,
) -> pd.DataFrame:
    """The batch's predictions the user may read, optionally narrowed to shops, products or a category; the
    columns of :data:`FRAME_COLUMNS` (probabilities keyed by the horizon as text)."""
    if batch.as_of is None:
        return pd.DataFrame(columns=FRAME_COLUMNS)
    if not batch.stored:
        return _baseline_frame(user, batch.as_of, retailer_ids, product_ids, category_id)
    rows = prediction_list_for_user(user=user).filter(model_version=batch.version, as_of=batch.as_of)
    if retailer_ids is not None:
        rows = rows.filter(retailer_id__in=list(retailer_ids))
    if product_ids is not None:
        rows = rows.filter(product_id__in=list(product_ids))
    if category_id is not None:
        rows = rows.filter(product__category_id=category_id)
    records = list(rows.order_by().values_list(*FRAME_COLUMNS))
    return pd.DataFrame.from_records(records, columns=FRAME_COLUMNS)


def _baseline_frame(
    user: User,
    as_of: dt.date,
    retailer_ids: Sequence[int] | None,
    product_ids: Sequence[int] | None,
    category_id: int | None,
) -> pd.DataFrame:
    """The adapter's baseline for the user's shops, cached until the orders change (the baseline reads only each
    pair's and shop's own history, so a subset of shops predicts the same as the whole marketplace)."""
    shops = reorder_retailers_for_user(user=user)
    if retailer_ids is not None:
        shops = shops.filter(pk__in=list(retailer_ids))
    ids = sorted(shops.values_list("pk", flat=True))
    digest = hashlib.sha1(",".join(map(str, ids)).encode()).hexdigest()[:16]

    def predict() -> pd.DataFrame:
        adapter = adapter_for(CAPABILITY)
        rows = adapter.score(adapter.baseline(), ids, params={"as_of": as_of.isoformat()})
        return rows[FRAME_COLUMNS].reset_index(drop=True)

    frame = cached_for_data(f"reorder:baseline:v2:{as_of}:{digest}", predict)
    if frame.empty:
        return frame
    allowed = Product.objects.filter(reorder_products_q(user=user, prefix=""))
    if product_ids is not None:
        allowed = allowed.filter(pk__in=list(product_ids))
    if category_id is not None:
        allowed = allowed.filter(category_id=category_id)
    return frame[frame["product_id"].isin(set(allowed.values_list("pk", flat=True)))].reset_index(drop=True)


def probability_at(frame: pd.DataFrame, horizon_days: int) -> np.ndarray:
    """Each row's probability at a horizon, read from its per-horizon dict."""
    key = str(horizon_days)
    return np.array([float(p.get(key, 0.0)) for p in frame["probabilities"]], dtype=float)


def serving_probability_frame(*, retailer_ids: Sequence[int]) -> pd.DataFrame:
    """The serving batch's probability at the default horizon for the shops' pairs (``retailer_id``,
    ``product_id``, ``probability``), for other capabilities that must agree with reorder (recommendations' buy
    again). Empty while no batch is stored: the baseline is not run on another capability's behalf."""
    columns = ["retailer_id", "product_id", "probability"]
    batch = reorder_batch_serving()
    if not batch.stored:
        return pd.DataFrame(columns=columns)
    rows = ReorderPrediction.objects.filter(
        model_version=batch.version, as_of=batch.as_of, retailer_id__in=list(retailer_ids)
    ).values_list(*columns)
    return pd.DataFrame.from_records(list(rows.order_by()), columns=columns)

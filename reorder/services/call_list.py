"""A sales rep's call list: the shops most worth a call today, each with the products to suggest and why.

A shop's priority is the value it is expected to order within the horizon: the sum over its listed products of
probability x expected order value. The page shows that figure and ranks by it; the rep's page, its CSV, the API
and the shop's timeline all read the same products in the same order (:func:`rank_shop_products`)."""

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from django.utils import timezone

from retailiq.accounts.models import User
from retailiq.catalog.models import Category, Product
from retailiq.core.errors import Forbidden, InvalidInput
from retailiq.core.generations import generation, generation_move
from retailiq.registry.selectors import ServingBatch
from retailiq.retailers.models import Retailer, Segment
from retailiq.web.cache import cached_for_data, scope_key

from ..conf import reorder_settings
from ..models import CallOutcome
from ..selectors import (
    call_list_retailers_for_user,
    probability_at,
    reorder_batch_label,
    reorder_batch_serving,
    reorder_products_q,
    serving_prediction_frame,
)
from .horizons import check_horizon, reorder_horizons

PRODUCTS_PER_ENTRY = 5
# A shop whose listed products are all this many of their own cycles past their last order has lapsed: the call
# wins it back rather than catching an order that falls due.
WIN_BACK_CYCLES = 2.0
MAX_CAPACITY = 500  # calls a day: the page's form and the API both stop here
# Its key names everything the ranking reads (data version, serving batch, shops, filters); this only bounds
# what an admin's edit to a product or shop outside those can leave stale.
CALL_LIST_CACHE_SECONDS = 10 * 60


@dataclass
class ProductSuggestion:
    product: Product
    probability: float
    expected_quantity: int
    expected_date: dt.date
    expected_value: float
    unit_price: float
    days_overdue: float
    last_order_date: dt.date | None
    reasons: list[str]
    added: bool = False  # put in the cart by the shop, not suggested by the model

    @property
    def likely_value(self) -> float:
        """The chance times the expected order value: what this product adds to its shop's rank."""
        return round(self.probability * self.expected_value, 2)


@dataclass
class CallListEntry:
    retailer: Retailer
    priority: float  # the likely order value: sum of probability x expected value over the listed products
    probability: float  # that the shop reorders any listed product: 1 - prod(1 - p); saturates, so not shown
    expected_value: float  # the listed products' usual order value, whether or not they are reordered
    products: list[ProductSuggestion]
    reasons: list[str]  # why the first listed product (``products[0]``) is likely to be reordered
    last_order_date: dt.date | None  # the shop's last order of any product it has predictions for
    days_overdue: float
    last_outcome: CallOutcome | None
    win_back: bool = False  # quiet far past its own rhythm: see :data:`WIN_BACK_CYCLES`
    days_quiet: int | None = None  # since the shop's last order of any listed product

    @property
    def expected_products(self) -> float:
        """How many of the listed products the shop is likely to reorder within the horizon (the sum of their
        chances): unlike the chance of "any of them", it still separates shops that buy many products often."""
        return round(sum(s.probability for s in self.products), 1)

    @property
    def reasons_product(self) -> ProductSuggestion | None:
        return self.products[0] if self.products else None

    @property
    def most_overdue(self) -> ProductSuggestion | None:
        overdue = [s for s in self.products if s.days_overdue >= 1]
        return max(overdue, key=lambda s: s.days_overdue) if overdue else None


@dataclass
class CallList:
    as_of: dt.date | None
    horizon_days: int
    horizons: tuple[int, ...]
    capacity: int
    total_candidates: int
    entries: list[CallListEntry]
    model_label: str
    model_version_id: int | None = None
    filters: dict[str, object] = field(default_factory=dict)


def _callable_shops(user: User):
    shops = call_list_retailers_for_user(user=user)
    if shops is None:
        raise Forbidden("Only sales reps and analysts have a call list.")
    return shops


@dataclass(frozen=True)
class _CallListAsk:
    """A call list request checked and resolved: the shops, the batch and the key naming everything ranked."""

    user: User
    horizon: int
    capacity: int
    city: str | None
    segment: str | None
    category_id: int | None
    rep_id: int | None
    shop_ids: list[int]
    batch: ServingBatch
    key: str


def _call_list_ask(
    *,
    user: User,
    horizon_days: int | None,
    city: str | None,
    segment: str | None,
    category_id: int | None,
    capacity: int | None,
    rep_id: int | None,
) -> _CallListAsk:
    horizon = check_horizon(horizon_days)
    capacity = int(capacity if capacity is not None else reorder_settings().calls_per_day)
    if not 1 <= capacity <= MAX_CAPACITY:
        raise InvalidInput(f"capacity must be between 1 and {MAX_CAPACITY}.", field="capacity")
    if segment and segment not in Segment.values:
        raise InvalidInput(f"'{segment}' is not a segment.", field="segment")
    if category_id is not None and not Category.objects.filter(pk=category_id).exists():
        raise InvalidInput(f"There is no category {category_id}.", field="category")
    shops = _callable_shops(user)
    if rep_id is not None:
        if not user.sees_everything and rep_id != user.pk:
            raise InvalidInput("You may only see your own call list.", field="rep")
        shops = shops.filter(assigned_rep_id=rep_id)
    if city:
        shops = shops.filter(city__iexact=city)
    if segment:
        shops = shops.filter(segment=segment)
    shop_ids = sorted(shops.values_list("pk", flat=True))
    batch = reorder_batch_serving()
    # Ranking reads the serving batch and, while none is stored, the orders (the baseline): cached under the data
    # version and the batch, per user scope and the very shops asked about (a reassigned shop moves lists).
    shops_digest = hashlib.sha1(",".join(map(str, shop_ids)).encode()).hexdigest()[:16]
    key = (
        f"reorder:call-list:v1:{scope_key(user)}:{batch.key}:{timezone.localdate().isoformat()}:{shops_digest}"
        f":h={horizon}:n={capacity}:cat={category_id}:city={city}:seg={segment}:rep={rep_id}"
    )
    return _CallListAsk(user, horizon, capacity, city, segment, category_id, rep_id, shop_ids, batch, key)


def _ranked(ask: _CallListAsk) -> CallList:
    """The ranking without the last recorded calls, cached under the ask's key."""

    def rank() -> CallList:
        _, frame = _prioritized(ask.user, ask.shop_ids, ask.horizon, category_id=ask.category_id, batch=ask.batch)
        entries, total = _rank(frame, ask.capacity)
        return CallList(
            as_of=ask.batch.as_of,
            horizon_days=ask.horizon,
            horizons=reorder_horizons(),
            capacity=ask.capacity,
            total_candidates=total,
            entries=_entries(entries, frame, with_outcomes=False),
            model_label=reorder_batch_label(ask.batch),
            model_version_id=ask.batch.version.pk if ask.batch.version is not None else None,
            filters={"city": ask.city, "segment": ask.segment, "category": ask.category_id, "rep": ask.rep_id},
        )

    return cached_for_data(ask.key, rank, ttl=CALL_LIST_CACHE_SECONDS)


def build_call_list(
    *,
    user: User,
    horizon_days: int | None = None,
    city: str | None = None,
    segment: str | None = None,
    category_id: int | None = None,
    capacity: int | None = None,
    rep_id: int | None = None,
) -> CallList:
    """The shops to call, best first, at most ``capacity`` of them. Reps get their assigned shops; analysts all,
    or one rep's book with ``rep_id``."""
    ask = _call_list_ask(
        user=user,
        horizon_days=horizon_days,
        city=city,
        segment=segment,
        category_id=category_id,
        capacity=capacity,
        rep_id=rep_id,
    )
    call_list = _ranked(ask)
    # The last recorded call is read fresh on every request, so a call shows on the list the moment it is recorded.
    outcomes = last_outcomes(retailer_ids=[entry.retailer.pk for entry in call_list.entries])
    for entry in call_list.entries:
        entry.last_outcome = outcomes.get(entry.retailer.pk)
    return call_list


CALL_OUTCOMES_GENERATION = "reorder:call-outcomes"


def call_outcomes_stamp() -> str:
    """Names the recorded calls as they are now (retailiq/core/generations.py); moved by every recorded call."""
    return generation(CALL_OUTCOMES_GENERATION)


def call_outcomes_changed() -> None:
    generation_move(CALL_OUTCOMES_GENERATION)


def call_list_entry(*, user: User, retailer: Retailer, horizon_days: int) -> tuple[ServingBatch, CallListEntry | None]:
    """One shop's entry as the call list shows it (None without predictions for it), and the batch read."""
    batch, frame = _prioritized(user, [retailer.pk], horizon_days)
    ranked, _ = _rank(frame, 1)
    entries = _entries(ranked, frame)
    return batch, entries[0] if entries else None


def _prioritized(
    user: User,
    shop_ids: list[int],
    horizon: int,
    *,
    category_id: int | None = None,
    batch: ServingBatch | None = None,
) -> tuple[ServingBatch, pd.DataFrame]:
    """The serving predictions for the shops, each with its probability at the horizon and its priority."""
    batch = batch or reorder_batch_serving()
    frame = serving_prediction_frame(user=user, batch=batch, retailer_ids=shop_ids, category_id=category_id)
    if not frame.empty:
        # Rounded as the page shows them, so a shop's rank is the sum of the figures on its card.
        probability = probability_at(frame, horizon).round(4)
        value = frame["expected_value"].astype(float).round(2)
        frame = frame.assign(probability=probability, priority=probability * value)
    return batch, frame


def rank_shop_products(frame: pd.DataFrame) -> pd.DataFrame:
    """The order products are listed in for a shop, here and on its timeline: the likely order value first."""
    return frame.sort_values(["priority", "product_id"], ascending=[False, True], kind="stable")


def _rank(frame: pd.DataFrame, capacity: int) -> tuple[pd.DataFrame, int]:
    """One row per shop: priority summed over the products the entry lists (its best few), so a shop's priority,
    probability and expected value describe the same products; the best shops first, cut at capacity."""
    if frame.empty:
        return pd.DataFrame(columns=["retailer_id", "priority"]), 0
    best = rank_shop_products(frame).groupby("retailer_id", sort=False).head(PRODUCTS_PER_ENTRY)
    shops = best.groupby("retailer_id", sort=False)["priority"].sum().reset_index()
    shops = shops.sort_values(["priority", "retailer_id"], ascending=[False, True], kind="stable")
    return shops.head(capacity), len(shops)


def _entries(ranked: pd.DataFrame, frame: pd.DataFrame, *, with_outcomes: bool = True) -> list[CallListEntry]:
    if ranked.empty:
        return []
    ids = ranked["retailer_id"].astype(int).tolist()
    chosen = rank_shop_products(frame[frame["retailer_id"].isin(ids)])
    listed = chosen.groupby("retailer_id", sort=False).head(PRODUCTS_PER_ENTRY)
    products = Product.objects.in_bulk(listed["product_id"].astype(int).unique().tolist())
    retailers = Retailer.objects.select_related("assigned_rep").in_bulk(ids)
    outcomes = last_outcomes(retailer_ids=ids) if with_outcomes else {}
    last_orders = chosen.groupby("retailer_id")["last_order_date"].max()
    quiet = chosen.groupby("retailer_id")["days_since_last_order"].min()
    entries = []
    for retailer_id, priority in zip(ids, ranked["priority"].astype(float), strict=True):
        rows = listed[listed["retailer_id"] == retailer_id]
        suggestions = [suggestion_from_row(row, products[int(row.product_id)]) for row in rows.itertuples()]
        probabilities = np.array([s.probability for s in suggestions])
        entries.append(
            CallListEntry(
                retailer=retailers[retailer_id],
                priority=round(priority, 2),
                probability=round(float(1 - np.prod(1 - probabilities)), 4),
                expected_value=round(sum(s.expected_value for s in suggestions), 2),
                products=suggestions,
                reasons=list(suggestions[0].reasons) if suggestions else [],
                last_order_date=_as_date(last_orders.get(retailer_id)),
                days_overdue=max((s.days_overdue for s in suggestions), default=0.0),
                last_outcome=outcomes.get(retailer_id),
                win_back=_lapsed(rows),
                days_quiet=int(quiet[retailer_id]) if retailer_id in quiet.index else None,
            )
        )
    return entries


def _lapsed(rows: pd.DataFrame) -> bool:
    """Whether every listed product with a cycle is :data:`WIN_BACK_CYCLES` cycles past its last order."""
    cycles = rows[rows["interval_days"].astype(float) > 0]
    if cycles.empty:
        return False
    since = cycles["days_since_last_order"].astype(float)
    return bool((since >= WIN_BACK_CYCLES * cycles["interval_days"].astype(float)).all())


def suggestion_from_row(row, product: Product) -> ProductSuggestion:
    """One serving-frame row (with its ``probability`` at the asked horizon) as a product suggestion."""
    return ProductSuggestion(
        product=product,
        probability=round(float(row.probability), 4),
        expected_quantity=max(1, int(np.ceil(float(row.expected_quantity) - 1e-9))),
        expected_date=_as_date(row.expected_date),
        expected_value=round(float(row.expected_value), 2),
        unit_price=round(float(row.unit_price), 2),
        days_overdue=round(float(row.days_overdue), 1),
        last_order_date=_as_date(row.last_order_date),
        reasons=list(row.reasons or []),
    )


def _as_date(value) -> dt.date | None:
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def last_outcomes(*, retailer_ids: list[int]) -> dict[int, CallOutcome]:
    """The latest recorded call per shop."""
    found: dict[int, CallOutcome] = {}
    calls = CallOutcome.objects.filter(retailer_id__in=retailer_ids).select_related("rep").order_by("-called_at")
    for call in calls.only("id", "retailer_id", "outcome", "note", "called_at", "rep__username"):
        found.setdefault(call.retailer_id, call)
    return found


def call_list_filter_choices(*, user: User) -> dict[str, object]:
    """What the call list may be filtered by, among the user's own shops and products."""
    shops = _callable_shops(user)
    present = set(shops.values_list("segment", flat=True).distinct())
    categories = (
        Category.objects.filter(products__in=Product.objects.filter(reorder_products_q(user=user, prefix="")))
        .select_related("parent")
        .distinct()
    )
    return {
        "cities": sorted(set(shops.values_list("city", flat=True).distinct())),
        "segments": [(value, label) for value, label in Segment.choices if value in present],
        "categories": sorted(((c.pk, str(c)) for c in categories), key=lambda item: item[1]),
        "horizons": reorder_horizons(),
        # Analysts pick whose book to read; a rep reads only its own.
        "reps": _reps(shops) if user.sees_everything else [],
    }


def _reps(shops) -> list[tuple[int, str]]:
    reps = (
        shops.exclude(assigned_rep=None)
        .values_list("assigned_rep_id", "assigned_rep__first_name", "assigned_rep__last_name", "assigned_rep__username")
        .distinct()
    )
    named = {pk: (f"{first} {last}".strip() or username) for pk, first, last, username in reps}
    return sorted(named.items(), key=lambda item: item[1].lower())


CSV_HEADER = [
    "rank",
    "retailer",
    "retailer_code",
    "city",
    "segment",
    "priority",
    "products_likely",
    "product",
    "sku",
    "probability",
    "expected_quantity",
    "expected_date",
    "expected_value",
    "days_overdue",
    "last_order_date",
    "reasons",
]


def call_list_csv_rows(call_list: CallList) -> Iterable[list[Any]]:
    """The header, then one row per shop and suggested product, as values: the CSV response escapes them."""
    yield CSV_HEADER
    for rank, entry in enumerate(call_list.entries, start=1):
        shop = entry.retailer
        for suggestion in entry.products:
            yield [
                rank,
                shop.name,
                shop.code,
                shop.city,
                shop.get_segment_display(),
                entry.priority,
                entry.expected_products,
                suggestion.product.name,
                suggestion.product.sku,
                suggestion.probability,
                suggestion.expected_quantity,
                suggestion.expected_date,
                suggestion.expected_value,
                suggestion.days_overdue,
                suggestion.last_order_date,
                "; ".join(suggestion.reasons),
            ]

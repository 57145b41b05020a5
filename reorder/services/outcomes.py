"""What came of the calls: recorded by reps, shown on the shop's timeline beside its orders, and measured
against the orders that followed (the call list's hit rate)."""

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from retailiq.accounts.models import User
from retailiq.catalog.models import Product
from retailiq.core.errors import Forbidden, InvalidInput, NotFound
from retailiq.core.money import format_money
from retailiq.orders.models import Order
from retailiq.orders.selectors import net_value_expression_through, order_list_for_user

from ..models import CallOutcome
from ..selectors import (
    call_list_retailers_for_user,
    call_outcome_list_for_user,
    purchase_days,
    reorder_products_q,
    reorder_retailers_for_user,
)
from .call_list import call_list_entry, call_outcomes_changed
from .horizons import check_horizon
from .shops import shop_for_user

NOTE_MAX_LENGTH = 2000


def record_call_outcome(
    *,
    user: User,
    retailer_id: int,
    outcome: str,
    note: str = "",
    product_ids: Sequence[int] = (),
    horizon_days: int | None = None,
) -> CallOutcome:
    """Record a call to one of the user's shops, with a snapshot of what the call list said about the shop then
    (its probability and priority at the horizon), so the hit rate can later be measured against it."""
    shops = call_list_retailers_for_user(user=user)
    if shops is None:
        raise Forbidden("Only sales reps and analysts record calls.")
    if outcome not in CallOutcome.Outcome.values:
        raise InvalidInput(f"outcome must be one of {', '.join(CallOutcome.Outcome.values)}.", field="outcome")
    note = (note or "").strip()
    if outcome == CallOutcome.Outcome.NOTE and not note:
        raise InvalidInput("A note is required when the outcome is 'note'.", field="note")
    if len(note) > NOTE_MAX_LENGTH:
        raise InvalidInput(f"The note may be at most {NOTE_MAX_LENGTH} characters.", field="note")
    horizon = check_horizon(horizon_days, field="horizon_days")
    retailer = shop_for_user(user=user, retailer_id=retailer_id, field="retailer_id", shops=shops)
    wanted = sorted(set(int(p) for p in product_ids))
    products = list(Product.objects.filter(reorder_products_q(user=user, prefix="")).filter(pk__in=wanted))
    if len(products) != len(wanted):
        missing = sorted(set(wanted) - {p.pk for p in products})
        raise InvalidInput(f"No product {', '.join(map(str, missing))} in your catalog.", field="product_ids")
    batch, entry = call_list_entry(user=user, retailer=retailer, horizon_days=horizon)
    with transaction.atomic():
        call = CallOutcome.objects.create(
            rep=user,
            retailer=retailer,
            outcome=outcome,
            note=note,
            horizon_days=horizon,
            probability=entry.probability if entry else None,
            priority=entry.priority if entry else None,
            prediction_as_of=batch.as_of if entry else None,
        )
        call.products.set(products)
        # The call lists' cached answers name the latest recorded call (moved now and once committed).
        call_outcomes_changed()
    return call


@dataclass
class TimelineEvent:
    when: dt.datetime
    kind: Literal["order", "call"]
    title: str
    detail: str
    outcome: str | None
    order: Order | None
    call: CallOutcome | None
    value: float | None = None  # an order's net value, for pages that format money themselves


def retailer_timeline(*, user: User, retailer_id: int, limit: int = 50) -> list[TimelineEvent]:
    """A shop's orders and recorded calls, newest first: what a rep reads before calling again."""
    if user.is_vendor or not reorder_retailers_for_user(user=user).filter(pk=retailer_id).exists():
        raise NotFound(f"No shop {retailer_id} among yours.")
    orders = (
        order_list_for_user(user=user)
        .filter(retailer_id=retailer_id)
        .annotate(n_lines=Count("lines"), value=Sum(net_value_expression_through("lines__")))
        .order_by("-placed_at")[:limit]
    )
    calls = call_outcome_list_for_user(user=user).filter(retailer_id=retailer_id).order_by("-called_at")[:limit]
    events = [
        TimelineEvent(
            when=order.placed_at,
            kind="order",
            title=f"{order.get_kind_display()} {order.external_id}",
            detail=f"{order.n_lines} line{'s' if order.n_lines != 1 else ''}, "
            f"{format_money(order.value or 0)}"
            + (f" ({order.get_status_display().lower()})" if order.status == "cancelled" else ""),
            outcome=None,
            order=order,
            call=None,
            value=float(order.value or 0),
        )
        for order in orders
    ]
    for call in calls:
        names = ", ".join(p.name for p in call.products.all())
        detail = " · ".join(part for part in (call.note, names and f"products: {names}") if part)
        events.append(
            TimelineEvent(
                when=call.called_at,
                kind="call",
                title=f"Call: {call.get_outcome_display()} ({call.rep.get_username()})",
                detail=detail,
                outcome=call.outcome,
                order=None,
                call=call,
            )
        )
    events.sort(key=lambda event: event.when, reverse=True)
    return events[:limit]


@dataclass
class HitRate:
    calls: int
    hits: int
    rate: float | None
    weekly: list[tuple[dt.date, int, int]]  # week start (Monday), calls, hits
    pending: int = 0  # calls whose horizon is still open and no order yet: counted once decided


def call_list_hit_rate(*, user: User, days: int = 90) -> HitRate:
    """Share of calls followed by an order from the shop within the call's horizon (from the day of the call).
    Reps see their own calls, analysts everyone's. A call whose horizon is still open counts once the shop
    orders or the horizon closes, so recent calls do not drag the rate down."""
    today = timezone.localdate()
    since = today - dt.timedelta(days=days)
    calls = call_outcome_list_for_user(user=user).filter(called_at__date__gte=since)
    if user.is_sales_rep:
        calls = calls.filter(rep=user)
    rows = list(calls.order_by().values_list("retailer_id", "called_at", "horizon_days"))
    if not rows:
        return HitRate(calls=0, hits=0, rate=None, weekly=[])
    order_days = purchase_days(retailer_ids={r for r, _, _ in rows}, start=since)
    weekly: dict[dt.date, list[int]] = defaultdict(lambda: [0, 0])
    decided = hits = pending = 0
    for retailer_id, called_at, horizon in rows:
        day = timezone.localtime(called_at).date() if timezone.is_aware(called_at) else called_at.date()
        end = day + dt.timedelta(days=horizon)
        days_ordered = order_days.get(retailer_id, [])
        position = bisect.bisect_left(days_ordered, day)
        hit = position < len(days_ordered) and days_ordered[position] < end
        if not hit and end > today:
            pending += 1
            continue
        week = day - dt.timedelta(days=day.weekday())
        weekly[week][0] += 1
        weekly[week][1] += int(hit)
        decided += 1
        hits += int(hit)
    return HitRate(
        calls=decided,
        hits=hits,
        rate=round(hits / decided, 4) if decided else None,
        weekly=[(week, counts[0], counts[1]) for week, counts in sorted(weekly.items())],
        pending=pending,
    )

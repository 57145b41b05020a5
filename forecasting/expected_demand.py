"""A retailer's expected demand: per product it buys most, its share of the product's recent
marketplace sales times the product's forecast, week by week (the retailer home's panel)."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Sum

from retailiq.accounts.models import User
from retailiq.orders.selectors import sale_lines
from retailiq.registry.selectors import ServingBatch

from .analytics import sales_lines_for_user
from .models import DemandForecast, LocationKind
from .selectors import forecast_batch_serving


@dataclass
class ExpectedDemand:
    """Per product the retailer buys most: its share of the product's recent sales times
    the product's forecast, per week ahead (None for weeks the model does not reach)."""

    run: ServingBatch | None
    weeks: list[dt.date] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    horizon_days: int = 0

    @property
    def weeks_covered(self) -> int:
        return min(len(self.weeks), self.horizon_days // 7)


def retailer_expected_demand(*, user: User, recent_days: int = 90, limit: int = 8, weeks: int = 4) -> ExpectedDemand:
    run = forecast_batch_serving()
    if run is None or run.last_data_day is None or not user.is_retailer:
        return ExpectedDemand(run=run)
    since = run.last_data_day - dt.timedelta(days=recent_days - 1)
    mine = list(
        sales_lines_for_user(user=user)
        .filter(placed_on__gte=since, placed_on__lte=run.last_data_day)
        .values("product_id", "product__name", "product__sku")
        # Ranked by spend like the home page's "What you buy most", so the two agree.
        .annotate(units=Sum("quantity"), spend=Sum(F("quantity") * F("unit_price")))
        .order_by("-spend", "product__name")[:limit]
    )
    product_ids = [r["product_id"] for r in mine]
    # The marketplace-wide totals are only the share's denominator; no other retailer's
    # figure leaves this function.
    totals = dict(
        sale_lines()
        .filter(
            product_id__in=product_ids,
            placed_on__gte=since,
            placed_on__lte=run.last_data_day,
        )
        .values("product_id")
        .annotate(units=Sum("quantity"))
        .values_list("product_id", "units")
    )
    forecast = DemandForecast.objects.filter(
        model_version=run.version,
        location_kind=LocationKind.ALL,
        product_id__in=product_ids,
        target_date__gt=run.last_data_day,
        target_date__lte=run.last_data_day + dt.timedelta(weeks=weeks),
    ).values_list("product_id", "target_date", "quantity")
    per_week: dict[tuple[int, int], float] = {}
    horizon = 0
    for product_id, target, quantity in forecast:
        ahead = (target - run.last_data_day).days
        horizon = max(horizon, ahead)
        key = (product_id, (ahead - 1) // 7)
        per_week[key] = per_week.get(key, 0.0) + quantity
    week_starts = [run.last_data_day + dt.timedelta(days=1 + 7 * w) for w in range(weeks)]
    rows = []
    for r in mine:
        total = float(totals.get(r["product_id"]) or 0)
        share = float(r["units"]) / total if total else 0.0
        weekly = [
            per_week[(r["product_id"], w)] * share
            if w * 7 + 7 <= horizon and (r["product_id"], w) in per_week
            else None
            for w in range(weeks)
        ]
        if all(v is None for v in weekly):
            continue
        rows.append(
            {
                "product": r["product__name"],
                "sku": r["product__sku"],
                "share": share,
                "weekly": weekly,
                "total": sum(v for v in weekly if v is not None),
            }
        )
    return ExpectedDemand(run=run, weeks=week_starts, rows=rows, horizon_days=horizon)

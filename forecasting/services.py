"""Forecasts as the pages and API ask for them: one product (optionally at one
warehouse), daily or weekly, with planned prices, promotions and events, or a caller's
own history for systems that keep their sales elsewhere."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache

from retailiq.accounts.models import User
from retailiq.catalog.models import Product
from retailiq.core.errors import Conflict, InvalidInput, NotFound
from retailiq.inventory.models import Warehouse
from retailiq.registry.models import ModelVersion
from retailiq.registry.services import ServedPrediction, prediction_serve

from .selectors import forecast_products_for_user, latest_sales_day_cached

MAX_HORIZON_DAYS = 365
MIN_CALLER_HISTORY_DAYS = 28  # the global model's longest lag and rolling window
GRANULARITIES = {"day": "D", "week": "W"}
# What the models page and the API report of the serving model's backtest.
VERSION_METRICS_CACHE_SECONDS = 60 * 60
REPORTED_METRICS = ("mae", "rmse", "wape", "smape", "mase", "rmsse", "coverage_80", "coverage_95")


@dataclass
class PlannedDrivers:
    """What the caller knows about the horizon: a planned price, promotion days and
    event days. Each is optional; the model assumes 'as now' for what is not given."""

    price: float | None = None
    promotion_days: list[dt.date] = field(default_factory=list)
    promotion_discount: float | None = None
    event_days: dict[str, list[dt.date]] = field(default_factory=dict)  # event kind -> days

    def as_inputs(self) -> dict[str, Any]:
        return {
            "price": self.price,
            "promotion_days": sorted(d.isoformat() for d in self.promotion_days),
            "promotion_discount": self.promotion_discount,
            "event_days": {kind: sorted(d.isoformat() for d in days) for kind, days in sorted(self.event_days.items())},
        }


def forecast_product_for_user(*, user: User, product_id: int, field: str = "product_id") -> Product:
    """A product the user may forecast; any other reads as not existing (on the page and in the API alike)."""
    product = forecast_products_for_user(user=user).filter(pk=product_id).first()
    if product is None:
        message = f"No product {product_id} among those you may forecast."
        raise NotFound(message, fields={field: message})
    return product


def _check_horizon(horizon: int, granularity: str) -> int:
    days = horizon * (7 if granularity == "week" else 1)
    if horizon < 1 or days > MAX_HORIZON_DAYS:
        limit = MAX_HORIZON_DAYS if granularity == "day" else MAX_HORIZON_DAYS // 7
        raise InvalidInput(f"horizon must be between 1 and {limit} {granularity}s.", field="horizon")
    return days


def product_forecast(
    *,
    product: Product,
    horizon: int,
    routing_key: str,
    granularity: str = "day",
    warehouse: Warehouse | None = None,
    drivers: PlannedDrivers | None = None,
) -> ServedPrediction:
    """On demand, from the latest day of sales; cached until new sales or a new model."""
    if granularity not in GRANULARITIES:
        raise InvalidInput("granularity must be 'day' or 'week'.", field="granularity")
    _check_horizon(horizon, granularity)
    as_of = latest_sales_day_cached()
    if as_of is None:
        raise Conflict("There is no sales history to forecast from yet.", code="no_history")
    inputs: dict[str, Any] = {
        "product_id": product.pk,
        "horizon": horizon,
        "granularity": granularity,
        "as_of": as_of.isoformat(),
    }
    if warehouse is not None:
        inputs["warehouse_id"] = warehouse.pk
    if drivers is not None:
        inputs["drivers"] = drivers.as_inputs()
    return prediction_serve(capability="forecasting", inputs=inputs, routing_key=routing_key)


def history_forecast(
    *,
    history: list[tuple[dt.date, float]],
    horizon: int,
    routing_key: str,
    drivers: PlannedDrivers | None = None,
    reference: str = "external",
) -> ServedPrediction:
    """A forecast from a caller's own daily history (date, quantity), by the serving
    model. Dates may repeat (summed) or skip (zero demand)."""
    _check_horizon(horizon, "day")
    if not history:
        raise InvalidInput("historicalData is empty.", field="historicalData")
    first, last = min(d for d, _ in history), max(d for d, _ in history)
    span = (last - first).days + 1
    if span < MIN_CALLER_HISTORY_DAYS:
        raise InvalidInput(
            f"historicalData covers {span} day(s); at least {MIN_CALLER_HISTORY_DAYS} days are needed.",
            field="historicalData",
            code="too_little_history",
        )
    if any(quantity < 0 for _, quantity in history):
        raise InvalidInput("historicalData quantities must not be negative.", field="historicalData")
    totals: dict[str, float] = {}
    for day, quantity in history:
        totals[day.isoformat()] = totals.get(day.isoformat(), 0.0) + float(quantity)
    inputs: dict[str, Any] = {
        "history": sorted(totals.items()),
        "horizon": horizon,
        "granularity": "day",
        "as_of": last.isoformat(),
        "reference": reference,
    }
    if drivers is not None:
        inputs["drivers"] = drivers.as_inputs()
    return prediction_serve(capability="forecasting", inputs=inputs, routing_key=routing_key)


def serving_metrics(served: ServedPrediction) -> dict[str, float]:
    """The serving version's backtest metrics (mape is reported as the WAPE, the
    percentage error that stays defined on days without sales)."""
    version_id = served.model.get("version")
    if version_id is None:
        return {}
    # A version's metrics are written once, when its training ends: read them once per version, not per request.
    key = f"forecasting:version-metrics:{version_id}"
    stored = cache.get(key)
    if stored is None:
        stored = ModelVersion.objects.filter(pk=version_id).values_list("metrics", flat=True).first() or {}
        cache.set(key, stored, VERSION_METRICS_CACHE_SECONDS)
    metrics = {name: stored[name] for name in REPORTED_METRICS if isinstance(stored.get(name), int | float)}
    if "wape" in metrics:
        metrics["mape"] = metrics["wape"]
    return metrics


def confidence_score(days: list[dict[str, Any]]) -> float:
    """1 minus the 80% interval's width relative to the forecast total, in [0, 1]: a
    tight interval around a large forecast is a confident one."""
    total = sum(d["quantity"] for d in days)
    width = sum(d["upper_80"] - d["lower_80"] for d in days)
    if total <= 0:
        return 0.0
    return round(max(0.0, min(1.0, 1 - width / (2 * total))), 4)

"""Forecasts as the pages and API ask for them."""

from retailiq.catalog.models import Product
from retailiq.core.errors import DomainError
from retailiq.registry.services import ServedPrediction, prediction_serve

from .selectors import latest_sales_day

MAX_HORIZON_DAYS = 365


def product_forecast(*, product: Product, horizon: int, routing_key: str) -> ServedPrediction:
    """On demand, from the latest day of sales; cached until new sales or a new model."""
    if not 1 <= horizon <= MAX_HORIZON_DAYS:
        raise DomainError(f"horizon must be between 1 and {MAX_HORIZON_DAYS} days.", code="invalid", status_code=400)
    as_of = latest_sales_day()
    if as_of is None:
        raise DomainError("There is no sales history to forecast from yet.", code="no_history", status_code=409)
    inputs = {"product_id": product.pk, "horizon": horizon, "as_of": as_of.isoformat()}
    return prediction_serve(capability="forecasting", inputs=inputs, routing_key=routing_key)

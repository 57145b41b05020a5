"""Reads over the sales rollups, scoped to the user as the order-line selectors are.

The daily tables answer the same questions as `retailiq.orders.selectors` over the demand
lines (net revenue, net units, orders) from one row per key and day, so a page reads
thousands of rows where the lines are millions. Per-product totals are a marketplace view
(vendors of their own products, analysts); per-retailer totals belong to the shop (the
retailer, its rep, analysts)."""

import datetime as dt

from django.db.models import F, Max, Q, QuerySet, Subquery, Sum

from retailiq.accounts.models import User
from retailiq.accounts.scoping import NoScope, retailer_filter, sales_filter
from retailiq.orders.selectors import latest_believable_day

from .models import (
    MarketplaceDailySales,
    ProductDailySales,
    ProductWarehouseDailySales,
    RetailerDailySales,
    RetailerProductSales,
    RollupVersion,
    VendorRetailerDailySales,
)


def marketplace_daily_for_user(*, user: User) -> QuerySet[MarketplaceDailySales]:
    """The marketplace's days: analysts only (everyone else sees a part of it)."""
    return MarketplaceDailySales.objects.all() if user.sees_everything else MarketplaceDailySales.objects.none()


def product_daily_for_user(*, user: User) -> QuerySet[ProductDailySales]:
    """Per product and day: a vendor's own products, or all for analysts."""
    if user.sees_everything:
        return ProductDailySales.objects.all()
    if user.is_vendor:
        return ProductDailySales.objects.filter(product__vendor=user.vendor_id)
    return ProductDailySales.objects.none()


def product_warehouse_daily_for_user(*, user: User) -> QuerySet[ProductWarehouseDailySales]:
    if user.sees_everything:
        return ProductWarehouseDailySales.objects.all()
    if user.is_vendor:
        return ProductWarehouseDailySales.objects.filter(product__vendor=user.vendor_id)
    return ProductWarehouseDailySales.objects.none()


def vendor_retailer_daily_for_user(*, user: User) -> QuerySet[VendorRetailerDailySales]:
    """Per vendor, retailer and day: a vendor's own rows, or all for analysts."""
    if user.sees_everything:
        return VendorRetailerDailySales.objects.all()
    if user.is_vendor:
        return VendorRetailerDailySales.objects.filter(vendor=user.vendor_id)
    return VendorRetailerDailySales.objects.none()


def retailer_daily_for_user(*, user: User) -> QuerySet[RetailerDailySales]:
    """Per retailer and day: a shop's own, a rep's retailers', or all for analysts."""
    try:
        return RetailerDailySales.objects.filter(retailer_filter(user, prefix="retailer__"))
    except NoScope:
        return RetailerDailySales.objects.none()


def retailer_product_sales_for_user(*, user: User) -> QuerySet[RetailerProductSales]:
    """Retailer x product buying histories the user may analyse (the order lines' rule:
    a vendor's products, a shop's or rep's retailers)."""
    try:
        return RetailerProductSales.objects.filter(sales_filter(user))
    except NoScope:
        return RetailerProductSales.objects.none()


def product_demand_units(
    *, start: dt.date | None = None, end: dt.date | None = None, product_ids: list[int] | None = None
) -> QuerySet:
    """(product_id, day, sold_units, lost_units) for every product and day with a sale or a refusal: the sale
    lines' units and the units refused for want of stock (`demand_lost_sales`), read from one row per product and
    day (the unique (product, day) index serves one product's range). Not scoped: the models read the whole
    marketplace."""
    rows = ProductDailySales.objects.filter(Q(sold_units__gt=0) | Q(lost_units__gt=0))
    if start:
        rows = rows.filter(day__gte=start)
    if end:
        rows = rows.filter(day__lte=end)
    if product_ids is not None:
        rows = rows.filter(product_id__in=product_ids)
    return rows.order_by().values_list("product_id", "day", "sold_units", "lost_units")


def product_lost_units_at_warehouses(
    *, start: dt.date | None = None, end: dt.date | None = None, product_ids: list[int] | None = None
) -> QuerySet:
    """(product_id, day, lost_units) summed over the known warehouses, for every product and day with a refusal at
    one: what the warehouse series add to their sales. Not scoped."""
    rows = ProductWarehouseDailySales.objects.filter(lost_units__gt=0)
    if start:
        rows = rows.filter(day__gte=start)
    if end:
        rows = rows.filter(day__lte=end)
    if product_ids is not None:
        rows = rows.filter(product_id__in=product_ids)
    return rows.order_by().values_list("product_id", "day").annotate(lost=Sum("lost_units"))


def product_daily_prices(
    *, product_ids: list[int], start: dt.date, end: dt.date, warehouse_id: int | None = None
) -> QuerySet:
    """(product_id, day, sold_units, sale_revenue, regular_units, regular_revenue) for every product
    and day with a sale from `start` to `end`, in that order, in total or shipped from one warehouse: what the sale
    lines were paid, in all and off promotion, net of discounts. Not scoped: the models read the
    whole marketplace."""
    rows = (
        ProductDailySales.objects.all()
        if warehouse_id is None
        else ProductWarehouseDailySales.objects.filter(warehouse_id=warehouse_id)
    )
    return (
        rows.filter(product_id__in=product_ids, day__gte=start, day__lte=end, sold_units__gt=0)
        .order_by("product_id", "day")
        .values_list("product_id", "day", "sold_units", "sale_revenue", "regular_units", "regular_revenue")
    )


def net_units() -> F:
    return F("sold_units") - F("returned_units")


def retailer_sales_for_user(*, user: User, since: dt.date | None = None) -> QuerySet:
    """As `retailiq.orders.selectors.retailer_sales_for_user` (one row per retailer that
    bought: net revenue, units, orders, and the retailer's fields flat), from the
    per-retailer days, or for a vendor the vendor x retailer days (its own products only).
    Orders add up over days: an order falls on one day."""
    rows = vendor_retailer_daily_for_user(user=user) if user.is_vendor else retailer_daily_for_user(user=user)
    if since:
        rows = rows.filter(day__gte=since)
    return (
        rows.values("retailer_id")
        .annotate(
            name=F("retailer__name"),
            city=F("retailer__city"),
            region=F("retailer__region"),
            segment=F("retailer__segment"),
            revenue=Sum("revenue"),
            units=Sum(net_units()),
            orders=Sum("orders"),
        )
        .order_by("-revenue")
    )


def last_sale_day() -> dt.date | None:
    """The last day with a sale line (`sale_lines`), never past latest_believable_day()."""
    return ProductDailySales.objects.filter(sold_units__gt=0, day__lte=latest_believable_day()).aggregate(
        last=Max("day")
    )["last"]


def last_demand_day() -> dt.date | None:
    """The last day with a demand line, sale or return, never past latest_believable_day()."""
    return RetailerDailySales.objects.filter(day__lte=latest_believable_day()).aggregate(last=Max("day"))["last"]


def rollups_version() -> Subquery:
    """Moves with every rollup change (see RollupVersion): part of the cache's data version,
    as a subquery so the version costs no query of its own."""
    return Subquery(RollupVersion.objects.filter(pk=1).values("version")[:1])

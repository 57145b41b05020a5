import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from retailiq.accounts.models import User
from retailiq.accounts.scoping import NoScope, retailer_filter, sales_filter

from .models import DEMAND_STATUSES, LostSale, Order, OrderKind, OrderLine


def latest_believable_day() -> dt.date:
    """Today plus a small tolerance for files written in a time zone ahead of ours: no
    order can be dated later, whatever a file or a client says."""
    return timezone.localdate() + dt.timedelta(days=settings.RETAILIQ_FUTURE_TOLERANCE_DAYS)


def last_day_of(lines: QuerySet[OrderLine]) -> dt.date | None:
    """The last day among ``lines``, never past latest_believable_day(): the day forecasts
    start from and reorder predictions are made as of must not move with one line dated 2030."""
    return lines.filter(placed_on__lte=latest_believable_day()).aggregate(last=Max("placed_on"))["last"]


def order_list_for_user(*, user: User) -> QuerySet[Order]:
    """Whole orders: a retailer's own, a rep's retailers', or all for analysts. Vendors
    do not see other parties' whole orders, only the lines of their products."""
    try:
        scope = retailer_filter(user, prefix="retailer__")
    except NoScope:
        return Order.objects.none()
    return Order.objects.filter(scope).select_related("retailer", "warehouse")


def order_line_list_for_user(*, user: User) -> QuerySet[OrderLine]:
    try:
        scope = sales_filter(user)
    except NoScope:
        return OrderLine.objects.none()
    return OrderLine.objects.filter(scope)


def lost_sale_list_for_user(*, user: User) -> QuerySet[LostSale]:
    """Refused units the user may analyse, by the order lines' rule (a vendor's products, a shop's or rep's
    retailers): the demand beside the sales. Refusals of cancelled orders are left out, as their lines are."""
    try:
        scope = sales_filter(user)
    except NoScope:
        return LostSale.objects.none()
    return demand_lost_sales().filter(scope)


# --- Demand: the one rule for which lines count and how returns net ------------------
#
# Demand is what retailers ordered on orders not cancelled (a cancelled order stays on
# record but moved no goods), net of returns. Money and unit figures net a return
# against sales through `net_value_expression` and `net_quantity_expression`; the models
# learn from `sale_lines`, where a return is a later event on its own day, not less
# demand on the day of the sale. Every app reads demand through these.


def demand_filter(prefix: str = "") -> Q:
    """Lines on orders not cancelled, sales and returns; `prefix` reaches OrderLine from another model."""
    return Q(**{f"{prefix}order__status__in": DEMAND_STATUSES})


def sale_filter(prefix: str = "") -> Q:
    """Lines of sale orders, not returns (combine with `demand_filter`)."""
    return Q(**{f"{prefix}order__kind": OrderKind.SALE})


def return_filter(prefix: str = "") -> Q:
    """Lines of returns (combine with `demand_filter`)."""
    return Q(**{f"{prefix}order__kind": OrderKind.RETURN})


def demand_lines(lines: QuerySet[OrderLine] | None = None) -> QuerySet[OrderLine]:
    """Lines that moved goods, sales and returns: not on cancelled orders. All lines unless `lines` narrows them."""
    return (OrderLine.objects.all() if lines is None else lines).filter(demand_filter())


def sale_lines(lines: QuerySet[OrderLine] | None = None) -> QuerySet[OrderLine]:
    """Demand as the models learn it (and a reorder is a purchase): sale lines of orders not cancelled."""
    return (OrderLine.objects.all() if lines is None else lines).filter(demand_filter(), sale_filter())


def demand_lost_sales(lost_sales: QuerySet[LostSale] | None = None) -> QuerySet[LostSale]:
    """Refused units that count as demand the sales missed: those on no recorded order, and those of orders not
    cancelled (a cancelled order asked for nothing in the end). The models learn sale lines plus these."""
    rows = LostSale.objects.all() if lost_sales is None else lost_sales
    return rows.filter(Q(order__isnull=True) | demand_filter())


# --- Aggregates the role home pages show -------------------------------------------

_MONEY = DecimalField(max_digits=18, decimal_places=2)


def net_value_expression_through(prefix: str = "") -> Case:
    """Line value after discount, negative for returns; `prefix` reaches OrderLine from another model."""
    value = ExpressionWrapper(
        F(f"{prefix}quantity") * F(f"{prefix}unit_price") * (Value(1) - F(f"{prefix}discount_rate")),
        output_field=_MONEY,
    )
    return Case(When(**{f"{prefix}order__kind": OrderKind.RETURN}, then=-value), default=value, output_field=_MONEY)


def net_value_expression() -> Case:
    return net_value_expression_through("")


def net_quantity_expression() -> Case:
    return Case(
        When(order__kind=OrderKind.RETURN, then=-F("quantity")), default=F("quantity"), output_field=BigIntegerField()
    )


@dataclass(frozen=True)
class SalesTotals:
    revenue: float
    units: int
    orders: int
    retailers: int
    first_day: dt.date | None
    last_day: dt.date | None


def sales_totals_for_user(*, user: User, since: dt.date | None = None) -> SalesTotals:
    lines = demand_lines(order_line_list_for_user(user=user))
    if since:
        lines = lines.filter(placed_on__gte=since)
    row = lines.aggregate(
        revenue=Sum(net_value_expression()),
        units=Sum(net_quantity_expression()),
        orders=Count("order", distinct=True),
        retailers=Count("retailer", distinct=True),
        first_day=Min("placed_on"),
        last_day=Max("placed_on"),
    )
    return SalesTotals(
        revenue=float(row["revenue"] or 0),
        units=int(row["units"] or 0),
        orders=row["orders"],
        retailers=row["retailers"],
        first_day=row["first_day"],
        last_day=row["last_day"],
    )


def top_products_for_user(*, user: User, since: dt.date | None = None, limit: int = 10) -> list[dict]:
    lines = demand_lines(order_line_list_for_user(user=user))
    if since:
        lines = lines.filter(placed_on__gte=since)
    return list(
        lines.values("product_id", "product__sku", "product__name")
        .annotate(revenue=Sum(net_value_expression()), units=Sum(net_quantity_expression()))
        .order_by("-revenue")[:limit]
    )


def top_retailers_for_user(*, user: User, since: dt.date | None = None, limit: int = 10) -> list[dict]:
    lines = demand_lines(order_line_list_for_user(user=user))
    if since:
        lines = lines.filter(placed_on__gte=since)
    return list(
        lines.values("retailer_id", "retailer__name", "retailer__city", "retailer__segment")
        .annotate(revenue=Sum(net_value_expression()), orders=Count("order", distinct=True))
        .order_by("-revenue")[:limit]
    )


def retailer_activity_for_user(*, user: User, since: dt.date) -> list[dict]:
    """Every visible retailer, also those that never ordered: last order day, and orders
    and net value since `since`."""
    from retailiq.retailers.selectors import retailer_list_for_user

    demand = demand_filter("order_lines__")
    recent = demand & Q(order_lines__placed_on__gte=since)
    value = net_value_expression_through("order_lines__")
    return list(
        retailer_list_for_user(user=user)
        .values("id", "name", "city", "segment")
        .annotate(
            last_order_on=Max("order_lines__placed_on", filter=demand),
            recent_orders=Count("order_lines__order", filter=recent, distinct=True),
            recent_revenue=Sum(value, filter=recent),
        )
        .order_by(F("last_order_on").desc(nulls_last=True), "name")
    )


def retailer_sales_for_user(*, user: User, since: dt.date | None = None) -> QuerySet[OrderLine]:
    """One row per retailer that bought (net revenue, units, orders), as a queryset so a
    page can still filter it by the retailer's fields (region, segment) and sort it.
    Flat keys, not `retailer__name`, because table accessors read `__` as a path."""
    lines = demand_lines(order_line_list_for_user(user=user))
    if since:
        lines = lines.filter(placed_on__gte=since)
    return (
        lines.values("retailer_id")
        .annotate(
            name=F("retailer__name"),
            city=F("retailer__city"),
            region=F("retailer__region"),
            segment=F("retailer__segment"),
            revenue=Sum(net_value_expression()),
            units=Sum(net_quantity_expression()),
            orders=Count("order", distinct=True),
        )
        .order_by("-revenue")
    )

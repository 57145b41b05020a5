"""Purchase-order drafts from a plan: one draft per vendor and warehouse, through the inventory's purchase-order
service, from the scenario promoted on the plan (or the plan itself). Drafting twice finds the drafts already made."""

from decimal import Decimal

from django.db import transaction

from retailiq.accounts.models import User
from retailiq.core.errors import Conflict
from retailiq.inventory.models import PurchaseOrder, Warehouse
from retailiq.inventory.services import PurchaseOrderLineInput, purchase_order_create

from ..models import Plan, PlanLine, PlanPurchaseOrder
from .plans import plan_for_user


def drafting_plan(plan: Plan) -> Plan:
    """The plan drafts come from: the scenario promoted on the base plan, else the base plan."""
    base = plan.base or plan
    return base.promoted or base


def purchase_order_drafts_create(*, user: User, plan_id: int) -> list[PurchaseOrder]:
    source = drafting_plan(plan_for_user(user=user, plan_id=plan_id))
    if not source.is_solved:
        raise Conflict(f"Plan {source.pk} is {source.get_status_display().lower()}; nothing to draft from it.")
    with transaction.atomic():
        Plan.objects.select_for_update().get(pk=source.pk)  # two clicks draft once
        existing = purchase_order_drafts(plan=source)
        if existing:
            return existing
        lines = PlanLine.objects.filter(plan=source, order_qty__gt=0).order_by("vendor_id", "warehouse_id", "pk")
        groups: dict[tuple[int, int], list[PurchaseOrderLineInput]] = {}
        for line in lines:
            groups.setdefault((line.vendor_id, line.warehouse_id), []).append(
                PurchaseOrderLineInput(
                    product_id=line.product_id,
                    quantity=round(line.order_qty),
                    unit_cost=Decimal(str(round(line.unit_cost, 2))),
                )
            )
        warehouses = Warehouse.objects.in_bulk([w for _, w in groups])
        for (vendor_id, warehouse_id), order_lines in groups.items():
            order = purchase_order_create(vendor_id=vendor_id, warehouse=warehouses[warehouse_id], lines=order_lines)
            PlanPurchaseOrder.objects.create(plan=source, purchase_order=order)
    return purchase_order_drafts(plan=source)


def purchase_order_drafts(*, plan: Plan) -> list[PurchaseOrder]:
    orders = PurchaseOrder.objects.filter(from_plan__plan=plan).select_related("vendor", "warehouse")
    return list(orders.prefetch_related("lines__product").order_by("vendor__name", "warehouse__name", "pk"))


def drafts_csv_rows(orders: list[PurchaseOrder]) -> list[list]:
    rows: list[list] = [["purchase_order", "vendor", "warehouse", "sku", "product", "quantity", "unit_cost", "value"]]
    for order in orders:
        for line in order.lines.all():
            rows.append([
                order.number, order.vendor.name, order.warehouse.code, line.product.sku, line.product.name,
                line.quantity_ordered, f"{line.unit_cost:.2f}", f"{line.quantity_ordered * line.unit_cost:.2f}",
            ])  # fmt: skip
    return rows

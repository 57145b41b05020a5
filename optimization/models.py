"""Stockout risk written by batch scoring, and order plans with their lines, scenarios and purchase-order drafts."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class StockoutRisk(models.Model):
    """One product x warehouse as one model version saw it on one day: the chance of a stockout within 14 days and
    within its lead time, the days until stock runs out, and the revenue expected to be lost. Unique on (version,
    as_of, product, warehouse), so scoring the same day again overwrites in place; ``model_version`` is empty for
    rows scored by the untrained baseline (the days-of-cover rule)."""

    model_version = models.ForeignKey(
        "registry.ModelVersion", null=True, blank=True, on_delete=models.CASCADE, related_name="stockout_risks"
    )
    as_of = models.DateField(help_text="The first day the risk is about; the ledger was read up to the day before.")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="stockout_risks")
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.CASCADE, related_name="stockout_risks")
    probability_14 = models.FloatField()
    probability_lead_time = models.FloatField()
    days_to_stockout = models.FloatField()
    expected_lost_revenue = models.FloatField()
    priority = models.FloatField(help_text="Probability within 14 days x expected lost revenue.")
    on_hand = models.FloatField()
    on_order = models.FloatField()
    mean_per_day = models.FloatField(help_text="Forecast demand per day (the forecasting capability's mean).")
    cover_days = models.FloatField()
    lead_time_days = models.FloatField()
    reason = models.CharField(max_length=300, blank=True)
    scored_at = models.DateTimeField()

    class Meta:
        ordering = ["-priority"]
        constraints = [
            models.UniqueConstraint(
                fields=["model_version", "as_of", "product", "warehouse"], name="one_stockout_risk_per_version_day"
            ),
            models.UniqueConstraint(
                fields=["as_of", "product", "warehouse"],
                condition=Q(model_version__isnull=True),
                name="one_baseline_stockout_risk_per_day",
            ),
            models.CheckConstraint(
                condition=Q(probability_14__gte=0) & Q(probability_14__lte=1), name="stockout_probability_fraction"
            ),
        ]
        indexes = [
            models.Index(fields=["model_version", "as_of", "warehouse"]),
            models.Index(fields=["as_of", "-priority"]),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} @ {self.warehouse_id} as of {self.as_of}: {self.probability_14:.2f}"


class PlanStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    OPTIMAL = "optimal", "Optimal"
    FEASIBLE = "feasible", "Feasible (within the time limit)"
    INFEASIBLE = "infeasible", "Infeasible"
    FAILED = "failed", "Failed"


SOLVED = (PlanStatus.OPTIMAL, PlanStatus.FEASIBLE)


class Plan(models.Model):
    """An order plan for the next cycle: its constraints as asked (``options``), what the solver answered (status,
    gap, cost split, binding constraints with shadow prices, the explanation in words) and its lines.

    A scenario is a plan copied from a ``base`` plan with ``changes`` (demand, lead times, budget, service level).
    Promoting a scenario makes it the plan its base's purchase-order drafts come from (``base.promoted``)."""

    name = models.CharField(max_length=120)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="plans")
    vendor = models.ForeignKey(
        "catalog.Vendor",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="plans",
        help_text="A vendor's plan covers its own products only; empty: every product (analysts).",
    )
    base = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="scenarios")
    changes = models.JSONField(default=dict, blank=True, help_text="What a scenario changes of its base plan.")
    promoted = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="promoted_for",
        help_text="On a base plan: the scenario its purchase-order drafts come from (empty: the plan itself).",
    )
    options = models.JSONField(default=dict, help_text="Budget, service level, capacities, vendor minimums, ...")
    as_of = models.DateField()
    status = models.CharField(max_length=16, choices=PlanStatus.choices, default=PlanStatus.QUEUED)
    job = models.ForeignKey("registry.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="plans")
    pairs = models.PositiveIntegerField(default=0)
    gap = models.FloatField(null=True, blank=True)
    objective = models.FloatField(null=True, blank=True)
    costs = models.JSONField(default=dict, blank=True, help_text="Expected holding, shortage and ordering cost.")
    summary = models.JSONField(default=dict, blank=True, help_text="Order value, orders, stock value, service.")
    binding = models.JSONField(default=list, blank=True, help_text="Binding constraints with their shadow prices.")
    explanation = models.TextField(blank=True)
    error = models.TextField(blank=True)
    solve_seconds = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["vendor", "-created_at"]), models.Index(fields=["base"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.status})"

    @property
    def is_scenario(self) -> bool:
        return self.base_id is not None

    @property
    def is_solved(self) -> bool:
        return self.status in SOLVED


class PlanLine(models.Model):
    """One product x warehouse of a plan: what to order (whole packs), the levels the policy sets, and its part of
    the expected cost."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="plan_lines")
    warehouse = models.ForeignKey("inventory.Warehouse", on_delete=models.CASCADE, related_name="plan_lines")
    vendor = models.ForeignKey("catalog.Vendor", on_delete=models.CASCADE, related_name="plan_lines")
    on_hand = models.FloatField()
    on_order = models.FloatField()
    mean_per_day = models.FloatField()
    days_of_cover = models.FloatField()
    unit_cost = models.FloatField()
    order_qty = models.FloatField()
    order_value = models.FloatField()
    order_up_to = models.FloatField()
    reorder_point = models.FloatField()
    safety_stock = models.FloatField()
    expected_holding = models.FloatField()
    expected_shortage = models.FloatField()
    ordering_cost = models.FloatField()
    expected_service = models.FloatField()

    class Meta:
        ordering = ["plan", "warehouse", "-order_value"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "product", "warehouse"], name="one_plan_line_per_pair"),
            models.CheckConstraint(condition=Q(order_qty__gte=0), name="plan_line_quantity_not_negative"),
        ]

    def __str__(self) -> str:
        return f"plan {self.plan_id}: {self.order_qty:g} of {self.product_id} to {self.warehouse_id}"


class PlanPurchaseOrder(models.Model):
    """A draft purchase order the plan gave rise to (one per vendor and warehouse), so drafting twice finds them."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="purchase_orders")
    purchase_order = models.OneToOneField("inventory.PurchaseOrder", on_delete=models.CASCADE, related_name="from_plan")

    def __str__(self) -> str:
        return f"plan {self.plan_id} -> {self.purchase_order_id}"
